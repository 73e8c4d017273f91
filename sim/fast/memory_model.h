/* The caches and the memory behind them: VexRiscv's 4 KiB direct-mapped I$ and D$ with
 * 32-byte lines (D$ write-through, no write-allocate), then either LiteX's single-cycle SRAM
 * as main RAM ("ideal") or the 8 KiB L2 in front of LiteDRAM ("ddr3"). Tags only: the data
 * lives in the flat memory arrays, the caches only decide what each access costs.
 * Included by fastsim.c, which owns `now` (the current instruction's execute cycle). */
#ifndef FASTSIM_MEMORY_MODEL_H
#define FASTSIM_MEMORY_MODEL_H

#define LINE_BYTES 32u
#define CACHE_LINES 128u           /* 4 KiB / 32 B */
#define LINE_WORDS (LINE_BYTES / 4u)

/* ideal (fitted to the RTL on kws, ad, ic, vww, see benchmarks/results/calibration.md) */
#ifndef IDEAL_WORD
#define IDEAL_WORD 2             /* the SRAM acks the cycle after each request */
#endif
#ifndef IDEAL_REFILL_OVERHEAD
#define IDEAL_REFILL_OVERHEAD 2   /* command to first word */
#endif
#ifndef IDEAL_STORE
#define IDEAL_STORE 2             /* a write-through store occupies the bus (timebench store_seq4) */
#endif
#ifndef ICACHE_MISS_EXTRA
#define ICACHE_MISS_EXTRA 2       /* an I$ refill takes 20 cycles on ideal RAM (timebench icache_stream) */
#endif
#ifndef LOAD_MISS_REPLAY
#define LOAD_MISS_REPLAY 2        /* the missing load re-executes after the refill */
#endif
#ifndef CFU_AFTER_MEMORY
#define CFU_AFTER_MEMORY 3        /* a CFU instruction waits while a load/store is in M/WB */
#endif

/* ddr3: L2 (direct-mapped, per-word to the CPU) and LiteDRAM behind it */
#define L2_LINE_BYTES 16u
#define L2_LINES (8192u / L2_LINE_BYTES)
#ifndef L2_HIT_WORD
#define L2_HIT_WORD 2             /* a CPU word served by the L2 (fitted) */
#endif
#ifndef L2_STORE_WORD
#define L2_STORE_WORD 2           /* a write-through store into the L2, a hit (timebench store) */
#endif
#ifndef L2_STORE_MISS_EXTRA
#define L2_STORE_MISS_EXTRA 0     /* a store missing the L2 refills its line first */
#endif
#ifndef DRAM_ROW_HIT
#define DRAM_ROW_HIT 13           /* L2 line refill from an open row: PHY read latency 8 + controller (fitted) */
#endif
#ifndef DRAM_ROW_MISS
#define DRAM_ROW_MISS 17          /* tRP 3 + tRCD 3 more, less overlap (fitted) */
#endif
#ifndef DRAM_WRITEBACK
#define DRAM_WRITEBACK 10         /* a dirty L2 line written back (posted) */
#endif
#define DRAM_BANKS 8u
#define DRAM_ROW_BYTES 2048u      /* 1024 columns x 16 bits */
#ifndef DRAM_REFRESH_EVERY
#define DRAM_REFRESH_EVERY 782    /* tREFI */
#endif
#ifndef DRAM_REFRESH_COST
#define DRAM_REFRESH_COST 32      /* tRFC */
#endif

static uint32_t itag[CACHE_LINES], dtag[CACHE_LINES];  /* line address + 1; 0: invalid */
static uint64_t bus_free;        /* the CPU's bus is busy until this cycle */
static uint64_t last_mem_op;     /* execute cycle of the latest load or store */
static uint32_t l2tag[L2_LINES];
static uint8_t l2dirty[L2_LINES];
static uint32_t open_row[DRAM_BANKS];
static uint64_t next_refresh;
static uint64_t stat_imiss, stat_dmiss, stat_l2miss;

static void memory_init(void) {
    memset(itag, 0, sizeof itag);
    memset(dtag, 0, sizeof dtag);
    memset(l2tag, 0xFF, sizeof l2tag);
    memset(open_row, 0xFF, sizeof open_row);
    next_refresh = DRAM_REFRESH_EVERY;
}

static inline int is_main(uint32_t a) { return a - MAIN_BASE < MAIN_SIZE; }

/* ddr3: the cost of bringing the L2 line of `a` in (0 on a hit); marks it dirty on a write. */
static unsigned l2_access(uint32_t a, int write) {
    if (!is_main(a)) return 0;
    uint32_t line = (a - MAIN_BASE) / L2_LINE_BYTES, set = line % L2_LINES;
    unsigned cost = 0;
    if (l2tag[set] != line) {
        stat_l2miss++;
        if (l2tag[set] != 0xFFFFFFFFu && l2dirty[set]) cost += DRAM_WRITEBACK;
        /* refresh every tREFI closes every row; an access during one waits for its end */
        if (now >= next_refresh) {
            uint64_t last = next_refresh + (now - next_refresh) / DRAM_REFRESH_EVERY * DRAM_REFRESH_EVERY;
            next_refresh = last + DRAM_REFRESH_EVERY;
            memset(open_row, 0xFF, sizeof open_row);
            if (now < last + DRAM_REFRESH_COST) cost += (unsigned)(last + DRAM_REFRESH_COST - now);
        }
        uint32_t off = a - MAIN_BASE, row_index = off / DRAM_ROW_BYTES;
        uint32_t bank = row_index % DRAM_BANKS, row = row_index / DRAM_BANKS;
        cost += open_row[bank] == row ? DRAM_ROW_HIT : DRAM_ROW_MISS;
        open_row[bank] = row;
        l2tag[set] = line;
        l2dirty[set] = 0;
    }
    if (write) l2dirty[set] = 1;
    return cost;
}

/* Cycles to refill one 32-byte CPU cache line at `a`. */
static unsigned line_refill(uint32_t a) {
    if (!memory_ddr3 || !is_main(a))
        return IDEAL_REFILL_OVERHEAD + LINE_WORDS * IDEAL_WORD;
    uint32_t base = a & ~(LINE_BYTES - 1);
    unsigned cost = IDEAL_REFILL_OVERHEAD;
    for (uint32_t w = 0; w < LINE_WORDS; w++)
        cost += L2_HIT_WORD + l2_access(base + 4 * w, 0);
    return cost;
}

static inline void bus_wait(void) {
    if (bus_free > now) now = bus_free;
}

static inline void icache_fetch(uint32_t a) {
    uint32_t line = a / LINE_BYTES, set = line % CACHE_LINES;
    if (__builtin_expect(itag[set] == line + 1, 1)) return;
    stat_imiss++;
    bus_wait();
    now += line_refill(a) + ICACHE_MISS_EXTRA;
    bus_free = now;
    itag[set] = line + 1;
}

static inline void dcache_load(uint32_t a) {
    uint32_t line = a / LINE_BYTES, set = line % CACHE_LINES;
    if (__builtin_expect(dtag[set] == line + 1, 1)) return;
    stat_dmiss++;
    bus_wait();
    now += line_refill(a) + LOAD_MISS_REPLAY;
    bus_free = now;
    dtag[set] = line + 1;
}

/* Write-through, no write-allocate: the line stays as it was (updated if present). */
static inline void dcache_store(uint32_t a) {
    unsigned cost = IDEAL_STORE;
    if (memory_ddr3) {
        unsigned miss = l2_access(a, 1);
        cost = L2_STORE_WORD + (miss ? miss + L2_STORE_MISS_EXTRA : 0);
    }
    /* one store may wait for the bus while the pipeline goes on; a second one stalls */
    if (bus_free > now + 1) now = bus_free - 1;
    uint64_t start = bus_free > now ? bus_free : now;
    bus_free = start + cost;
}

static uint32_t last_store_word = 0xFFFFFFFFu;
static uint64_t last_store_at;

static inline void load_issued(void) { last_mem_op = now; }
static inline void store_issued(uint32_t a) {
    last_mem_op = now;
    last_store_word = a >> 2;
    last_store_at = now;
}

/* A load of the word one of the two instructions before stored: VexRiscv replays it
 * (timebench store_load, store_load_gap1; another word of the line: store_load_line). */
static inline void store_load_hazard(uint32_t a) {
    if ((a >> 2) == last_store_word && last_store_at + 2 >= now) now += T_STORE_LOAD_HAZARD;
}

static inline void cfu_wait_behind_memory(void) {
    if (last_mem_op + CFU_AFTER_MEMORY > now) now = last_mem_op + CFU_AFTER_MEMORY;
}

#endif
