/* Bit-exact C model of the dot4 CFU (cfu.v): host builds of the kernels run on it. */
#ifndef dot4_emu_h_
#define dot4_emu_h_
#include <stdint.h>

enum { dot4_dot = 0, dot4_xor = 1 };

typedef struct { int unused; } dot4_emu_state;

static inline void dot4_emu_reset(dot4_emu_state *s) { (void)s; }

static inline uint32_t dot4_emu_op(dot4_emu_state *s, unsigned funct3, unsigned funct7,
                                   uint32_t in0, uint32_t in1) {
    (void)s;
    (void)funct7;
    if (funct3 != dot4_dot)
        return in0 ^ in1;
    int32_t sum = 0;
    for (unsigned i = 0; i < 4; i++)
        sum += (int32_t)(int8_t)(uint8_t)(in0 >> (8 * i)) * (int32_t)(int8_t)(uint8_t)(in1 >> (8 * i));
    return (uint32_t)sum;
}
#endif
