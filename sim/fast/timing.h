/* The cycle rules of VexRiscv full+cfu (as LiteX builds it: GenCoreDefault, earlyBranch,
 * 2-stage I-fetch, all bypasses) that do not depend on memory. Each constant is pinned by a
 * micro-benchmark run against the RTL (tests/fastsim/test_timing.py); change one only with
 * the benchmark that shows it.
 *
 * Issue model: an instruction enters execute one cycle after the one before it, later if a
 * source register is not yet ready; results of these classes come this many cycles late. */
#ifndef FASTSIM_TIMING_H
#define FASTSIM_TIMING_H

#ifndef LATE_SHIFT
#define LATE_SHIFT 1  /* barrel shifter result in memory stage */
#endif
#ifndef LATE_LOAD
#define LATE_LOAD 2   /* D$ data in writeback */
#endif
#ifndef LATE_MUL
#define LATE_MUL 2    /* 3-stage multiplier */
#endif
#ifndef LATE_CFU
#define LATE_CFU 1    /* CfuPlugin collects the response in memory stage (timebench cfu_use) */
#endif

#ifndef T_JAL
#define T_JAL 1       /* JAL and predicted-taken branches redirect fetch from decode */
#endif
#ifndef T_JALR
#define T_JALR 2      /* JALR, MRET and mispredicted branches redirect from execute (timebench jalr, branch_fwd_taken) */
#endif
#ifndef T_DIV
#define T_DIV 33      /* iterative divider: 34 cycles in execute (timebench div) */
#endif
#ifndef LATE_DIV
#define LATE_DIV 1    /* the quotient is written back a cycle after the divider ends (div_use) */
#endif
#ifndef T_STORE_LOAD_HAZARD
#define T_STORE_LOAD_HAZARD 5 /* a load right after a store to the same word replays (store_load) */
#endif
#ifndef T_CFU_AFTER_REDIRECT
#define T_CFU_AFTER_REDIRECT 1 /* a CFU instruction right after a taken jump or branch (cfu_after_jal) */
#endif
#ifndef T_CSR
#define T_CSR 2       /* a CSR instruction holds execute (timebench csr_read) */
#endif
#ifndef T_TRAP
#define T_TRAP 3
#endif
#ifndef T_IO_LOAD
#define T_IO_LOAD 6   /* uncached CSR-bus access, through the Wishbone-to-CSR bridge */
#endif
#ifndef T_IO_STORE
#define T_IO_STORE 4
#endif

static inline unsigned branch_cost(int taken, int predicted) {
    if (taken != predicted) return T_JALR;
    return taken ? T_JAL : 0;
}

#endif
