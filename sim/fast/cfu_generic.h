/* A design whose instructions all answer the cycle after they are accepted (the template's
 * rule, and so of every design `cfu-bench new` makes until it says otherwise): its bit-exact
 * C emulation, no extra latency. CFU_NAME is the design's name (the prefix of its emulation's
 * functions, kernels/<name>_emu.h). */
#define FS_CAT2(a, b) a##b
#define FS_CAT(a, b) FS_CAT2(a, b)
#define FS_STR2(a) #a
#define FS_STR(a) FS_STR2(a)
#include FS_STR(FS_CAT(CFU_NAME, _emu.h))

static FS_CAT(CFU_NAME, _emu_state) cfu_state;

static void cfu_init(void) { FS_CAT(CFU_NAME, _emu_reset)(&cfu_state); }

static uint32_t cfu_execute(unsigned f3, unsigned f7, uint32_t a, uint32_t b) {
    return FS_CAT(CFU_NAME, _emu_op)(&cfu_state, f3, f7, a, b);
}
