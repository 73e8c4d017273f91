/* Bit-exact C model of every instruction of the `template` CFU.
 *
 * Standalone (only <stdint.h>): the firmware self-test compares the hardware against it, and
 * kernels can be compiled on the host with it in place of the CFU. Keep it in step with
 * design.py and tests/template_model.py; the tests check all three agree.
 */
#ifndef TEMPLATE_EMU_H
#define TEMPLATE_EMU_H

#include <stdint.h>

#define TEMPLATE_DOT4 0       /* rd = sum_i (rs1.b[i] + offset) * rs2.b[i]          */
#define TEMPLATE_SET_OFFSET 1 /* offset = sign-extended rs1[8:0]; rd = 0            */
#define TEMPLATE_ACC 2        /* funct7=0: acc += DOT4, rd = acc; funct7=1: acc = rs1, rd = old acc */
#define TEMPLATE_ACC_ADD 0
#define TEMPLATE_ACC_LOAD 1

typedef struct {
    int32_t offset;
    uint32_t acc; /* unsigned so that wrap-around is defined, as in the 32-bit register */
} template_emu_state;

static inline void template_emu_reset(template_emu_state *s) {
    s->offset = 0;
    s->acc = 0;
}

static inline int32_t template_emu_byte(uint32_t word, unsigned i) {
    return (int32_t)(int8_t)(uint8_t)(word >> (8 * i));
}

static inline int32_t template_emu_dot4(const template_emu_state *s, uint32_t a, uint32_t b) {
    int32_t sum = 0;
    for (unsigned i = 0; i < 4; i++)
        sum += (template_emu_byte(a, i) + s->offset) * template_emu_byte(b, i);
    return sum;
}

static inline uint32_t template_emu_op(template_emu_state *s, unsigned funct3, unsigned funct7,
                                       uint32_t in0, uint32_t in1) {
    switch (funct3) {
    case TEMPLATE_DOT4:
        return (uint32_t)template_emu_dot4(s, in0, in1);
    case TEMPLATE_SET_OFFSET: {
        uint32_t low9 = in0 & 0x1FFu;
        s->offset = (int32_t)low9 - ((low9 & 0x100u) ? 0x200 : 0);
        return 0;
    }
    case TEMPLATE_ACC:
        if (funct7 & TEMPLATE_ACC_LOAD) {
            uint32_t previous = s->acc;
            s->acc = in0;
            return previous;
        }
        s->acc += (uint32_t)template_emu_dot4(s, in0, in1);
        return s->acc;
    default:
        return 0; /* unclaimed funct3 values answer 0 */
    }
}

#endif
