/* Bit-exact C model of every instruction of the `template` CFU.
 *
 * Standalone (only <stdint.h>): the firmware self-test compares the hardware against it, and
 * kernels can be compiled on the host with it in place of the CFU. Keep it in step with
 * design.py and tests/template_model.py; the tests check all three agree.
 */
#ifndef template_emu_h_
#define template_emu_h_

#include <stdint.h>

/* Names are lower case and prefixed with the design name, which `cfu-bench new` replaces. */
enum template_funct3 {
    template_dot4 = 0,       /* rd = sum_i (rs1.b[i] + offset) * rs2.b[i]                  */
    template_set_offset = 1, /* offset = sign-extended rs1[8:0]; rd = 0                    */
    template_acc = 2,        /* funct7 = template_acc_add or template_acc_load              */
};
enum template_acc_funct7 {
    template_acc_add = 0,  /* acc += DOT4(rs1, rs2); rd = new acc */
    template_acc_load = 1, /* acc = rs1; rd = previous acc        */
};

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
    case template_dot4:
        return (uint32_t)template_emu_dot4(s, in0, in1);
    case template_set_offset: {
        uint32_t low9 = in0 & 0x1FFu;
        s->offset = (int32_t)low9 - ((low9 & 0x100u) ? 0x200 : 0);
        return 0;
    }
    case template_acc:
        if (funct7 & template_acc_load) {
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
