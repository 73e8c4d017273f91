/* Timing micro-benchmarks: one small loop per rule of the fast simulation's timing model
 * (sim/fast/timing.h, memory_model.h), each timed with mcycle. The fast simulation must give
 * exactly the RTL's cycles for every one (tests/fastsim/test_timebench.py). Each line:
 *   CFUB TIMEBENCH <name> cycles=<mcycle delta>
 * The loop bodies are assembly so the compiler cannot change what is measured. */
#include <stdint.h>
#include <stdio.h>

#include "cfu.h"
#include "platform.h"

extern uint8_t _cfub_arena_start[], _cfub_arena_end[];

#define REPS 64
#define X8(s) s s s s s s s s

static volatile uint32_t buf[1024] __attribute__((aligned(32)));

static void report(const char *name, uint64_t cycles) {
    printf("CFUB TIMEBENCH %s cycles=%llu\n", name, (unsigned long long)cycles);
}

/* BENCH(name, setup, body): `body` (asm text) REPS times in a counted loop, registers
 * a0 (= &buf), t0 (counter) and t1-t6, a1-a5 free for the body. */
#define BENCH(name, body)                                                                   \
    static void bench_##name(void) {                                                        \
        uint64_t t0 = read_mcycle();                                                        \
        __asm__ volatile("li t0, %1\n"                                                      \
                         "1:\n" body "addi t0, t0, -1\n"                                    \
                         "bnez t0, 1b\n"                                                    \
                         :                                                                  \
                         : "r"(buf), "i"(REPS)                                              \
                         : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4", \
                           "a5", "memory");                                                 \
        uint64_t t1 = read_mcycle();                                                        \
        report(#name, t1 - t0);                                                             \
    }

/* %0 is buf */
BENCH(empty, "")
BENCH(alu_chain, X8("addi t1, t1, 1\n"))
BENCH(alu_indep, X8("addi t1, t1, 1\naddi t2, t2, 1\n"))
BENCH(load_use, X8("lw t1, 0(%0)\naddi t2, t1, 1\n"))
BENCH(load_use_gap1, X8("lw t1, 0(%0)\naddi t3, t3, 1\naddi t2, t1, 1\n"))
BENCH(load_use_gap2, X8("lw t1, 0(%0)\naddi t3, t3, 1\naddi t4, t4, 1\naddi t2, t1, 1\n"))
BENCH(load_addr_use, X8("lw t1, 0(%0)\nadd t1, t1, %0\nlw t2, 0(t1)\n"))
BENCH(mul_use, X8("mul t1, t1, t2\naddi t3, t1, 1\n"))
BENCH(mul_use_gap1, X8("mul t1, t1, t2\naddi t4, t4, 1\naddi t3, t1, 1\n"))
BENCH(mul_chain, X8("mul t1, t1, t2\n"))
BENCH(shift_use, X8("slli t1, t1, 1\naddi t2, t1, 1\n"))
BENCH(shift_indep, X8("slli t1, t1, 1\naddi t2, t2, 1\n"))
BENCH(div, X8("li t1, 1000\nli t2, 7\ndiv t3, t1, t2\n"))
BENCH(div_use, X8("li t1, 1000\nli t2, 7\ndivu t3, t1, t2\naddi t4, t3, 1\n"))
BENCH(rem, X8("li t1, -1000\nli t2, 7\nrem t3, t1, t2\n"))
BENCH(branch_fwd_taken, X8("beqz zero, 2f\nnop\n2:\n"))
BENCH(branch_fwd_not_taken, X8("bnez zero, 2f\nnop\n2:\n"))
BENCH(branch_back_not_taken, X8("j 3f\n2: nop\n3: bnez zero, 2b\n"))
BENCH(branch_dep, X8("addi t1, zero, 1\nbnez t1, 2f\nnop\n2:\n"))
BENCH(branch_load_dep, X8("lw t1, 0(%0)\nbnez t1, 2f\nnop\n2:\n"))
BENCH(jal, X8("j 2f\nnop\n2:\n"))
BENCH(jalr, X8("la t1, 2f\njr t1\nnop\n2:\n"))
BENCH(jalr_dep_load, X8("la t1, 2f\nsw t1, 8(%0)\nlw t2, 8(%0)\njr t2\nnop\n2:\n"))
BENCH(store, X8("sw t1, 0(%0)\n"))
BENCH(store_alu, X8("sw t1, 0(%0)\naddi t2, t2, 1\naddi t3, t3, 1\n"))
BENCH(store_byte_burst, X8("sb t1, 0(%0)\nsb t1, 1(%0)\nsh t1, 2(%0)\n"))
BENCH(store_load, X8("sw t1, 4(%0)\nlw t2, 4(%0)\n"))
BENCH(store_load_line, X8("sw t1, 4(%0)\nlw t2, 8(%0)\n"))
BENCH(store_load_gap1, X8("sw t1, 4(%0)\naddi t3, t3, 1\nlw t2, 4(%0)\n"))
BENCH(store_load_byte, X8("sb t1, 5(%0)\nlw t2, 4(%0)\n"))
BENCH(store_pair, X8("sw t1, 0(%0)\nsw t1, 4(%0)\naddi t2, t2, 1\naddi t3, t3, 1\n"))
BENCH(store_seq4, X8("sw t1, 0(%0)\nsw t1, 4(%0)\nsw t1, 8(%0)\nsw t1, 12(%0)\n"))
BENCH(store_alu1, X8("sw t1, 0(%0)\naddi t2, t2, 1\n"))
BENCH(store_load_other, X8("sw t1, 4(%0)\nlw t2, 64(%0)\n"))
BENCH(load_store, X8("lw t2, 4(%0)\nsw t1, 8(%0)\n"))
BENCH(csr_read, X8("csrr t1, mcycle\n"))
BENCH(cfu_chain, X8(".insn r 0x0B, 0, 0, t1, t1, t2\n"))
BENCH(cfu_use, X8(".insn r 0x0B, 0, 0, t1, t1, t2\naddi t3, t1, 1\n"))
BENCH(cfu_indep, X8(".insn r 0x0B, 0, 0, t1, t2, t2\naddi t3, t3, 1\n"))
BENCH(cfu_after_jal, X8("j 2f\n2: .insn r 0x0B, 0, 0, t1, t2, t2\n"))
BENCH(cfu_before_jal, X8(".insn r 0x0B, 0, 0, t1, t2, t2\nj 2f\n2:\n"))
BENCH(cfu_after_alu, X8("addi t3, t3, 1\n.insn r 0x0B, 0, 0, t1, t2, t2\n"))
BENCH(cfu_pair, X8(".insn r 0x0B, 0, 0, t1, t2, t2\n.insn r 0x0B, 0, 0, t3, t2, t2\naddi t4, t4, 1\naddi t5, t5, 1\n"))
BENCH(cfu_after_load, X8("lw t3, 0(%0)\n.insn r 0x0B, 0, 0, t1, t2, t2\n"))
BENCH(cfu_after_load_gap1, X8("lw t3, 0(%0)\naddi t4, t4, 1\n.insn r 0x0B, 0, 0, t1, t2, t2\n"))
BENCH(cfu_after_store, X8("sw t3, 0(%0)\n.insn r 0x0B, 0, 0, t1, t2, t2\n"))
BENCH(cfu_load_operand, X8("lw t2, 0(%0)\n.insn r 0x0B, 0, 0, t1, t2, t2\n"))

/* I-cache misses: 8 KiB of straight-line code, twice the I$, so every line misses each time */
#define X4(s) s s s s
BENCH(icache_stream, X8(X8(X8(X4("nop\n")))))

/* D-cache misses: loads 32 bytes apart over 64 KiB of the arena (far beyond the 4 KiB D$),
 * and stores over the same span (write-through, no allocate: no refills). */
static void bench_dmiss_stride(void) {
    const volatile uint32_t *p = (const volatile uint32_t *)_cfub_arena_start;
    uint32_t sink = 0;
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < 65536 / 4; i += 8)
        sink += p[i];
    uint64_t t1 = read_mcycle();
    report("dmiss_stride", t1 - t0);
    buf[0] = sink;
}

static void bench_dmiss_stride_dep(void) {
    const volatile uint32_t *p = (const volatile uint32_t *)(_cfub_arena_start + 65536);
    uint32_t sink = 0;
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < 65536 / 4; i += 8)
        sink = p[i + (sink & 0)]; /* each address waits for the load before */
    uint64_t t1 = read_mcycle();
    report("dmiss_stride_dep", t1 - t0);
    buf[0] = sink;
}

static void bench_dline_walk(void) {
    const volatile uint32_t *p = (const volatile uint32_t *)(_cfub_arena_start + 131072);
    uint32_t sink = 0;
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < 16384 / 4; i++)
        sink += p[i];
    uint64_t t1 = read_mcycle();
    report("dline_walk", t1 - t0);
    buf[0] = sink;
}

static void bench_store_stride(void) {
    volatile uint32_t *p = (volatile uint32_t *)(_cfub_arena_start + 196608);
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < 65536 / 4; i += 8)
        p[i] = i;
    uint64_t t1 = read_mcycle();
    report("store_stride", t1 - t0);
}

static void bench_store_seq(void) {
    volatile uint32_t *p = (volatile uint32_t *)(_cfub_arena_start + 262144);
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < 16384 / 4; i++)
        p[i] = i;
    uint64_t t1 = read_mcycle();
    report("store_seq", t1 - t0);
}

/* DRAM rows: 2 KiB rows in 8 banks, so 16 KiB apart is the same bank, another row. */
static void bench_row_conflict(void) {
    const volatile uint32_t *a = (const volatile uint32_t *)(_cfub_arena_start + 327680);
    const volatile uint32_t *b = (const volatile uint32_t *)(_cfub_arena_start + 327680 + 16384);
    uint32_t sink = 0;
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < 2048 / 4; i += 8)
        sink += a[i] + b[i];
    uint64_t t1 = read_mcycle();
    report("row_conflict", t1 - t0);
    buf[0] = sink;
}

int main(void) {
    cfu_enable();
    printf("\nCFUB BOOT\n");
    bench_empty(); bench_alu_chain(); bench_alu_indep(); bench_load_use(); bench_load_use_gap1();
    bench_load_use_gap2(); bench_load_addr_use(); bench_mul_use(); bench_mul_use_gap1();
    bench_mul_chain(); bench_shift_use(); bench_shift_indep(); bench_div(); bench_div_use();
    bench_rem(); bench_branch_fwd_taken(); bench_branch_fwd_not_taken();
    bench_branch_back_not_taken(); bench_branch_dep(); bench_branch_load_dep(); bench_jal();
    bench_jalr(); bench_jalr_dep_load(); bench_store(); bench_store_alu(); bench_store_byte_burst();
    bench_store_load(); bench_store_load_line(); bench_store_load_gap1(); bench_store_load_byte();
    bench_store_pair(); bench_store_seq4(); bench_store_alu1(); bench_store_load_other(); bench_load_store(); bench_csr_read();
    bench_cfu_chain(); bench_cfu_use(); bench_cfu_indep(); bench_cfu_after_jal(); bench_cfu_before_jal(); bench_cfu_after_alu(); bench_cfu_pair();
    bench_icache_stream(); bench_cfu_after_load();
    bench_cfu_after_load_gap1(); bench_cfu_after_store(); bench_cfu_load_operand();
    bench_dmiss_stride(); bench_dmiss_stride_dep(); bench_dline_walk(); bench_store_stride();
    bench_store_seq(); bench_row_conflict();
    printf("CFUB EXIT 0\n");
    platform_exit(0);
}
