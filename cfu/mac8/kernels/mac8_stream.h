/* What the mac8 kernels share (mac8_<op>.c, one per op): the CFU's registers checked against
 * TFLM's parameters, parameter and weight loading, the output queues that read a commit's
 * outputs one commit late, and the streaming routines (inline assembly on the target, the C
 * emulation elsewhere) that feed activation words to MAC.
 *
 * The weights of up to 8 output channels per block sit in the CFU's lane buffers (as many
 * blocks at once as fit in 512 words per lane); the CPU streams activation words and the CFU
 * multiplies, accumulates and requantizes. Every prepare() declines layers the CFU cannot do
 * exactly (the reference kernel then runs them). */
#ifndef MAC8_STREAM_H
#define MAC8_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "cfub_accel.h"
#include "cfub_string.h"
#include "mac8_cfu.h"

#define LANES MAC8_LANES
#define DEPTH MAC8_DEPTH
#define DW_LANES MAC8_DW_LANES   /* channels per MAC DW: a depthwise group */

/* For the inline assembly: numbers as text. MAC8_LANES and MAC8_DEPTH are plain literals. */
#define MAC8_STR_(x) #x
#define MAC8_STR(x) MAC8_STR_(x)
#if MAC8_LANES == 16
#define MAC8_SLOT_SEL_TEXT "4"
#else
#define MAC8_SLOT_SEL_TEXT "2"
#endif

/* MAC CONV of one register, its result to x0 */
#define MAC8_CONV_INSN(reg) ".insn r 0x0B, 0, 0, x0, " reg ", x0\n"

/* After a COMMIT: the previous commit's outputs (READ operand `sel`, its slot's first word)
 * read into r0, r1 and stored at prev. MAC8_READ_TAIL_8 is the 8-output form, which the
 * depthwise kernels use whenever MAC DW fills 8 lanes. */
#define MAC8_READ_TAIL_4(r0, r1, sel, prev) \
    "  .insn r 0x0B, 3, 0, " r0 ", " sel ", x0\n" \
    "  sw " r0 ", 0(" prev ")\n"
#define MAC8_READ_TAIL_8(r0, r1, sel, prev) \
    "  ori " r1 ", " sel ", 1\n" \
    "  .insn r 0x0B, 3, 0, " r0 ", " sel ", x0\n" \
    "  .insn r 0x0B, 3, 0, " r1 ", " r1 ", x0\n" \
    "  sw " r0 ", 0(" prev ")\n  sw " r1 ", 4(" prev ")\n"
#define MAC8_READ_TAIL_16(r0, r1, sel, prev) \
    MAC8_READ_TAIL_8(r0, r1, sel, prev) \
    "  ori " r0 ", " sel ", 2\n  ori " r1 ", " sel ", 3\n" \
    "  .insn r 0x0B, 3, 0, " r0 ", " r0 ", x0\n" \
    "  .insn r 0x0B, 3, 0, " r1 ", " r1 ", x0\n" \
    "  sw " r0 ", 8(" prev ")\n  sw " r1 ", 12(" prev ")\n"
#if MAC8_LANES == 4
#define MAC8_READ_TAIL MAC8_READ_TAIL_4
#define MAC8_DW_READ_TAIL MAC8_READ_TAIL_4
#elif MAC8_LANES == 8
#define MAC8_READ_TAIL MAC8_READ_TAIL_8
#define MAC8_DW_READ_TAIL MAC8_READ_TAIL_8
#else
#define MAC8_READ_TAIL MAC8_READ_TAIL_16
#define MAC8_DW_READ_TAIL MAC8_READ_TAIL_8
#endif
/* One output pixel's blocks done: the next block's outputs go LANES bytes further, and
 * the next commit fills the other slot. */
#define MAC8_NEXT_BLOCK_TEXT(out, sel) \
    "  addi " out ", " out ", " MAC8_STR(MAC8_LANES) "\n  xori " sel ", " sel ", " MAC8_SLOT_SEL_TEXT "\n"

/* The word of the 4 channels after `px` for MAC DW's rs2, where MAC DW takes 8 channels. */
#define DW_HI(px) (DW_LANES > 4 ? *(const uint32_t *)((const int8_t *)(px) + 4) : 0u)

/* The firmware was built for the CFU's parameters: the ID instruction agrees (checked once;
 * a kernel's prepare declines otherwise, so a mismatched build runs the reference kernels).
 * Builds for parameters given with -D check; the default build leaves the check to the
 * self-test, so its code, its layout in the direct-mapped instruction cache and hence its
 * measured cycle counts stay exactly as before the design had parameters. */
#ifdef MAC8_PARAMETERISED
static inline bool mac8_cfu_matches(void) {
    static int known; /* 0 unknown, 1 yes, 2 no */
    if (!known) known = mac8_op(MAC8_ID, 0, 0, 0) == MAC8_INFO ? 1 : 2;
    return known == 1;
}
#else
static inline bool mac8_cfu_matches(void) { return true; }
#endif

/* A layer's tensors under the names the kernels use. */
typedef struct {
    const int8_t *input;
    const int8_t *filter;  /* or ADD's second operand */
    const int32_t *bias;   /* NULL when the layer has none */
    int8_t *output;
} mac8_data;

static inline mac8_data mac8_layer_data(const cfub_layer *l) {
    mac8_data d = {l->in[0], l->in[1], l->in[2], l->out};
    return d;
}

extern const cfub_kernel mac8_conv, mac8_dw, mac8_fc, mac8_add, mac8_avg_pool;

/* ---- padded copies (mac8_pad.c) ------------------------------------------------------
 * Few-channel layers (the first layers: 1 or 3 input channels) run on a copy of their
 * input with the padding written out, pixels widened to whole words where that needs no
 * more MACs: every window is then inside, and the fast streaming routines take every pixel
 * (edge pixels cost several times an inside pixel otherwise). Padding bytes hold the value
 * that makes (input + input_offset) zero. One scratch buffer serves all layers (they run one
 * at a time), so it is rewritten whole at every eval. Not used where the copy costs more
 * than it saves: every store is a bus write on this CPU (write-through data cache). */
#define MAC8_SCRATCH_BYTES (40 * 1024)
extern uint32_t mac8_scratch[MAC8_SCRATCH_BYTES / 4 + 2];

typedef struct {
    int32_t in_h, in_w, in_c;   /* the source image */
    int32_t h, w, c;            /* the copy: c >= in_c bytes per pixel */
    int32_t top, left;          /* padding rows above, columns left of the image */
    int32_t pad;                /* the padding byte */
} mac8_pad_geometry;

/* Geometry of a padded copy for a window (k_h x k_w, stride, TFLM's top/left padding) over
 * out_h x out_w outputs, pixels widened to c bytes; false if it does not fit the scratch. */
bool mac8_pad_plan(mac8_pad_geometry *g, int32_t in_h, int32_t in_w, int32_t in_c, int32_t c,
                   int32_t out_h, int32_t out_w, int32_t k_h, int32_t k_w, int32_t stride_h,
                   int32_t stride_w, int32_t pad_h, int32_t pad_w, int32_t input_offset);
/* Write the padded copy of one image into mac8_scratch; returns it. */
const int8_t *mac8_pad_image(const mac8_pad_geometry *g, const int8_t *image);


static inline bool aligned4(const void *p) { return ((uintptr_t)p & 3) == 0; }

static inline uint32_t load_word(const int8_t *p) {
    uint32_t w;
    memcpy(&w, p, 4);   /* any alignment: weights in a model need not be word aligned */
    return w;
}

/* The CFU's registers are narrower than TFLM's int32 parameters: check they fit. */
static inline bool quantization_fits(int32_t input_offset, int32_t output_offset, int32_t act_min,
                              int32_t act_max, const int32_t *shift, int32_t n, int32_t step) {
    if (input_offset < -256 || input_offset > 255) return false;
    if (output_offset < -32768 || output_offset > 32767) return false;
    if (act_min < -128 || act_max > 127 || act_min > act_max) return false;
    for (int32_t i = 0; i < n; i++)
        if (shift[i * step] < -31 || shift[i * step] > 31) return false;
    return true;
}

/* Channels [first, first + n) into the parameter table, at their index modulo its size. */
static inline void load_params(const int32_t *bias, const int32_t *mult, const int32_t *shift,
                        int32_t first, int32_t n, int32_t step) {
    for (int32_t ch = first; ch < first + n; ch++) {
        const int32_t slot = ch % MAC8_CHANNELS;
        mac8_op(MAC8_SETPARAM, MAC8_P_BIAS, bias ? bias[ch] : 0, slot);
        mac8_op(MAC8_SETPARAM, MAC8_P_MULTIPLIER, mult[ch * step], slot);
        mac8_op(MAC8_SETPARAM, MAC8_P_SHIFT, shift[ch * step], slot);
    }
}

/* Channels [0, n) of a layer whose blocks use their first `per_block` lanes (depthwise on 16
 * lanes): channel c goes to lane c % per_block of block c / per_block. */
static inline void load_params_grouped(const int32_t *bias, const int32_t *mult, const int32_t *shift,
                                       int32_t n, int32_t per_block) {
    for (int32_t ch = 0; ch < n; ch++) {
        const int32_t slot = ((ch / per_block) * LANES + ch % per_block) % MAC8_CHANNELS;
        mac8_op(MAC8_SETPARAM, MAC8_P_BIAS, bias ? bias[ch] : 0, slot);
        mac8_op(MAC8_SETPARAM, MAC8_P_MULTIPLIER, mult[ch], slot);
        mac8_op(MAC8_SETPARAM, MAC8_P_SHIFT, shift[ch], slot);
    }
}

static inline void setup_layer(int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
    mac8_op(MAC8_CLEAR, 0, 0, 0);
    mac8_op(MAC8_CONFIG, MAC8_C_OFFSETS, input_offset, output_offset);
    mac8_op(MAC8_CONFIG, MAC8_C_CLAMP, act_min, act_max);
}

/* n aligned weight words from memory into WLOAD's stream: on the CFU, one W_FETCH (the CFU
 * reads them over its own bus port, about 2 cycles a word with ideal memory, while the CPU
 * waits on the instruction) instead of a load, a D-cache refill share and a WLOAD per word;
 * emulated, streamed. The words must be in memory, not only in the D-cache: it writes
 * through, and weights are written (if ever) long before a layer runs. */
static inline void fetch_weights(const uint32_t *w, int32_t n) {
#if defined(MAC8_EMULATED)
    for (int32_t i = 0; i < n; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, w[i], 0);
#else
    mac8_op(MAC8_WLOAD, MAC8_W_FETCH, (uint32_t)w, (uint32_t)n);
#endif
}

/* Lanes 0..rows-1 of one block from `src` (rows row_words words apart, from base); the
 * other lanes keep what they held. */
static inline void load_rows(const int8_t *src, int32_t row_words, int32_t rows, int32_t base) {
    mac8_op(MAC8_WLOAD, MAC8_W_SETUP, base, row_words);
    if (aligned4(src)) {   /* the rows are contiguous: one fetch for them all */
        if (rows > 0) fetch_weights((const uint32_t *)src, rows * row_words);
        return;
    }
    for (int32_t i = 0; i < rows * row_words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, load_word(src + 4 * i), 0);
}

/* The same with zeros in lanes rows..7, for kernels that store every lane's output. */
static inline void load_block(const int8_t *src, int32_t row_words, int32_t rows, int32_t base) {
    load_rows(src, row_words, rows, base);
    for (int32_t i = rows * row_words; i < LANES * row_words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, 0, 0);
}

/* Outputs are read one commit late, so the requantizer finishes a block while the CPU streams
 * the next one. The queue is a small value the eval loops keep in registers: passing it by
 * value (not through a pointer) keeps the compiler from spilling it around every output store,
 * which may alias anything. */
typedef struct {
    int8_t *dst;     /* outputs of the last commit, not yet read; NULL if none */
    int32_t n;
    unsigned slot;   /* output slot the next commit goes to (0 after MAC8_CLEAR) */
} output_queue;

static inline void store_outputs(int8_t *dst, int32_t n, unsigned slot) {
#if MAC8_LANES == 8
    const uint32_t lo = mac8_op(MAC8_READ, 0, slot << 1, 0);
    if (n == LANES && aligned4(dst)) {
        const uint32_t hi = mac8_op(MAC8_READ, 0, (slot << 1) | 1, 0);
        ((uint32_t *)dst)[0] = lo;
        ((uint32_t *)dst)[1] = hi;
        return;
    }
    uint32_t word = lo;
    for (int32_t i = 0; i < n; i++) {
        if (i == 4) word = mac8_op(MAC8_READ, 0, (slot << 1) | 1, 0);
        dst[i] = (int8_t)(word >> (8 * (i & 3)));
    }
#else
    const uint32_t sel = slot * MAC8_SLOT_SEL;
    if (n == LANES && aligned4(dst)) {   /* whole words: a store per word, not per byte */
        for (int32_t w = 0; w < LANES / 4; w++) ((uint32_t *)dst)[w] = mac8_op(MAC8_READ, 0, sel | (uint32_t)w, 0);
        return;
    }
    uint32_t word = mac8_op(MAC8_READ, 0, sel, 0);
    for (int32_t i = 0; i < n; i++) {
        if (i && (i & 3) == 0) word = mac8_op(MAC8_READ, 0, sel | (uint32_t)(i >> 2), 0);
        dst[i] = (int8_t)(word >> (8 * (i & 3)));
    }
#endif
}

static inline output_queue commit(output_queue q, int8_t *dst, int32_t n) {
    mac8_op(MAC8_MAC, MAC8_NOMAC | MAC8_COMMIT, 0, 0);
    if (q.dst) store_outputs(q.dst, q.n, q.slot ^ 1);
    q.dst = dst;
    q.n = n;
    q.slot ^= 1;
    return q;
}

static inline void flush(output_queue q) {
    if (q.dst) store_outputs(q.dst, q.n, q.slot ^ 1);
}

/* A queue for a layer that began with MAC8_CLEAR. */
static inline output_queue new_queue(void) {
    output_queue q = {NULL, 0, 0};
    return q;
}

/* The fast queue, for layers whose every block has 8 outputs at a word-aligned address: the
 * reads and stores of the previous commit's outputs need no tests then. Before the first
 * commit the "previous" outputs are slot 1's leftovers, read into a scratch word pair. */
typedef struct {
    int8_t *prev;     /* where the previous commit's 8 outputs go */
    uint32_t sel;     /* READ operand of its first word: 2 * its slot */
} fast_queue;

static uint32_t discarded_outputs[MAC8_LANES / 4];

static inline fast_queue new_fast_queue(void) {
    fast_queue f = {(int8_t *)discarded_outputs, MAC8_SLOT_SEL};
    return f;
}

#if MAC8_LANES == 8
/* The 8-lane forms as measured (README.md); the others below are the same for any lanes. */
static inline void store_previous(fast_queue f) {
    const uint32_t lo = mac8_op(MAC8_READ, 0, f.sel, 0);
    const uint32_t hi = mac8_op(MAC8_READ, 0, f.sel | 1, 0);
    ((uint32_t *)f.prev)[0] = lo;
    ((uint32_t *)f.prev)[1] = hi;
}

static inline fast_queue commit_fast(fast_queue f, int8_t *dst) {
    mac8_op(MAC8_MAC, MAC8_NOMAC | MAC8_COMMIT, 0, 0);
    store_previous(f);
    f.prev = dst;
    f.sel ^= 2;
    return f;
}
#else
/* `words` words (4 outputs each) of the previous commit (a constant after inlining). */
static inline void store_previous_words(fast_queue f, int32_t words) {
    for (int32_t i = 0; i < words; i++) ((uint32_t *)f.prev)[i] = mac8_op(MAC8_READ, 0, f.sel | (uint32_t)i, 0);
}

static inline void store_previous(fast_queue f) { store_previous_words(f, LANES / 4); }

static inline fast_queue commit_fast_words(fast_queue f, int8_t *dst, int32_t words) {
    mac8_op(MAC8_MAC, MAC8_NOMAC | MAC8_COMMIT, 0, 0);
    store_previous_words(f, words);
    f.prev = dst;
    f.sel ^= MAC8_SLOT_SEL;
    return f;
}

static inline fast_queue commit_fast(fast_queue f, int8_t *dst) {
    return commit_fast_words(f, dst, LANES / 4);
}
#endif

/* The same for depthwise blocks, whose outputs are the first DW_LANES lanes of a block. */
#if DW_LANES == MAC8_LANES
#define store_previous_dw store_previous
#define commit_fast_dw commit_fast
#else
static inline void store_previous_dw(fast_queue f) { store_previous_words(f, DW_LANES / 4); }
static inline fast_queue commit_fast_dw(fast_queue f, int8_t *dst) {
    return commit_fast_words(f, dst, DW_LANES / 4);
}
#endif

#if defined(__riscv) && !defined(MAC8_EMULATED)
/* One block of one output pixel, start to end, in one asm block (compiled C spent several
 * times the CFU's own cycles on loop bookkeeping and spills): SETPTR, `rows` rows of `run`
 * words `row_bytes` apart as MAC CONV, COMMIT, then the previous commit's outputs read and
 * stored. Eight words per step, then four, then one at a time; each step's loads are
 * separated from its MACs by two other instructions so the CFU instruction never waits for a
 * load (VexRiscv holds a CFU instruction while a load, store or branch is in a later stage).
 * rows and run are >= 1. */
static inline __attribute__((always_inline)) void conv_block_fast(
    const int8_t *src, int32_t rows, int32_t run, int32_t row_bytes, uint32_t ptr, uint32_t block,
    int8_t *prev, uint32_t sel) {
    __asm__ volatile(
        ".insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
        "1:\n"
        "  mv t5, %[src]\n"
        "  srli t6, %[run], 3\n"
        "  beqz t6, 3f\n"
        "2:\n"
        "  lw t0, 0(t5)\n  lw t1, 4(t5)\n  lw t2, 8(t5)\n  lw t3, 12(t5)\n"
        "  lw t4, 16(t5)\n  lw a5, 20(t5)\n  lw a6, 24(t5)\n  lw a7, 28(t5)\n"
        "  addi t5, t5, 32\n  addi t6, t6, -1\n"
        "  .insn r 0x0B, 0, 0, x0, t0, x0\n  .insn r 0x0B, 0, 0, x0, t1, x0\n"
        "  .insn r 0x0B, 0, 0, x0, t2, x0\n  .insn r 0x0B, 0, 0, x0, t3, x0\n"
        "  .insn r 0x0B, 0, 0, x0, t4, x0\n  .insn r 0x0B, 0, 0, x0, a5, x0\n"
        "  .insn r 0x0B, 0, 0, x0, a6, x0\n  .insn r 0x0B, 0, 0, x0, a7, x0\n"
        "  bnez t6, 2b\n"
        "3:\n"
        "  andi t6, %[run], 4\n"
        "  beqz t6, 6f\n"
        "  lw t0, 0(t5)\n  lw t1, 4(t5)\n  lw t2, 8(t5)\n  lw t3, 12(t5)\n"
        "  addi t5, t5, 16\n  nop\n"
        "  .insn r 0x0B, 0, 0, x0, t0, x0\n  .insn r 0x0B, 0, 0, x0, t1, x0\n"
        "  .insn r 0x0B, 0, 0, x0, t2, x0\n  .insn r 0x0B, 0, 0, x0, t3, x0\n"
        "6:\n"
        "  andi t6, %[run], 3\n"
        "  beqz t6, 5f\n"
        "4:\n"
        "  lw t0, 0(t5)\n  addi t5, t5, 4\n  addi t6, t6, -1\n"
        "  .insn r 0x0B, 0, 0, x0, t0, x0\n"
        "  bnez t6, 4b\n"
        "5:\n"
        "  add %[src], %[src], %[row_bytes]\n"
        "  addi %[rows], %[rows], -1\n"
        "  bnez %[rows], 1b\n"
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        MAC8_READ_TAIL("t0", "t1", "%[sel]", "%[prev]")
        : [src] "+r"(src), [rows] "+r"(rows)
        : [run] "r"(run), [row_bytes] "r"(row_bytes), [ptr] "r"(ptr), [block] "r"(block),
          [prev] "r"(prev), [sel] "r"(sel)
        : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a5", "a6", "a7", "memory");
}

/* The same for a depthwise group of 8 channels over a whole 3x3 window. */
static inline __attribute__((always_inline)) void dw3x3_block_fast(
    const int8_t *px, int32_t C, int32_t row_bytes, uint32_t ptr, uint32_t block, int8_t *prev,
    uint32_t sel) {
    /* Unrolled and software-pipelined: rows 0 and 1 are loaded before row 0's MACs, row 2
     * before row 1's; the address steps sit between the last load and the first MAC (a CFU
     * instruction waits while a load is in the memory or write-back stage). */
    __asm__ volatile(
        ".insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
        "  add t5, %[px], %[C]\n  add t6, t5, %[C]\n"
        "  lw t0, 0(%[px])\n  lw t1, 4(%[px])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n  lw t4, 0(t6)\n  lw a2, 4(t6)\n"
        "  add %[px], %[px], %[row_bytes]\n  add t5, t5, %[row_bytes]\n  add t6, t6, %[row_bytes]\n"
        "  lw a3, 0(%[px])\n  lw a4, 4(%[px])\n  lw a5, 0(t5)\n  lw a6, 4(t5)\n  lw a7, 0(t6)\n  lw a1, 4(t6)\n"
        "  add %[px], %[px], %[row_bytes]\n  add t5, t5, %[row_bytes]\n  add t6, t6, %[row_bytes]\n"
        "  .insn r 0x0B, 0, 1, x0, t0, t1\n"
        "  .insn r 0x0B, 0, 1, x0, t2, t3\n"
        "  .insn r 0x0B, 0, 1, x0, t4, a2\n"
        "  lw t0, 0(%[px])\n  lw t1, 4(%[px])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n  lw t4, 0(t6)\n  lw a2, 4(t6)\n"
#if MAC8_DW_LANES == 8
        "  ori t5, %[sel], 1\n"   /* t5, t6 are free once row 2 is loaded */
#else
        "  nop\n"
#endif
        "  .insn r 0x0B, 0, 1, x0, a3, a4\n"
        "  .insn r 0x0B, 0, 1, x0, a5, a6\n"
        "  .insn r 0x0B, 0, 1, x0, a7, a1\n"
        "  .insn r 0x0B, 0, 1, x0, t0, t1\n"
        "  .insn r 0x0B, 0, 1, x0, t2, t3\n"
        "  .insn r 0x0B, 0, 1, x0, t4, a2\n"
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        "  .insn r 0x0B, 3, 0, t0, %[sel], x0\n"
#if MAC8_DW_LANES == 8
        "  .insn r 0x0B, 3, 0, t1, t5, x0\n"
        "  sw t0, 0(%[prev])\n  sw t1, 4(%[prev])\n"
#else
        "  sw t0, 0(%[prev])\n"
#endif
        : [px] "+r"(px)
        : [C] "r"(C), [row_bytes] "r"(row_bytes), [ptr] "r"(ptr), [block] "r"(block),
          [prev] "r"(prev), [sel] "r"(sel)
        : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "memory");
}

/* A depthwise group over a 3x3 window at the image's edge, all 9 taps MACed: rows outside
 * the image come from a row of padding bytes (rN points into it), a column outside it takes
 * the padding word z (each byte the value that makes input + input_offset zero, so the MAC
 * adds nothing). One weight pointer for the whole window, unlike dw_clipped_block_fast's
 * SETPTR per row, and no branches. rN points at the row's first loaded tap. */
#define MAC8_DW_MAC(lo, hi) "  .insn r 0x0B, 0, 1, x0, " lo ", " hi "\n"
/* Two loaded taps per row (at rN and rN + C), the padding column first or last. */
#define MAC8_DW_ROW_PAD_LEFT(a, b, c, d) MAC8_DW_MAC("%[z]", "%[z]") MAC8_DW_MAC(a, b) MAC8_DW_MAC(c, d)
#define MAC8_DW_ROW_PAD_RIGHT(a, b, c, d) MAC8_DW_MAC(a, b) MAC8_DW_MAC(c, d) MAC8_DW_MAC("%[z]", "%[z]")
#define MAC8_DW_EDGE2_BLOCK(ROW)                                                                    \
    __asm__ volatile(                                                                              \
        ".insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"                                               \
        "  add t5, %[r0], %[C]\n  add t6, %[r1], %[C]\n"                                           \
        "  lw t0, 0(%[r0])\n  lw t1, 4(%[r0])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n"                   \
        "  lw t4, 0(%[r1])\n  lw a1, 4(%[r1])\n  lw a2, 0(t6)\n  lw a3, 4(t6)\n"                   \
        "  add t5, %[r2], %[C]\n  nop\n"                                                           \
        ROW("t0", "t1", "t2", "t3") ROW("t4", "a1", "a2", "a3")                                    \
        "  lw t0, 0(%[r2])\n  lw t1, 4(%[r2])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n"                   \
        ROW("t0", "t1", "t2", "t3")                                                                \
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"                                                       \
        MAC8_DW_READ_TAIL("t0", "t1", "%[sel]", "%[prev]")                                         \
        :                                                                                          \
        : [r0] "r"(r0), [r1] "r"(r1), [r2] "r"(r2), [C] "r"(C), [z] "r"(z), [ptr] "r"(ptr),       \
          [block] "r"(block), [prev] "r"(prev), [sel] "r"(sel)                                     \
        : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "memory")

static inline __attribute__((always_inline)) void dw_edge_block_pad_left(
    const int8_t *r0, const int8_t *r1, const int8_t *r2, int32_t C, uint32_t z, uint32_t ptr,
    uint32_t block, int8_t *prev, uint32_t sel) {
    MAC8_DW_EDGE2_BLOCK(MAC8_DW_ROW_PAD_LEFT);
}

static inline __attribute__((always_inline)) void dw_edge_block_pad_right(
    const int8_t *r0, const int8_t *r1, const int8_t *r2, int32_t C, uint32_t z, uint32_t ptr,
    uint32_t block, int8_t *prev, uint32_t sel) {
    MAC8_DW_EDGE2_BLOCK(MAC8_DW_ROW_PAD_RIGHT);
}

/* Three loaded taps per row (at rN, rN + C, rN + 2C): a window clipped only at the top or
 * bottom. */
static inline __attribute__((always_inline)) void dw_edge_block_rows(
    const int8_t *r0, const int8_t *r1, const int8_t *r2, int32_t C, uint32_t ptr, uint32_t block,
    int8_t *prev, uint32_t sel) {
    __asm__ volatile(
        ".insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
        "  add t5, %[r0], %[C]\n  add t6, t5, %[C]\n"
        "  lw t0, 0(%[r0])\n  lw t1, 4(%[r0])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n  lw t4, 0(t6)\n  lw a1, 4(t6)\n"
        "  add t5, %[r1], %[C]\n  add t6, t5, %[C]\n"
        MAC8_DW_MAC("t0", "t1") MAC8_DW_MAC("t2", "t3") MAC8_DW_MAC("t4", "a1")
        "  lw t0, 0(%[r1])\n  lw t1, 4(%[r1])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n  lw t4, 0(t6)\n  lw a1, 4(t6)\n"
        "  add t5, %[r2], %[C]\n  add t6, t5, %[C]\n"
        MAC8_DW_MAC("t0", "t1") MAC8_DW_MAC("t2", "t3") MAC8_DW_MAC("t4", "a1")
        "  lw t0, 0(%[r2])\n  lw t1, 4(%[r2])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n  lw t4, 0(t6)\n  lw a1, 4(t6)\n"
        MAC8_DW_MAC("t0", "t1") MAC8_DW_MAC("t2", "t3") MAC8_DW_MAC("t4", "a1")
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        MAC8_DW_READ_TAIL("t0", "t1", "%[sel]", "%[prev]")
        :
        : [r0] "r"(r0), [r1] "r"(r1), [r2] "r"(r2), [C] "r"(C), [ptr] "r"(ptr), [block] "r"(block),
          [prev] "r"(prev), [sel] "r"(sel)
        : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "memory");
}

/* A depthwise group of 8 channels over a clipped window (an edge pixel): `rows` rows of
 * `cols` taps, each row starting with a SETPTR to its first tap's weight (ptr, then k_w
 * further per row), then COMMIT and the previous commit's outputs read and stored.
 * rows and cols are >= 1. */
static inline __attribute__((always_inline)) void dw_clipped_block_fast(
    const int8_t *px, int32_t rows, int32_t cols, int32_t C, int32_t row_bytes, uint32_t ptr,
    int32_t k_w, uint32_t block, int8_t *prev, uint32_t sel) {
    if (cols == 3 || cols == 2) {
        /* a row's loads first, then its MACs: VexRiscv holds a CFU instruction while a load
         * or a branch is in a later stage */
        const int32_t third = cols == 3;
        __asm__ volatile(
            "1:\n"
            "  add t5, %[px], %[C]\n"
            "  lw t0, 0(%[px])\n  lw t1, 4(%[px])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n"
            "  add t5, t5, %[C]\n"
            "  beqz %[third], 3f\n"
            "  lw a6, 0(t5)\n  lw a7, 4(t5)\n"
            "  add %[px], %[px], %[row_bytes]\n  addi %[rows], %[rows], -1\n"
            "  .insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
            "  .insn r 0x0B, 0, 1, x0, t0, t1\n"
            "  .insn r 0x0B, 0, 1, x0, t2, t3\n"
            "  .insn r 0x0B, 0, 1, x0, a6, a7\n"
            "  add %[ptr], %[ptr], %[k_w]\n"
            "  bnez %[rows], 1b\n"
            "  j 4f\n"
            "3:\n"
            "  add %[px], %[px], %[row_bytes]\n  addi %[rows], %[rows], -1\n"
            "  .insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
            "  .insn r 0x0B, 0, 1, x0, t0, t1\n"
            "  .insn r 0x0B, 0, 1, x0, t2, t3\n"
            "  add %[ptr], %[ptr], %[k_w]\n"
            "  bnez %[rows], 1b\n"
            "4:\n"
            "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
            MAC8_DW_READ_TAIL("t0", "t1", "%[sel]", "%[prev]")
            : [px] "+r"(px), [rows] "+r"(rows), [ptr] "+r"(ptr)
            : [third] "r"(third), [C] "r"(C), [row_bytes] "r"(row_bytes), [k_w] "r"(k_w),
              [block] "r"(block), [prev] "r"(prev), [sel] "r"(sel)
            : "t0", "t1", "t2", "t3", "t5", "a6", "a7", "memory");
        return;
    }
    __asm__ volatile(
        "1:\n"
        "  .insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
        "  mv t5, %[px]\n  mv t6, %[cols]\n"
        "2:\n"
        "  lw t0, 0(t5)\n  lw t1, 4(t5)\n  add t5, t5, %[C]\n  addi t6, t6, -1\n"
        "  .insn r 0x0B, 0, 1, x0, t0, t1\n"
        "  bnez t6, 2b\n"
        "  add %[px], %[px], %[row_bytes]\n  add %[ptr], %[ptr], %[k_w]\n  addi %[rows], %[rows], -1\n"
        "  bnez %[rows], 1b\n"
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        MAC8_DW_READ_TAIL("t0", "t1", "%[sel]", "%[prev]")
        : [px] "+r"(px), [rows] "+r"(rows), [ptr] "+r"(ptr)
        : [cols] "r"(cols), [C] "r"(C), [row_bytes] "r"(row_bytes), [k_w] "r"(k_w), [block] "r"(block),
          [prev] "r"(prev), [sel] "r"(sel)
        : "t0", "t1", "t5", "t6", "memory");
}
#else
static inline void conv_block_fast(const int8_t *src, int32_t rows, int32_t run, int32_t row_bytes,
                                   uint32_t ptr, uint32_t block, int8_t *prev, uint32_t sel) {
    mac8_op(MAC8_SETPTR, 0, ptr, block);
    for (int32_t r = 0; r < rows; r++, src += row_bytes)
        for (int32_t i = 0; i < run; i++) mac8_op(MAC8_MAC, MAC8_CONV, ((const uint32_t *)src)[i], 0);
    fast_queue f = {prev, sel};
    commit_fast(f, NULL);
}

static inline void dw3x3_block_fast(const int8_t *px, int32_t C, int32_t row_bytes, uint32_t ptr,
                                    uint32_t block, int8_t *prev, uint32_t sel) {
    mac8_op(MAC8_SETPTR, 0, ptr, block);
    for (int32_t r = 0; r < 3; r++, px += row_bytes)
        for (int32_t t = 0; t < 3; t++)
            mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)(px + t * C), DW_HI(px + t * C));
    fast_queue f = {prev, sel};
    commit_fast_dw(f, NULL);
}

/* The emulated padded-edge blocks: `pad` is the padding column (0 or 2; -1: none), loaded
 * taps come from rN, rN + C (and rN + 2C without a padding column). */
static inline void dw_edge_block_emulated(const int8_t *const rows[3], int32_t pad, int32_t C, uint32_t z,
                                          uint32_t ptr, uint32_t block, int8_t *prev, uint32_t sel) {
    mac8_op(MAC8_SETPTR, 0, ptr, block);
    for (int32_t r = 0; r < 3; r++)
        for (int32_t t = 0, loaded = 0; t < 3; t++) {
            if (t == pad) {
                mac8_op(MAC8_MAC, MAC8_DW, z, DW_LANES > 4 ? z : 0u);
                continue;
            }
            const int8_t *px = rows[r] + loaded++ * C;
            mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, DW_HI(px));
        }
    fast_queue f = {prev, sel};
    commit_fast_dw(f, NULL);
}

static inline void dw_edge_block_pad_left(const int8_t *r0, const int8_t *r1, const int8_t *r2, int32_t C,
                                          uint32_t z, uint32_t ptr, uint32_t block, int8_t *prev,
                                          uint32_t sel) {
    const int8_t *const rows[3] = {r0, r1, r2};
    dw_edge_block_emulated(rows, 0, C, z, ptr, block, prev, sel);
}

static inline void dw_edge_block_pad_right(const int8_t *r0, const int8_t *r1, const int8_t *r2, int32_t C,
                                           uint32_t z, uint32_t ptr, uint32_t block, int8_t *prev,
                                           uint32_t sel) {
    const int8_t *const rows[3] = {r0, r1, r2};
    dw_edge_block_emulated(rows, 2, C, z, ptr, block, prev, sel);
}

static inline void dw_edge_block_rows(const int8_t *r0, const int8_t *r1, const int8_t *r2, int32_t C,
                                      uint32_t ptr, uint32_t block, int8_t *prev, uint32_t sel) {
    const int8_t *const rows[3] = {r0, r1, r2};
    dw_edge_block_emulated(rows, -1, C, 0, ptr, block, prev, sel);
}

static inline void dw_clipped_block_fast(const int8_t *px, int32_t rows, int32_t cols, int32_t C,
                                         int32_t row_bytes, uint32_t ptr, int32_t k_w, uint32_t block,
                                         int8_t *prev, uint32_t sel) {
    for (int32_t r = 0; r < rows; r++, px += row_bytes, ptr += (uint32_t)k_w) {
        mac8_op(MAC8_SETPTR, 0, ptr, block);
        for (int32_t n = 0; n < cols; n++)
            mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)(px + n * C), DW_HI(px + n * C));
    }
    fast_queue f = {prev, sel};
    commit_fast_dw(f, NULL);
}
#endif

/* Output pixels of a convolution whose window is one run of 2, 4, 8, 16 or 32 contiguous
 * input words (a 1x1 convolution of 8 to 128 channels): each pixel's words are loaded into registers
 * once and streamed to every block's MACs, instead of reloading them for each block. One
 * asm block runs all `pixels` (>= 1), reading the layer's constants from cfg. */
typedef struct {
    int32_t nb, b0, row_words, pixel_step, skip; /* skip: output bytes after a pixel's blocks */
    int32_t row_bytes;                           /* conv_pixels_rows: input bytes between rows */
} held_run;

#if defined(__riscv) && !defined(MAC8_EMULATED)
/* Each pixel's WORDS words are loaded once into registers (LOADS), then every block takes
 * them: SETPTR, MACS, COMMIT, the previous commit's outputs read and stored. A block's
 * buffer rows are WORDS long (k_h = 1, or the 3x3 window's 9), so the pointer steps by an
 * immediate rather than a load, and no SETPTR waits on a just-computed operand. */
#define MAC8_HELD_LW(reg, offset) "  lw " reg ", " offset "(%[src])\n"
#define MAC8_HELD_PIXELS(WORDS, LOADS, MACS, ...)                                                   \
    int8_t *prev = *prev_io;                                                                       \
    uint32_t sel = *sel_io;                                                                        \
    int32_t j, ptr, block, t0, t1;                                                                 \
    __asm__ volatile(                                                                              \
        "2:\n" LOADS                                                                               \
        "  lw %[j], 0(%[cfg])\n  lw %[block], 4(%[cfg])\n  li %[ptr], 0\n"                         \
        "1:\n"                                                                                     \
        "  .insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n" MACS                                        \
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"                                                       \
        "  addi %[ptr], %[ptr], " #WORDS "\n  addi %[block], %[block], 1\n"                        \
        MAC8_READ_TAIL("%[t0]", "%[t1]", "%[sel]", "%[prev]")                                      \
        "  mv %[prev], %[out]\n" MAC8_NEXT_BLOCK_TEXT("%[out]", "%[sel]")                          \
        "  addi %[j], %[j], -1\n  bnez %[j], 1b\n"                                                 \
        "  lw %[t0], 16(%[cfg])\n  lw %[t1], 12(%[cfg])\n  addi %[pixels], %[pixels], -1\n"        \
        "  add %[out], %[out], %[t0]\n  add %[src], %[src], %[t1]\n  bnez %[pixels], 2b\n"         \
        : [src] "+r"(src), [pixels] "+r"(pixels), [out] "+r"(out), [prev] "+r"(prev), [sel] "+r"(sel), \
          [j] "=&r"(j), [ptr] "=&r"(ptr), [block] "=&r"(block), [t0] "=&r"(t0), [t1] "=&r"(t1)     \
        : [cfg] "r"(cfg)                                                                           \
        : __VA_ARGS__, "memory");                                                                  \
    *prev_io = prev;                                                                               \
    *sel_io = sel

static inline __attribute__((always_inline)) void conv_pixels_held16(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    MAC8_HELD_PIXELS(16, MAC8_HELD_LW("s0", "0") MAC8_HELD_LW("s1", "4") MAC8_HELD_LW("s2", "8") MAC8_HELD_LW("s3", "12")
                     MAC8_HELD_LW("s4", "16") MAC8_HELD_LW("s5", "20") MAC8_HELD_LW("s6", "24") MAC8_HELD_LW("s7", "28")
                     MAC8_HELD_LW("s8", "32") MAC8_HELD_LW("s9", "36") MAC8_HELD_LW("s10", "40") MAC8_HELD_LW("s11", "44")
                     MAC8_HELD_LW("t3", "48") MAC8_HELD_LW("t4", "52") MAC8_HELD_LW("t5", "56") MAC8_HELD_LW("t6", "60"),
                     MAC8_CONV_INSN("s0") MAC8_CONV_INSN("s1") MAC8_CONV_INSN("s2") MAC8_CONV_INSN("s3")
                     MAC8_CONV_INSN("s4") MAC8_CONV_INSN("s5") MAC8_CONV_INSN("s6") MAC8_CONV_INSN("s7")
                     MAC8_CONV_INSN("s8") MAC8_CONV_INSN("s9") MAC8_CONV_INSN("s10") MAC8_CONV_INSN("s11")
                     MAC8_CONV_INSN("t3") MAC8_CONV_INSN("t4") MAC8_CONV_INSN("t5") MAC8_CONV_INSN("t6"),
                     "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6");
}
static inline __attribute__((always_inline)) void conv_pixels_held8(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    MAC8_HELD_PIXELS(8, MAC8_HELD_LW("s0", "0") MAC8_HELD_LW("s1", "4") MAC8_HELD_LW("s2", "8") MAC8_HELD_LW("s3", "12")
                     MAC8_HELD_LW("s4", "16") MAC8_HELD_LW("s5", "20") MAC8_HELD_LW("s6", "24") MAC8_HELD_LW("s7", "28"),
                     MAC8_CONV_INSN("s0") MAC8_CONV_INSN("s1") MAC8_CONV_INSN("s2") MAC8_CONV_INSN("s3")
                     MAC8_CONV_INSN("s4") MAC8_CONV_INSN("s5") MAC8_CONV_INSN("s6") MAC8_CONV_INSN("s7"),
                     "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7");
}
static inline __attribute__((always_inline)) void conv_pixels_held4(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    MAC8_HELD_PIXELS(4, MAC8_HELD_LW("s0", "0") MAC8_HELD_LW("s1", "4") MAC8_HELD_LW("s2", "8") MAC8_HELD_LW("s3", "12"),
                     MAC8_CONV_INSN("s0") MAC8_CONV_INSN("s1") MAC8_CONV_INSN("s2") MAC8_CONV_INSN("s3"),
                     "s0", "s1", "s2", "s3");
}
static inline __attribute__((always_inline)) void conv_pixels_held2(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    MAC8_HELD_PIXELS(2, MAC8_HELD_LW("s0", "0") MAC8_HELD_LW("s1", "4"),
                     MAC8_CONV_INSN("s0") MAC8_CONV_INSN("s1"),
                     "s0", "s1");
}
/* A 32-word pixel (128 channels) has more words than free registers: words 4g and 4g+1 are
 * held, 4g+2 and 4g+3 loaded again for each block, two instructions before their MACs so
 * that no MAC waits on a load; MACs keep the words' order, which is the weights'. */
#define MAC8_HELD_PAIR(ra, rb, oa, ob) MAC8_HELD_LW(ra, oa) MAC8_HELD_LW(rb, ob)
/* Words 4g..4g+3: two held (ra, rb), two loaded (at byte offsets oc, od) before their MACs. */
#define MAC8_HALF_HELD_GROUP(ra, rb, oc, od)                                                        \
    "  lw %[t0], " oc "(%[src])\n  lw %[t1], " od "(%[src])\n"                                       \
    MAC8_CONV_INSN(ra) MAC8_CONV_INSN(rb) MAC8_CONV_INSN("%[t0]") MAC8_CONV_INSN("%[t1]")
static inline __attribute__((always_inline)) void conv_pixels_held32(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    MAC8_HELD_PIXELS(32, MAC8_HELD_PAIR("s0", "s1", "0", "4") MAC8_HELD_PAIR("s2", "s3", "16", "20")
                     MAC8_HELD_PAIR("s4", "s5", "32", "36") MAC8_HELD_PAIR("s6", "s7", "48", "52")
                     MAC8_HELD_PAIR("s8", "s9", "64", "68") MAC8_HELD_PAIR("s10", "s11", "80", "84")
                     MAC8_HELD_PAIR("t3", "t4", "96", "100") MAC8_HELD_PAIR("t5", "t6", "112", "116"),
                     MAC8_HALF_HELD_GROUP("s0", "s1", "8", "12")
                     MAC8_HALF_HELD_GROUP("s2", "s3", "24", "28")
                     MAC8_HALF_HELD_GROUP("s4", "s5", "40", "44")
                     MAC8_HALF_HELD_GROUP("s6", "s7", "56", "60")
                     MAC8_HALF_HELD_GROUP("s8", "s9", "72", "76")
                     MAC8_HALF_HELD_GROUP("s10", "s11", "88", "92")
                     MAC8_HALF_HELD_GROUP("t3", "t4", "104", "108")
                     MAC8_HALF_HELD_GROUP("t5", "t6", "120", "124"),
                     "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6");
}
/* A 3x3 window of one word per tap (the widened 3-channel first layers): three rows of three
 * words, cfg->row_bytes apart. */
static inline __attribute__((always_inline)) void conv_pixels_held3x3(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    MAC8_HELD_PIXELS(9, "  lw %[t1], 20(%[cfg])\n"
                     MAC8_HELD_LW("s0", "0") MAC8_HELD_LW("s1", "4") MAC8_HELD_LW("s2", "8")
                     "  add %[t0], %[src], %[t1]\n"
                     "  lw s3, 0(%[t0])\n  lw s4, 4(%[t0])\n  lw s5, 8(%[t0])\n  add %[t0], %[t0], %[t1]\n"
                     "  lw s6, 0(%[t0])\n  lw s7, 4(%[t0])\n  lw s8, 8(%[t0])\n",
                     MAC8_CONV_INSN("s0") MAC8_CONV_INSN("s1") MAC8_CONV_INSN("s2") MAC8_CONV_INSN("s3")
                     MAC8_CONV_INSN("s4") MAC8_CONV_INSN("s5") MAC8_CONV_INSN("s6") MAC8_CONV_INSN("s7")
                     MAC8_CONV_INSN("s8"),
                     "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8");
}
#else
/* rows of `words` words, cfg->row_bytes apart */
static inline void conv_pixels_held(const held_run *cfg, int32_t rows, int32_t words, const int8_t *src,
                                    int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    fast_queue f = {*prev_io, *sel_io};
    for (; pixels > 0; pixels--, src += cfg->pixel_step, out += cfg->skip) {
        for (int32_t j = 0; j < cfg->nb; j++, out += LANES) {
            mac8_op(MAC8_SETPTR, 0, j * cfg->row_words, cfg->b0 + j);
            for (int32_t r = 0; r < rows; r++)
                for (int32_t i = 0; i < words; i++)
                    mac8_op(MAC8_MAC, MAC8_CONV, ((const uint32_t *)(src + r * cfg->row_bytes))[i], 0);
            f = commit_fast(f, out);
        }
    }
    *prev_io = f.prev;
    *sel_io = f.sel;
}
#define conv_pixels_held32(cfg, src, pixels, out, prev, sel) conv_pixels_held(cfg, 1, 32, src, pixels, out, prev, sel)
#define conv_pixels_held16(cfg, src, pixels, out, prev, sel) conv_pixels_held(cfg, 1, 16, src, pixels, out, prev, sel)
#define conv_pixels_held8(cfg, src, pixels, out, prev, sel) conv_pixels_held(cfg, 1, 8, src, pixels, out, prev, sel)
#define conv_pixels_held4(cfg, src, pixels, out, prev, sel) conv_pixels_held(cfg, 1, 4, src, pixels, out, prev, sel)
#define conv_pixels_held2(cfg, src, pixels, out, prev, sel) conv_pixels_held(cfg, 1, 2, src, pixels, out, prev, sel)
#define conv_pixels_held3x3(cfg, src, pixels, out, prev, sel) conv_pixels_held(cfg, 3, 3, src, pixels, out, prev, sel)
#endif

/* The same for a window of `n` rows of one word each at any alignment (few-channel layers
 * whose kernel row is at most 4 bytes, like KWS's 10x4x1 first layer): each row's word is
 * assembled from two aligned loads with shifts, straight into a register, so no patch is
 * stored (every store is a bus write). Rows are cfg->row_bytes apart, a multiple of 4. */
#if defined(__riscv) && !defined(MAC8_EMULATED)
#define MAC8_HELD_ROWS_MAX 12
static inline __attribute__((always_inline)) void conv_pixels_rows3(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    int8_t *prev = *prev_io;
    uint32_t sel = *sel_io;
    const int32_t rb = cfg->row_bytes;
    uint32_t x0, x1, x2, x3, x4;
    __asm__ volatile(
        "2:\n"
        "  andi %[x3], %[src], 3\n  sub %[x2], %[src], %[x3]\n  slli %[x3], %[x3], 3\n"
        "  li %[x4], 31\n  sub %[x4], %[x4], %[x3]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s0, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s1, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s2, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x2], 0(%[cfg])\n  lw %[x4], 4(%[cfg])\n  li %[x3], 0\n"
        "1:\n"
        "  .insn r 0x0B, 1, 0, x0, %[x3], %[x4]\n"
        ".insn r 0x0B, 0, 0, x0, s0, x0\n"
        ".insn r 0x0B, 0, 0, x0, s1, x0\n"
        ".insn r 0x0B, 0, 0, x0, s2, x0\n"
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        MAC8_READ_TAIL("%[x0]", "%[x1]", "%[sel]", "%[prev]")
        "  mv %[prev], %[out]\n" MAC8_NEXT_BLOCK_TEXT("%[out]", "%[sel]")
        "  lw %[x0], 8(%[cfg])\n  addi %[x4], %[x4], 1\n  add %[x3], %[x3], %[x0]\n"
        "  addi %[x2], %[x2], -1\n  bnez %[x2], 1b\n"
        "  lw %[x0], 16(%[cfg])\n  lw %[x1], 12(%[cfg])\n  add %[out], %[out], %[x0]\n"
        "  add %[src], %[src], %[x1]\n  addi %[pixels], %[pixels], -1\n  bnez %[pixels], 2b\n"
        : [src] "+r"(src), [pixels] "+r"(pixels), [out] "+r"(out), [prev] "+r"(prev), [sel] "+r"(sel),
          [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [x4] "=&r"(x4)
        : [cfg] "r"(cfg), [rb] "r"(rb)
        : "s0", "s1", "s2", "memory");
    *prev_io = prev;
    *sel_io = sel;
}
static inline __attribute__((always_inline)) void conv_pixels_rows5(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    int8_t *prev = *prev_io;
    uint32_t sel = *sel_io;
    const int32_t rb = cfg->row_bytes;
    uint32_t x0, x1, x2, x3, x4;
    __asm__ volatile(
        "2:\n"
        "  andi %[x3], %[src], 3\n  sub %[x2], %[src], %[x3]\n  slli %[x3], %[x3], 3\n"
        "  li %[x4], 31\n  sub %[x4], %[x4], %[x3]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s0, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s1, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s2, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s3, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s4, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x2], 0(%[cfg])\n  lw %[x4], 4(%[cfg])\n  li %[x3], 0\n"
        "1:\n"
        "  .insn r 0x0B, 1, 0, x0, %[x3], %[x4]\n"
        ".insn r 0x0B, 0, 0, x0, s0, x0\n"
        ".insn r 0x0B, 0, 0, x0, s1, x0\n"
        ".insn r 0x0B, 0, 0, x0, s2, x0\n"
        ".insn r 0x0B, 0, 0, x0, s3, x0\n"
        ".insn r 0x0B, 0, 0, x0, s4, x0\n"
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        MAC8_READ_TAIL("%[x0]", "%[x1]", "%[sel]", "%[prev]")
        "  mv %[prev], %[out]\n" MAC8_NEXT_BLOCK_TEXT("%[out]", "%[sel]")
        "  lw %[x0], 8(%[cfg])\n  addi %[x4], %[x4], 1\n  add %[x3], %[x3], %[x0]\n"
        "  addi %[x2], %[x2], -1\n  bnez %[x2], 1b\n"
        "  lw %[x0], 16(%[cfg])\n  lw %[x1], 12(%[cfg])\n  add %[out], %[out], %[x0]\n"
        "  add %[src], %[src], %[x1]\n  addi %[pixels], %[pixels], -1\n  bnez %[pixels], 2b\n"
        : [src] "+r"(src), [pixels] "+r"(pixels), [out] "+r"(out), [prev] "+r"(prev), [sel] "+r"(sel),
          [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [x4] "=&r"(x4)
        : [cfg] "r"(cfg), [rb] "r"(rb)
        : "s0", "s1", "s2", "s3", "s4", "memory");
    *prev_io = prev;
    *sel_io = sel;
}
static inline __attribute__((always_inline)) void conv_pixels_rows10(
    const held_run *cfg, const int8_t *src, int32_t pixels, int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    int8_t *prev = *prev_io;
    uint32_t sel = *sel_io;
    const int32_t rb = cfg->row_bytes;
    uint32_t x0, x1, x2, x3, x4;
    __asm__ volatile(
        "2:\n"
        "  andi %[x3], %[src], 3\n  sub %[x2], %[src], %[x3]\n  slli %[x3], %[x3], 3\n"
        "  li %[x4], 31\n  sub %[x4], %[x4], %[x3]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s0, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s1, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s2, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s3, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s4, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s5, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s6, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s7, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s8, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x0], 0(%[x2])\n  lw %[x1], 4(%[x2])\n  srl %[x0], %[x0], %[x3]\n  sll %[x1], %[x1], %[x4]\n  slli %[x1], %[x1], 1\n  or s9, %[x0], %[x1]\n  add %[x2], %[x2], %[rb]\n"
        "  lw %[x2], 0(%[cfg])\n  lw %[x4], 4(%[cfg])\n  li %[x3], 0\n"
        "1:\n"
        "  .insn r 0x0B, 1, 0, x0, %[x3], %[x4]\n"
        ".insn r 0x0B, 0, 0, x0, s0, x0\n"
        ".insn r 0x0B, 0, 0, x0, s1, x0\n"
        ".insn r 0x0B, 0, 0, x0, s2, x0\n"
        ".insn r 0x0B, 0, 0, x0, s3, x0\n"
        ".insn r 0x0B, 0, 0, x0, s4, x0\n"
        ".insn r 0x0B, 0, 0, x0, s5, x0\n"
        ".insn r 0x0B, 0, 0, x0, s6, x0\n"
        ".insn r 0x0B, 0, 0, x0, s7, x0\n"
        ".insn r 0x0B, 0, 0, x0, s8, x0\n"
        ".insn r 0x0B, 0, 0, x0, s9, x0\n"
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        MAC8_READ_TAIL("%[x0]", "%[x1]", "%[sel]", "%[prev]")
        "  mv %[prev], %[out]\n" MAC8_NEXT_BLOCK_TEXT("%[out]", "%[sel]")
        "  lw %[x0], 8(%[cfg])\n  addi %[x4], %[x4], 1\n  add %[x3], %[x3], %[x0]\n"
        "  addi %[x2], %[x2], -1\n  bnez %[x2], 1b\n"
        "  lw %[x0], 16(%[cfg])\n  lw %[x1], 12(%[cfg])\n  add %[out], %[out], %[x0]\n"
        "  add %[src], %[src], %[x1]\n  addi %[pixels], %[pixels], -1\n  bnez %[pixels], 2b\n"
        : [src] "+r"(src), [pixels] "+r"(pixels), [out] "+r"(out), [prev] "+r"(prev), [sel] "+r"(sel),
          [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [x4] "=&r"(x4)
        : [cfg] "r"(cfg), [rb] "r"(rb)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "memory");
    *prev_io = prev;
    *sel_io = sel;
}
static inline bool conv_pixels_rows(int32_t n, const held_run *cfg, const int8_t *src, int32_t pixels,
                                    int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    switch (n) {
    case 3: conv_pixels_rows3(cfg, src, pixels, out, prev_io, sel_io); return true;
    case 5: conv_pixels_rows5(cfg, src, pixels, out, prev_io, sel_io); return true;
    case 10: conv_pixels_rows10(cfg, src, pixels, out, prev_io, sel_io); return true;
    default: return false;
    }
}
#else
static inline bool conv_pixels_rows(int32_t n, const held_run *cfg, const int8_t *src, int32_t pixels,
                                    int8_t *out, int8_t **prev_io, uint32_t *sel_io) {
    if (n != 3 && n != 5 && n != 10) return false;
    fast_queue f = {*prev_io, *sel_io};
    for (; pixels > 0; pixels--, src += cfg->pixel_step, out += cfg->skip) {
        uint32_t words[10];
        for (int32_t r = 0; r < n; r++) {
            const int8_t *row = src + r * cfg->row_bytes;
            const unsigned mis = (uintptr_t)row & 3;
            const uint32_t *w = (const uint32_t *)(row - mis);
            words[r] = mis ? (w[0] >> (8 * mis)) | (w[1] << (32 - 8 * mis)) : w[0];
        }
        for (int32_t j = 0; j < cfg->nb; j++, out += LANES) {
            mac8_op(MAC8_SETPTR, 0, j * cfg->row_words, cfg->b0 + j);
            for (int32_t r = 0; r < n; r++) mac8_op(MAC8_MAC, MAC8_CONV, words[r], 0);
            f = commit_fast(f, out);
        }
    }
    *prev_io = f.prev;
    *sel_io = f.sel;
    return true;
}
#endif

/* VexRiscv stalls an instruction that uses a load's result in the very next cycle. Issuing
 * a group of loads before the CFU instructions that consume them avoids it; this empty asm
 * "uses" the loaded values at one point, so the compiler cannot sink the loads back down
 * next to their consumers. */
#if defined(__riscv)
#define LOADS_DONE4(a, b, c, d) __asm__ volatile("" ::"r"(a), "r"(b), "r"(c), "r"(d))
#else
#define LOADS_DONE4(a, b, c, d) ((void)0)
#endif

#if defined(__riscv) && !defined(MAC8_EMULATED)
/* Eight words, loaded first and then fed to MAC CONV, in one asm block so the compiler can
 * neither interleave the loads with their uses nor spill around them. The CFU's result goes
 * to x0. */
#define MAC8_STREAM8(INSN, w)                                                              \
    __asm__ volatile(                                                                      \
        "lw t0, 0(%0)\n lw t1, 4(%0)\n lw t2, 8(%0)\n lw t3, 12(%0)\n"                     \
        "lw t4, 16(%0)\n lw t5, 20(%0)\n lw t6, 24(%0)\n lw a7, 28(%0)\n"                  \
        INSN("t0") INSN("t1") INSN("t2") INSN("t3") INSN("t4") INSN("t5") INSN("t6") INSN("a7") \
        : : "r"(w) : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a7", "memory")
#define MAC8_STREAM4(INSN, w)                                                              \
    __asm__ volatile(                                                                      \
        "lw t0, 0(%0)\n lw t1, 4(%0)\n lw t2, 8(%0)\n lw t3, 12(%0)\n"                     \
        INSN("t0") INSN("t1") INSN("t2") INSN("t3")                                        \
        : : "r"(w) : "t0", "t1", "t2", "t3", "memory")
static inline __attribute__((always_inline)) void stream_conv8(const uint32_t *w) {
    MAC8_STREAM8(MAC8_CONV_INSN, w);
}
static inline __attribute__((always_inline)) void stream_conv4(const uint32_t *w) {
    MAC8_STREAM4(MAC8_CONV_INSN, w);
}
#else
static inline void stream_conv8(const uint32_t *w) {
    for (int i = 0; i < 8; i++) mac8_op(MAC8_MAC, MAC8_CONV, w[i], 0);
}
static inline void stream_conv4(const uint32_t *w) {
    for (int i = 0; i < 4; i++) mac8_op(MAC8_MAC, MAC8_CONV, w[i], 0);
}
#endif

/* Inlined into the pixel loops: a call and return around every few words cost more than the
 * words themselves on this CPU. */
static inline __attribute__((always_inline)) void stream_conv(const uint32_t *w, int32_t n) {
    for (; n >= 8; n -= 8, w += 8) stream_conv8(w);
    if (n & 4) {
        stream_conv4(w);
        w += 4;
    }
    for (n &= 3; n > 0; n--) mac8_op(MAC8_MAC, MAC8_CONV, *w++, 0);
}

static inline int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }

#endif
