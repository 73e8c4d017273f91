/* No CFU: a custom-0 instruction is illegal (as VexRiscv without a CFU would trap). */
static void cfu_init(void) {}
static uint32_t cfu_execute(unsigned f3, unsigned f7, uint32_t a, uint32_t b) {
    (void)f3; (void)f7; (void)a; (void)b;
    return 0;
}
