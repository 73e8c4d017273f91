/* Firmware self-test of the `template` CFU: every instruction on random operands, compared
 * with the C emulation. Prints one line the host parses and returns the number of failures. */
#if defined(__riscv)  /* the SoC's firmware only; host builds of the kernels skip it */
#include <stdint.h>
#include <stdio.h>

#include "cfu.h"
#include "template_emu.h"

#define MAX_REPORTED 5

static uint32_t xorshift32(uint32_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Words made of extreme bytes (0x00, 0x01, 0x7f, 0x80, 0xff) now and then: sign bugs live there. */
static uint32_t random_operand(uint32_t *x) {
    static const uint8_t extremes[5] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    uint32_t r = xorshift32(x);
    if ((r & 3) != 0)
        return xorshift32(x);
    uint32_t word = 0;
    for (unsigned i = 0; i < 4; i++)
        word |= (uint32_t)extremes[xorshift32(x) % 5] << (8 * i);
    return word;
}

/* funct3/funct7 are encoded in the instruction, so each needs its own cfu_op. */
static uint32_t issue(unsigned op, uint32_t a, uint32_t b) {
    switch (op) {
    case 0: return cfu_op(template_dot4, 0, a, b);
    case 1: return cfu_op(template_set_offset, 0, a, b);
    case 2: return cfu_op(template_acc, template_acc_add, a, b);
    default: return cfu_op(template_acc, template_acc_load, a, b);
    }
}

static const unsigned op_funct3[4] = {template_dot4, template_set_offset, template_acc, template_acc};
static const unsigned op_funct7[4] = {0, 0, template_acc_add, template_acc_load};

int cfu_selftest(uint32_t seed, unsigned n) {
    uint32_t x = seed ? seed : 1;
    template_emu_state emu;
    template_emu_reset(&emu);
    /* The CFU may have been used before: bring it to the emulator's reset state. */
    issue(1, 0, 0);
    issue(3, 0, 0);

    unsigned pass = 0, fail = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned op = xorshift32(&x) % 4;
        uint32_t a = random_operand(&x), b = random_operand(&x);
        uint32_t want = template_emu_op(&emu, op_funct3[op], op_funct7[op], a, b);
        uint32_t got = issue(op, a, b);
        if (got == want) {
            pass++;
        } else {
            if (fail < MAX_REPORTED)
                printf("CFUB SELFTEST template mismatch funct3=%u funct7=%u a=%08lx b=%08lx got=%08lx want=%08lx\n",
                       op_funct3[op], op_funct7[op], (unsigned long)a, (unsigned long)b,
                       (unsigned long)got, (unsigned long)want);
            fail++;
        }
    }
    printf("CFUB SELFTEST template pass=%u fail=%u\n", pass, fail);
    return (int)fail;
}
#endif
