/* Firmware self-test of the mac8 CFU: every instruction (every funct3/funct7 variant) on
 * random operands, compared with the C emulation. Prints one line the host parses and returns
 * the number of failures. On a host build (no CFU) it compiles to nothing. */
#if defined(__riscv)
#include <stdint.h>
#include <stdio.h>

#include "cfu.h"
#include "mac8_emu.h"

#define MAX_REPORTED 5
#define SMALL 16 /* addresses and channels the random operands mostly stay within */

static mac8_emu_state emu;
static uint32_t fetch_source[64]; /* what W_FETCH reads: real memory, through the CFU's bus port */

static uint32_t xorshift32(uint32_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

typedef struct {
    unsigned funct3, funct7;
} variant;

static const variant variants[] = {
    {MAC8_MAC, MAC8_CONV},           {MAC8_MAC, MAC8_DW},
    {MAC8_MAC, MAC8_FC},             {MAC8_MAC, MAC8_NOMAC},
    {MAC8_MAC, MAC8_CONV | MAC8_COMMIT}, {MAC8_MAC, MAC8_DW | MAC8_COMMIT},
    {MAC8_MAC, MAC8_FC | MAC8_COMMIT},   {MAC8_MAC, MAC8_NOMAC | MAC8_COMMIT},
    {MAC8_SETPTR, 0},                {MAC8_WLOAD, MAC8_W_STREAM},
    {MAC8_WLOAD, MAC8_W_SETUP},      {MAC8_WLOAD, MAC8_W_DIRECT},
    {MAC8_READ, 0},                  {MAC8_SETPARAM, MAC8_P_BIAS},
    {MAC8_SETPARAM, MAC8_P_MULTIPLIER}, {MAC8_SETPARAM, MAC8_P_SHIFT},
    {MAC8_CONFIG, MAC8_C_OFFSETS},   {MAC8_CONFIG, MAC8_C_CLAMP},
    {MAC8_CLEAR, 0},                 {MAC8_WLOAD, MAC8_W_FETCH},
    {MAC8_ID, 0},
};
#define N_VARIANTS (sizeof variants / sizeof variants[0])

/* funct3/funct7 are encoded in the instruction, so each variant needs its own cfu_op. */
static uint32_t issue(unsigned v, uint32_t a, uint32_t b) {
    switch (v) {
    case 0: return cfu_op(MAC8_MAC, MAC8_CONV, a, b);
    case 1: return cfu_op(MAC8_MAC, MAC8_DW, a, b);
    case 2: return cfu_op(MAC8_MAC, MAC8_FC, a, b);
    case 3: return cfu_op(MAC8_MAC, MAC8_NOMAC, a, b);
    case 4: return cfu_op(MAC8_MAC, MAC8_CONV | MAC8_COMMIT, a, b);
    case 5: return cfu_op(MAC8_MAC, MAC8_DW | MAC8_COMMIT, a, b);
    case 6: return cfu_op(MAC8_MAC, MAC8_FC | MAC8_COMMIT, a, b);
    case 7: return cfu_op(MAC8_MAC, MAC8_NOMAC | MAC8_COMMIT, a, b);
    case 8: return cfu_op(MAC8_SETPTR, 0, a, b);
    case 9: return cfu_op(MAC8_WLOAD, MAC8_W_STREAM, a, b);
    case 10: return cfu_op(MAC8_WLOAD, MAC8_W_SETUP, a, b);
    case 11: return cfu_op(MAC8_WLOAD, MAC8_W_DIRECT, a, b);
    case 12: return cfu_op(MAC8_READ, 0, a, b);
    case 13: return cfu_op(MAC8_SETPARAM, MAC8_P_BIAS, a, b);
    case 14: return cfu_op(MAC8_SETPARAM, MAC8_P_MULTIPLIER, a, b);
    case 15: return cfu_op(MAC8_SETPARAM, MAC8_P_SHIFT, a, b);
    case 16: return cfu_op(MAC8_CONFIG, MAC8_C_OFFSETS, a, b);
    case 17: return cfu_op(MAC8_CONFIG, MAC8_C_CLAMP, a, b);
    case 18: return cfu_op(MAC8_CLEAR, 0, a, b);
    case 19: return cfu_op(MAC8_WLOAD, MAC8_W_FETCH, a, b);
    default: return cfu_op(MAC8_ID, 0, a, b);
    }
}

/* Issue to both; the self-test's verdict counts only the random phase. */
static uint32_t both(unsigned v, uint32_t a, uint32_t b, uint32_t *want) {
    *want = mac8_emu_op(&emu, variants[v].funct3, variants[v].funct7, a, b);
    return issue(v, a, b);
}

/* Operands that keep most accesses inside the first SMALL words/channels, so reads meet
 * writes and outputs are not stuck at a clamp; now and then anything at all. */
static void operands(unsigned v, uint32_t *x, uint32_t *a, uint32_t *b) {
    const int wild = (xorshift32(x) & 15) == 0;
    *a = xorshift32(x);
    *b = xorshift32(x);
    if (variants[v].funct3 == MAC8_WLOAD && variants[v].funct7 == MAC8_W_FETCH) {
        /* Never wild: any address would be a bus access anywhere. Low bits are ignored. */
        *a = (uint32_t)(uintptr_t)&fetch_source[*a % 32] | (*a >> 30);
        *b %= 9;
        return;
    }
    if (wild) return;
    switch (variants[v].funct3) {
    case MAC8_SETPTR: *a %= SMALL; *b = (*b & ((MAC8_PAIRS - 1u) << 8)) | (*b & 1); break;
    case MAC8_WLOAD:
        if (variants[v].funct7 == MAC8_W_SETUP) { *a %= SMALL; *b = 1 + *b % 5; }
        if (variants[v].funct7 == MAC8_W_DIRECT) *b = (*b & ((MAC8_LANES - 1u) << MAC8_ADDR_BITS)) | (*b % SMALL);
        break;
    case MAC8_READ: *a &= 2 * MAC8_SLOT_SEL - 1; break;
    case MAC8_SETPARAM:
        *b %= SMALL;
        if (variants[v].funct7 == MAC8_P_BIAS) *a = (uint32_t)((int32_t)(*a % 8192) - 4096);
        if (variants[v].funct7 == MAC8_P_MULTIPLIER) *a = 0x40000000u | (*a & 0x3FFFFFFFu);
        if (variants[v].funct7 == MAC8_P_SHIFT) *a = (uint32_t)(-9 - (int32_t)(*a % 7));
        break;
    case MAC8_CONFIG:
        if (variants[v].funct7 == MAC8_C_OFFSETS) { *a = (uint32_t)((int32_t)(*a % 257) - 128); *b = (uint32_t)((int32_t)(*b % 256) - 128); }
        else { *a = (uint32_t)(-1 - (int32_t)(*a % 128)); *b = *b % 128; }
        break;
    default: break;
    }
}

int cfu_selftest(uint32_t seed, unsigned n) {
    uint32_t x = seed ? seed : 1, want;
    mac8_emu_reset(&emu);
    for (unsigned i = 0; i < sizeof fetch_source / sizeof fetch_source[0]; i++) fetch_source[i] = xorshift32(&x);
#ifdef MAC8_PARAMETERISED
    /* Firmware built for other parameters than the CFU's: say so before anything else (the
     * random phase's ID instructions then fail too; the default build relies on those alone,
     * keeping its image, and so its measured cycle counts, as they were). */
    const uint32_t id = cfu_op(MAC8_ID, 0, 0, 0);
    if (id != MAC8_INFO)
        printf("CFUB SELFTEST mac8 mismatch: the CFU reports ID %08lx (lanes %lu, 2^%lu words), the "
               "firmware was built for %08lx\n", (unsigned long)id, (unsigned long)((id >> 8) & 0xFF),
               (unsigned long)(id & 0xFF), (unsigned long)MAC8_INFO);
#endif

    /* The CFU may have been used before: put the hardware in the emulator's state. Memories
     * first (zeroed), then every register. */
    both(10, 0, MAC8_DEPTH, &want);
    for (unsigned i = 0; i < MAC8_LANES * MAC8_DEPTH; i++) both(9, 0, 0, &want);
    for (unsigned ch = 0; ch < MAC8_CHANNELS; ch++)
        for (unsigned p = 13; p <= 15; p++) both(p, 0, ch, &want);
    both(16, 0, 0, &want);
    both(17, (uint32_t)-128, 127, &want);
    both(18, 0, 0, &want);
    both(7, 0, 0, &want);
    both(7, 0, 0, &want);
    both(18, 0, 0, &want);
    both(8, 0, 0, &want);
    both(10, 0, 1, &want);
    /* Sensible parameters and weights where the random phase mostly looks. */
    for (unsigned ch = 0; ch < SMALL; ch++)
        for (unsigned p = 13; p <= 15; p++) {
            uint32_t a, b;
            operands(p, &x, &a, &b);
            both(p, a, ch, &want);
        }
    both(10, 0, SMALL, &want);
    for (unsigned i = 0; i < MAC8_LANES * SMALL; i++) both(9, xorshift32(&x), 0, &want);

    unsigned pass = 0, fail = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned v = xorshift32(&x) % (N_VARIANTS + 6);
        if (v >= N_VARIANTS) v = v % 4; /* MACs without commit are the common case */
        uint32_t a, b;
        operands(v, &x, &a, &b);
        const uint32_t got = both(v, a, b, &want);
        if (got == want) {
            pass++;
        } else {
            if (fail < MAX_REPORTED)
                printf("CFUB SELFTEST mac8 mismatch funct3=%u funct7=%u a=%08lx b=%08lx got=%08lx want=%08lx\n",
                       variants[v].funct3, variants[v].funct7, (unsigned long)a, (unsigned long)b,
                       (unsigned long)got, (unsigned long)want);
            fail++;
        }
    }
    printf("CFUB SELFTEST mac8 pass=%u fail=%u\n", pass, fail);
    return (int)fail;
}
#else
typedef int mac8_selftest_needs_the_cfu; /* host builds: nothing to test against */
#endif
