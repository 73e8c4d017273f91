/* Issuing CFU instructions and reading the cycle counter on VexRiscv (rv32im_zicsr).
 *
 * A CFU instruction is an R-type instruction on the custom-0 opcode (0x0B). The CPU hands the
 * CFU function_id = {funct7, funct3} and rs1/rs2, and stalls until the CFU responds.
 */
#ifndef CFU_BENCH_CFU_H
#define CFU_BENCH_CFU_H

#include <stdint.h>

/* funct3 and funct7 must be compile-time constants: they are encoded in the instruction. */
#define cfu_op(funct3, funct7, a, b)                                                   \
    ({                                                                                 \
        uint32_t cfu_rd_;                                                              \
        __asm__ volatile(".insn r 0x0B, %1, %2, %0, %3, %4"                           \
                         : "=r"(cfu_rd_)                                               \
                         : "i"(funct3), "i"(funct7), "r"((uint32_t)(a)), "r"((uint32_t)(b))); \
        cfu_rd_;                                                                       \
    })

/* VexRiscv's CfuPlugin treats custom-0 as illegal until bit 31 of CSR 0xBC0 is set. LiteX uses
 * the same CSR as its interrupt mask, so call this again after every irq_setmask(). */
static inline void cfu_enable(void) {
    __asm__ volatile("csrs 0xBC0, %0" ::"r"(0x80000000u));
}

/* 64-bit mcycle on rv32: re-read the high half to catch a carry between the two reads. */
static inline uint64_t read_mcycle(void) {
    uint32_t hi, lo, hi2;
    do {
        __asm__ volatile("csrr %0, mcycleh" : "=r"(hi));
        __asm__ volatile("csrr %0, mcycle" : "=r"(lo));
        __asm__ volatile("csrr %0, mcycleh" : "=r"(hi2));
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

#endif
