/* Memory microbenchmark: how many cycles a load costs when it misses the data cache.
 *
 * Runs in place of the model firmware (same platform glue and linker script) and works on the
 * tensor arena's 2 MiB of main RAM, far beyond the 4 KiB D-cache and the 8 KiB L2:
 *   stream: reads every word of a buffer in order (D-cache line refills, DRAM row hits);
 *   chase:  follows a pointer cycle through nodes in random order, one node per D-cache line,
 *           so each load waits for the one before it (full miss latency, mostly row misses).
 * Each result is one line:
 *   CFUB MEMBENCH <name> bytes=<bytes spanned> loads=<loads timed> cycles=<mcycle delta>
 */
#include <stdint.h>
#include <stdio.h>

#include "cfu.h"
#include "platform.h"

extern uint8_t _cfub_arena_start[], _cfub_arena_end[];

#define LINE 32u                     /* VexRiscv D-cache line */
#define STREAM_BYTES (256u * 1024u)
#define CHASE_BYTES (1024u * 1024u)
#define CHASE_NODE 64u               /* two D-cache lines apart: no line shares two nodes */
#define CHASE_STEPS 4096u
#define EVICT_BYTES (32u * 1024u)    /* four times the L2: pushes written lines out of it */

static uint32_t lcg_state = 12345u;

static uint32_t lcg(void) {
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state;
}

/* Reading a region the timed loops never touch leaves the caches and the L2 holding clean
 * lines only, so no write-back of set-up stores lands inside a measurement. */
static uint32_t evict(void) {
    const volatile uint32_t *p = (const volatile uint32_t *)(_cfub_arena_end - EVICT_BYTES);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < EVICT_BYTES / 4; i += LINE / 4)
        sum += p[i];
    return sum;
}

static void report(const char *name, uint32_t bytes, uint32_t loads, uint64_t cycles) {
    printf("CFUB MEMBENCH %s bytes=%lu loads=%lu cycles=%llu\n", name, (unsigned long)bytes,
           (unsigned long)loads, (unsigned long long)cycles);
}

static uint32_t stream(void) {
    volatile uint32_t *buf = (volatile uint32_t *)_cfub_arena_start;
    for (uint32_t i = 0; i < STREAM_BYTES / 4; i++)
        buf[i] = i;
    uint32_t sink = evict();
    const uint32_t *p = (const uint32_t *)_cfub_arena_start;
    uint32_t sum = 0;
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < STREAM_BYTES / 4; i += 4) {
        uint32_t a, b, c, d;
        __asm__ volatile("lw %0, 0(%4)\n lw %1, 4(%4)\n lw %2, 8(%4)\n lw %3, 12(%4)"
                         : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(p + i) : "memory");
        sum += a + b + c + d;
    }
    uint64_t t1 = read_mcycle();
    report("stream", STREAM_BYTES, STREAM_BYTES / 4, t1 - t0);
    return sum + sink;
}

static uint32_t chase(void) {
    uint8_t *base = _cfub_arena_start + STREAM_BYTES;
    const uint32_t n = CHASE_BYTES / CHASE_NODE;
    /* Sattolo's shuffle: a single cycle through all n nodes, in random order. */
    static uint32_t order[CHASE_BYTES / CHASE_NODE];
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = lcg() % i;
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint32_t i = 0; i < n; i++)
        *(uint8_t **)(base + order[i] * CHASE_NODE) = base + order[(i + 1) % n] * CHASE_NODE;
    uint32_t sink = evict();
    uint8_t *p = base;
    uint64_t t0 = read_mcycle();
    for (uint32_t i = 0; i < CHASE_STEPS; i++)
        p = *(uint8_t **)p;
    uint64_t t1 = read_mcycle();
    report("chase", CHASE_BYTES, CHASE_STEPS, t1 - t0);
    return (uint32_t)(uintptr_t)p + sink;
}

int main(void) {
    printf("\nCFUB BOOT\n");
    uint32_t sink = stream() + chase();
    printf("CFUB MEMBENCH done sink=%08lx\n", (unsigned long)sink);
    printf("CFUB EXIT 0\n");
    platform_exit(0);
}
