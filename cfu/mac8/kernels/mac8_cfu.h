/* mac8_op(): a mac8 instruction, on the CFU when compiled for the SoC's CPU, otherwise (host
 * builds, or -DMAC8_EMULATE) on the bit-exact C emulation, so the kernels can be checked
 * against TFLM on the host. */
#ifndef mac8_cfu_h_
#define mac8_cfu_h_

#include <stdint.h>

#include "mac8_emu.h"

#if defined(__riscv) && !defined(MAC8_EMULATE)
#include "cfu.h"
#define mac8_op(funct3, funct7, a, b) cfu_op(funct3, funct7, a, b)
#else
#define MAC8_EMULATED 1
extern mac8_emu_state mac8_emulated_cfu;
#define mac8_op(funct3, funct7, a, b) \
    mac8_emu_op(&mac8_emulated_cfu, funct3, funct7, (uint32_t)(a), (uint32_t)(b))
#endif

#endif
