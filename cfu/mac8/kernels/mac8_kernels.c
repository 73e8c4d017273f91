/* CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on the mac8 CFU, through the runtime's
 * acceleration hook (firmware/runtime/cfub_accel.h).
 *
 * The weights of up to 8 output channels per block sit in the CFU's lane buffers (as many
 * blocks at once as fit in 512 words per lane); the CPU streams activation words and the CFU
 * multiplies, accumulates and requantizes. A commit's outputs are read back after the next
 * block has been streamed, so the requantizer works while the CPU streams. Every prepare()
 * declines layers the CFU cannot do exactly (the reference kernel then runs them).
 */
#include <stdbool.h>
#include <stdint.h>

#include "cfub_accel.h"
#include "cfub_string.h"
#include "mac8_cfu.h"

#ifdef MAC8_EMULATED
mac8_emu_state mac8_emulated_cfu;
#endif

#define LANES MAC8_LANES
#define DEPTH MAC8_DEPTH

/* ---- shared pieces -------------------------------------------------------------------- */

static bool aligned4(const void *p) { return ((uintptr_t)p & 3) == 0; }

static uint32_t load_word(const int8_t *p) {
    uint32_t w;
    memcpy(&w, p, 4);   /* any alignment: weights in a model need not be word aligned */
    return w;
}

/* The CFU's registers are narrower than TFLM's int32 parameters: check they fit. */
static bool quantization_fits(int32_t input_offset, int32_t output_offset, int32_t act_min,
                              int32_t act_max, const int32_t *shift, int32_t n, int32_t step) {
    if (input_offset < -256 || input_offset > 255) return false;
    if (output_offset < -32768 || output_offset > 32767) return false;
    if (act_min < -128 || act_max > 127 || act_min > act_max) return false;
    for (int32_t i = 0; i < n; i++)
        if (shift[i * step] < -31 || shift[i * step] > 31) return false;
    return true;
}

/* Channels [first, first + n) into the parameter table, at their index modulo its size. */
static void load_params(const int32_t *bias, const int32_t *mult, const int32_t *shift,
                        int32_t first, int32_t n, int32_t step) {
    for (int32_t ch = first; ch < first + n; ch++) {
        const int32_t slot = ch % MAC8_CHANNELS;
        mac8_op(MAC8_SETPARAM, MAC8_P_BIAS, bias ? bias[ch] : 0, slot);
        mac8_op(MAC8_SETPARAM, MAC8_P_MULTIPLIER, mult[ch * step], slot);
        mac8_op(MAC8_SETPARAM, MAC8_P_SHIFT, shift[ch * step], slot);
    }
}

static void setup_layer(int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
    mac8_op(MAC8_CLEAR, 0, 0, 0);
    mac8_op(MAC8_CONFIG, MAC8_C_OFFSETS, input_offset, output_offset);
    mac8_op(MAC8_CONFIG, MAC8_C_CLAMP, act_min, act_max);
}

/* Lanes 0..7 of one block: `rows` of them from `src` (row_words words apart), zeros after. */
static void load_block(const int8_t *src, int32_t row_words, int32_t rows, int32_t base) {
    mac8_op(MAC8_WLOAD, MAC8_W_SETUP, base, row_words);
    for (int32_t lane = 0; lane < LANES; lane++) {
        if (lane < rows) {
            const int8_t *row = src + 4 * row_words * lane;
            if (aligned4(row)) {
                const uint32_t *w = (const uint32_t *)row;
                for (int32_t i = 0; i < row_words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, w[i], 0);
            } else {
                for (int32_t i = 0; i < row_words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, load_word(row + 4 * i), 0);
            }
        } else {
            for (int32_t i = 0; i < row_words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, 0, 0);
        }
    }
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

static uint32_t discarded_outputs[2];

static inline fast_queue new_fast_queue(void) {
    fast_queue f = {(int8_t *)discarded_outputs, 2};
    return f;
}

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

#if defined(__riscv) && !defined(MAC8_EMULATED)
/* One block of one output pixel, start to end, in one asm block (compiled C spent several
 * times the CFU's own cycles on loop bookkeeping and spills): SETPTR, `rows` rows of `run`
 * words `row_bytes` apart as MAC CONV, COMMIT, then the previous commit's outputs read and
 * stored. Four words per step, their loads separated from their MACs by two other
 * instructions so the CFU instruction never waits for a load (VexRiscv holds a CFU
 * instruction while a load, store or branch is in a later stage). rows and run are >= 1. */
static inline __attribute__((always_inline)) void conv_block_fast(
    const int8_t *src, int32_t rows, int32_t run, int32_t row_bytes, uint32_t ptr, uint32_t block,
    int8_t *prev, uint32_t sel) {
    __asm__ volatile(
        ".insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
        "1:\n"
        "  mv t5, %[src]\n"
        "  srli t6, %[run], 2\n"
        "  beqz t6, 3f\n"
        "2:\n"
        "  lw t0, 0(t5)\n  lw t1, 4(t5)\n  lw t2, 8(t5)\n  lw t3, 12(t5)\n"
        "  addi t5, t5, 16\n  addi t6, t6, -1\n"
        "  .insn r 0x0B, 0, 0, x0, t0, x0\n  .insn r 0x0B, 0, 0, x0, t1, x0\n"
        "  .insn r 0x0B, 0, 0, x0, t2, x0\n  .insn r 0x0B, 0, 0, x0, t3, x0\n"
        "  bnez t6, 2b\n"
        "3:\n"
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
        "  ori t1, %[sel], 1\n"
        "  .insn r 0x0B, 3, 0, t0, %[sel], x0\n"
        "  .insn r 0x0B, 3, 0, t1, t1, x0\n"
        "  sw t0, 0(%[prev])\n  sw t1, 4(%[prev])\n"
        : [src] "+r"(src), [rows] "+r"(rows)
        : [run] "r"(run), [row_bytes] "r"(row_bytes), [ptr] "r"(ptr), [block] "r"(block),
          [prev] "r"(prev), [sel] "r"(sel)
        : "t0", "t1", "t2", "t3", "t5", "t6", "memory");
}

/* The same for a depthwise group of 8 channels over a whole 3x3 window. */
static inline __attribute__((always_inline)) void dw3x3_block_fast(
    const int8_t *px, int32_t C, int32_t row_bytes, uint32_t ptr, uint32_t block, int8_t *prev,
    uint32_t sel) {
    __asm__ volatile(
        ".insn r 0x0B, 1, 0, x0, %[ptr], %[block]\n"
        "  li t6, 3\n"
        "1:\n"
        "  add t5, %[px], %[C]\n"
        "  lw t0, 0(%[px])\n  lw t1, 4(%[px])\n  lw t2, 0(t5)\n  lw t3, 4(t5)\n"
        "  add t5, t5, %[C]\n"
        "  lw a6, 0(t5)\n  lw a7, 4(t5)\n"
        "  add %[px], %[px], %[row_bytes]\n  addi t6, t6, -1\n"
        "  .insn r 0x0B, 0, 1, x0, t0, t1\n"
        "  .insn r 0x0B, 0, 1, x0, t2, t3\n"
        "  .insn r 0x0B, 0, 1, x0, a6, a7\n"
        "  bnez t6, 1b\n"
        "  .insn r 0x0B, 0, 7, x0, x0, x0\n"
        "  ori t1, %[sel], 1\n"
        "  .insn r 0x0B, 3, 0, t0, %[sel], x0\n"
        "  .insn r 0x0B, 3, 0, t1, t1, x0\n"
        "  sw t0, 0(%[prev])\n  sw t1, 4(%[prev])\n"
        : [px] "+r"(px)
        : [C] "r"(C), [row_bytes] "r"(row_bytes), [ptr] "r"(ptr), [block] "r"(block),
          [prev] "r"(prev), [sel] "r"(sel)
        : "t0", "t1", "t2", "t3", "t5", "t6", "a6", "a7", "memory");
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
            mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)(px + t * C), *(const uint32_t *)(px + t * C + 4));
    fast_queue f = {prev, sel};
    commit_fast(f, NULL);
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
#define MAC8_CONV_INSN(reg) ".insn r 0x0B, 0, 0, x0, " reg ", x0\n"
static inline __attribute__((always_inline)) void stream_conv8(const uint32_t *w) {
    __asm__ volatile(
        "lw t0, 0(%0)\n lw t1, 4(%0)\n lw t2, 8(%0)\n lw t3, 12(%0)\n"
        "lw t4, 16(%0)\n lw t5, 20(%0)\n lw t6, 24(%0)\n lw a7, 28(%0)\n"
        MAC8_CONV_INSN("t0") MAC8_CONV_INSN("t1") MAC8_CONV_INSN("t2") MAC8_CONV_INSN("t3")
        MAC8_CONV_INSN("t4") MAC8_CONV_INSN("t5") MAC8_CONV_INSN("t6") MAC8_CONV_INSN("a7")
        : : "r"(w) : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a7", "memory");
}
static inline __attribute__((always_inline)) void stream_conv4(const uint32_t *w) {
    __asm__ volatile(
        "lw t0, 0(%0)\n lw t1, 4(%0)\n lw t2, 8(%0)\n lw t3, 12(%0)\n"
        MAC8_CONV_INSN("t0") MAC8_CONV_INSN("t1") MAC8_CONV_INSN("t2") MAC8_CONV_INSN("t3")
        : : "r"(w) : "t0", "t1", "t2", "t3", "memory");
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

static int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }
static int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }

/* ---- CONV_2D ---------------------------------------------------------------------------
 * Direct path (in_c a multiple of 4, input word aligned): each kernel row's valid taps are
 * contiguous in NHWC, so they stream straight from the input. Patch path (any other in_c):
 * the window is copied into a word-padded patch per pixel, padding taps set to the value
 * that makes (input + input_offset) zero, and the weights are packed the same way once. */

typedef struct {
    bool patch;
    int32_t row_words;       /* buffer words per output channel */
    int32_t tap_words;       /* direct: words per tap (in_c / 4) */
    int32_t kernel_row_words;/* patch: words per kernel row */
    int32_t blocks, blocks_per_pass;
    const int8_t *weights;   /* OHWI rows of row_words words each (the filter, or packed) */
    int8_t *patch_buffer;
} conv_plan;

static bool conv_prepare(const cfub_conv_params *p, const cfub_layer_data *d, cfub_alloc *alloc,
                         void **state) {
    if (p->filter_in_c != p->in_c || p->dil_h != 1 || p->dil_w != 1 || p->out_c > MAC8_CHANNELS) return false;
    if (!quantization_fits(p->input_offset, p->output_offset, p->act_min, p->act_max,
                           p->out_shift, p->out_c, 1))
        return false;
    const bool patch = p->in_c % 4 != 0 || !aligned4(d->input);
    const int32_t kernel_row_words = (p->k_w * p->in_c + 3) / 4;
    const int32_t row_words = patch ? p->k_h * kernel_row_words : p->k_h * p->k_w * p->in_c / 4;
    if (row_words > DEPTH) return false;
    const int32_t pad_value = -p->input_offset;
    if (patch && (pad_value < -128 || pad_value > 127)) return false;

    conv_plan *plan = cfub_alloc_persistent(alloc, sizeof *plan);
    if (!plan) return false;
    plan->patch = patch;
    plan->row_words = row_words;
    plan->tap_words = p->in_c / 4;
    plan->kernel_row_words = kernel_row_words;
    plan->blocks = (p->out_c + LANES - 1) / LANES;
    plan->blocks_per_pass = min32(DEPTH / row_words, plan->blocks);
    plan->weights = d->filter;
    plan->patch_buffer = NULL;
    if (patch) {
        const int32_t row_bytes = 4 * row_words;
        int8_t *packed = cfub_alloc_persistent(alloc, (size_t)row_bytes * p->out_c);
        plan->patch_buffer = cfub_alloc_persistent(alloc, (size_t)row_bytes);
        if (!packed || !plan->patch_buffer) return false;
        memset(packed, 0, (size_t)row_bytes * p->out_c);
        const int32_t kernel_row_bytes = p->k_w * p->in_c;
        for (int32_t oc = 0; oc < p->out_c; oc++)
            for (int32_t ky = 0; ky < p->k_h; ky++)
                memcpy(packed + oc * row_bytes + ky * 4 * kernel_row_words,
                       d->filter + (oc * p->k_h + ky) * kernel_row_bytes, (size_t)kernel_row_bytes);
        plan->weights = packed;
    }
    *state = plan;
    return true;
}

/* The window of one output pixel, row by row, each kernel row padded to whole words; taps
 * outside the image get the value that makes (input + input_offset) zero. */
static void build_patch(int8_t *restrict dst, const int8_t *restrict image, int32_t in_h, int32_t in_w,
                        int32_t in_c, int32_t k_h, int32_t k_w, int32_t in_y0, int32_t in_x0,
                        int32_t kernel_row_bytes, int8_t pad_value) {
    for (int32_t ky = 0; ky < k_h; ky++, dst += kernel_row_bytes) {
        const int32_t y = in_y0 + ky;
        int8_t *out = dst;
        const int32_t kx0 = max32(0, -in_x0), kx1 = min32(k_w, in_w - in_x0);
        if (y < 0 || y >= in_h || kx0 >= kx1) {
            for (int32_t i = 0; i < kernel_row_bytes; i++) out[i] = pad_value;
            continue;
        }
        for (int32_t i = 0; i < kx0 * in_c; i++) *out++ = pad_value;
        const int8_t *src = image + (y * in_w + in_x0 + kx0) * in_c;
        for (int32_t i = 0; i < (kx1 - kx0) * in_c; i++) *out++ = src[i];
        while (out < dst + kernel_row_bytes) *out++ = pad_value;
    }
}

/* The same patch for a window entirely inside the image, a word at a time: each kernel row
 * is k_w * in_c contiguous bytes at any alignment, assembled from aligned loads with shifts.
 * The bytes after the row in its last word come from the next pixels; their weights are 0. */
static inline void patch_from_words(uint32_t *restrict dst, const int8_t *first_row, int32_t row_bytes,
                                    int32_t k_h, int32_t words) {
    for (int32_t ky = 0; ky < k_h; ky++, first_row += row_bytes) {
        const unsigned misalign = (uintptr_t)first_row & 3;
        const uint32_t *w = (const uint32_t *)(first_row - misalign);
        if (!misalign) {
            for (int32_t i = 0; i < words; i++) *dst++ = w[i];
            continue;
        }
        const unsigned right = 8 * misalign, left = 32 - right;
        uint32_t current = w[0];
        for (int32_t i = 0; i < words; i++) {
            const uint32_t next = w[i + 1];
            *dst++ = (current >> right) | (next << left);
            current = next;
        }
    }
}

/* A run of output pixels of one row whose windows lie wholly inside the image, for layers
 * whose blocks are all full. Kept in a function of its own, with few live values: in the
 * large eval loop the compiler spilled to the stack, and every store costs a bus write on
 * this CPU's write-through data cache. */
typedef struct {
    int32_t nb, b0, row_words;   /* resident blocks of this pass */
    int32_t k_h, run, row_bytes; /* direct: window rows, words per row, bytes between rows */
    int32_t pixel_step;          /* input bytes between horizontally adjacent windows */
    int32_t out_c;
} inside_run;

static __attribute__((noinline)) void conv_inside_direct(const inside_run *r, const int8_t *corner,
                                                         int8_t *out, int32_t pixels, fast_queue *fq) {
    const int32_t nb = r->nb, b0 = r->b0, row_words = r->row_words, k_h = r->k_h, run = r->run;
    const int32_t row_bytes = r->row_bytes, pixel_step = r->pixel_step, out_c = r->out_c;
    int8_t *prev = fq->prev;
    uint32_t sel = fq->sel;
    for (; pixels > 0; pixels--, corner += pixel_step, out += out_c) {
        for (int32_t j = 0; j < nb; j++) {
            conv_block_fast(corner, k_h, run, row_bytes, (uint32_t)(j * row_words), (uint32_t)(b0 + j), prev, sel);
            prev = out + j * LANES;
            sel ^= 2;
        }
    }
    fq->prev = prev;
    fq->sel = sel;
}

/* One kernel row of k_w * in_c bytes at any alignment, as words assembled from aligned
 * loads with shifts and fed straight to MAC CONV: no patch in memory, since every store
 * costs a bus write here. The bytes after the row in its last word come from the next
 * pixels; their weights are 0. */
static inline __attribute__((always_inline)) void stream_unaligned(const int8_t *row, int32_t words) {
    const unsigned misalign = (uintptr_t)row & 3;
    const uint32_t *w = (const uint32_t *)(row - misalign);
    if (!misalign) {
        stream_conv(w, words);
        return;
    }
    const unsigned right = 8 * misalign, left = 32 - right;
    uint32_t current = w[0];
    for (int32_t i = 1; i <= words; i++) {
        const uint32_t next = w[i];
        mac8_op(MAC8_MAC, MAC8_CONV, (current >> right) | (next << left), 0);
        current = next;
    }
}

/* Few blocks: the words are assembled again for each block (cheaper than storing a patch).
 * Many blocks: one patch per pixel, in memory, streamed once per block. */
#define PATCH_FROM_BLOCKS 3

static __attribute__((noinline)) void conv_inside_unaligned(const inside_run *r, const int8_t *corner,
                                                            int8_t *out, int32_t pixels, fast_queue *fq,
                                                            int32_t kernel_row_words, int8_t *patch) {
    const int32_t nb = r->nb, b0 = r->b0, row_words = r->row_words, k_h = r->k_h;
    const int32_t row_bytes = r->row_bytes, pixel_step = r->pixel_step, out_c = r->out_c;
    fast_queue f = *fq;
    if (nb >= PATCH_FROM_BLOCKS) {
        for (; pixels > 0; pixels--, corner += pixel_step, out += out_c) {
            patch_from_words((uint32_t *)patch, corner, row_bytes, k_h, kernel_row_words);
            for (int32_t j = 0; j < nb; j++) {
                conv_block_fast(patch, 1, row_words, 0, (uint32_t)(j * row_words), (uint32_t)(b0 + j), f.prev, f.sel);
                f.prev = out + j * LANES;
                f.sel ^= 2;
            }
        }
        *fq = f;
        return;
    }
    for (; pixels > 0; pixels--, corner += pixel_step, out += out_c) {
        for (int32_t j = 0; j < nb; j++) {
            mac8_op(MAC8_SETPTR, 0, j * row_words, b0 + j);
            const int8_t *row = corner;
            for (int32_t ky = 0; ky < k_h; ky++, row += row_bytes) stream_unaligned(row, kernel_row_words);
            f = commit_fast(f, out + j * LANES);
        }
    }
    *fq = f;
}

static void conv_eval(const cfub_conv_params *p, const cfub_layer_data *d, void *state) {
    const conv_plan *plan = state;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
    load_params(d->bias, p->out_mult, p->out_shift, 0, p->out_c, 1);
    /* Everything the loops need, in locals: output stores may alias any memory, so fields
     * read through pointers would be reloaded after each of them. */
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, out_h = p->out_h, out_w = p->out_w;
    const int32_t out_c = p->out_c, k_h = p->k_h, k_w = p->k_w, stride_h = p->stride_h;
    const int32_t stride_w = p->stride_w, pad_h = p->pad_h, pad_w = p->pad_w, batches = p->batches;
    const int32_t row_words = plan->row_words, tap_words = plan->tap_words, blocks = plan->blocks;
    const int32_t blocks_per_pass = plan->blocks_per_pass;
    const bool patch = plan->patch;
    int8_t *const patch_buffer = plan->patch_buffer;
    const int32_t kernel_row_bytes = 4 * plan->kernel_row_words;
    const int8_t pad_value = (int8_t)-p->input_offset;
    const int32_t image_bytes = in_h * in_w * in_c, row_bytes = in_w * in_c;
    const int8_t *const input = d->input;
    const int8_t *const input_end = input + batches * image_bytes;
    int8_t *const output = d->output;

    /* One queue for all passes: the CFU's slots alternate throughout. */
    const bool full = out_c % LANES == 0 && aligned4(output);
    output_queue q = new_queue();
    fast_queue f = new_fast_queue();
#define COMMIT_BLOCK(dst, n) do { if (full) f = commit_fast(f, (dst)); else q = commit(q, (dst), (n)); } while (0)
#define FAST_BLOCK_DONE(dst) do { f.prev = (dst); f.sel ^= 2; } while (0)
    for (int32_t b0 = 0; b0 < blocks; b0 += blocks_per_pass) {
        const int32_t nb = min32(blocks_per_pass, blocks - b0);
        for (int32_t j = 0; j < nb; j++) {
            const int32_t first = (b0 + j) * LANES;
            load_block(plan->weights + first * 4 * row_words, row_words, min32(LANES, out_c - first),
                       j * row_words);
        }
        const int32_t last_n = min32(LANES, out_c - (b0 + nb - 1) * LANES);
        const inside_run inside = {nb, b0, row_words, k_h, k_w * tap_words, row_bytes, stride_w * in_c, out_c};
        for (int32_t batch = 0; batch < batches; batch++) {
            const int8_t *image = input + batch * image_bytes;
            int8_t *out = output + batch * out_h * out_w * out_c + b0 * LANES;
            for (int32_t oy = 0; oy < out_h; oy++) {
                const int32_t in_y0 = oy * stride_h - pad_h;
                const int32_t ky0 = max32(0, -in_y0), ky1 = min32(k_h, in_h - in_y0);
                /* Output pixels [ox_lo, ox_hi) of a row whose windows are all inside the image
                 * vertically have windows inside horizontally too: one call does them all. */
                int32_t ox_lo = out_w, ox_hi = out_w;
                if (full && in_y0 >= 0 && in_y0 + k_h <= in_h) {
                    ox_lo = min32(out_w, (pad_w + stride_w - 1) / stride_w);
                    ox_hi = min32(out_w, in_w - k_w + pad_w >= 0 ? (in_w - k_w + pad_w) / stride_w + 1 : 0);
                    /* the word-wise reads may go one word past a row's last byte */
                    while (patch && ox_hi > ox_lo &&
                           image + ((in_y0 + k_h - 1) * in_w + (ox_hi - 1) * stride_w - pad_w) * in_c +
                                   kernel_row_bytes + 4 > input_end)
                        ox_hi--;
                }
                for (int32_t ox = 0; ox < out_w; ox++, out += out_c) {
                    if (ox == ox_lo && ox_hi > ox_lo) {
                        const int8_t *corner = image + (in_y0 * in_w + ox * stride_w - pad_w) * in_c;
                        if (patch)
                            conv_inside_unaligned(&inside, corner, out, ox_hi - ox, &f, kernel_row_bytes / 4,
                                                  patch_buffer);
                        else
                            conv_inside_direct(&inside, corner, out, ox_hi - ox, &f);
                        out += (ox_hi - 1 - ox) * out_c;
                        ox = ox_hi - 1;
                        continue;
                    }
                    const int32_t in_x0 = ox * stride_w - pad_w;
                    const bool inside = in_y0 >= 0 && in_y0 + k_h <= in_h && in_x0 >= 0 && in_x0 + k_w <= in_w;
                    if (patch) {
                        const int8_t *corner = image + (in_y0 * in_w + in_x0) * in_c;
                        /* the word-wise copy may read up to one word past a row's last byte */
                        const int8_t *last_read = corner + (k_h - 1) * row_bytes + kernel_row_bytes + 4;
                        if (inside && last_read <= input_end)
                            patch_from_words((uint32_t *)patch_buffer, corner, row_bytes, k_h,
                                             kernel_row_bytes / 4);
                        else
                            build_patch(patch_buffer, image, in_h, in_w, in_c, k_h, k_w, in_y0, in_x0,
                                        kernel_row_bytes, pad_value);
                        for (int32_t j = 0, base = 0; j < nb; j++, base += row_words) {
                            if (full) {
                                conv_block_fast(patch_buffer, 1, row_words, 0, base, b0 + j, f.prev, f.sel);
                                FAST_BLOCK_DONE(out + j * LANES);
                                continue;
                            }
                            mac8_op(MAC8_SETPTR, 0, base, b0 + j);
                            stream_conv((const uint32_t *)patch_buffer, row_words);
                            COMMIT_BLOCK(out + j * LANES, j == nb - 1 ? last_n : LANES);
                        }
                        continue;
                    }
                    if (inside) {
                        /* Whole window: kernel rows follow each other in the buffer. */
                        const int8_t *corner = image + (in_y0 * in_w + in_x0) * in_c;
                        const int32_t run = k_w * tap_words;
                        for (int32_t j = 0, base = 0; j < nb; j++, base += row_words) {
                            if (full) {
                                conv_block_fast(corner, k_h, run, row_bytes, base, b0 + j, f.prev, f.sel);
                                FAST_BLOCK_DONE(out + j * LANES);
                                continue;
                            }
                            mac8_op(MAC8_SETPTR, 0, base, b0 + j);
                            const int8_t *src = corner;
                            for (int32_t r = 0; r < k_h; r++, src += row_bytes) stream_conv((const uint32_t *)src, run);
                            COMMIT_BLOCK(out + j * LANES, j == nb - 1 ? last_n : LANES);
                        }
                        continue;
                    }
                    const int32_t kx0 = max32(0, -in_x0), kx1 = min32(k_w, in_w - in_x0);
                    const int32_t run = kx1 > kx0 ? (kx1 - kx0) * tap_words : 0;
                    const int32_t rows = run ? ky1 - ky0 : 0;
                    const int8_t *first_row = image + ((in_y0 + ky0) * in_w + in_x0 + kx0) * in_c;
                    /* A full-width window makes consecutive kernel rows consecutive in the
                     * buffer: one SETPTR per block then suffices. */
                    const bool contiguous = run == k_w * tap_words;
                    const int32_t first_word = (ky0 * k_w + kx0) * tap_words;
                    for (int32_t j = 0, base = 0; j < nb; j++, base += row_words) {
                        int32_t word = base + first_word;
                        mac8_op(MAC8_SETPTR, 0, word, b0 + j);
                        const int8_t *src = first_row;
                        for (int32_t r = 0; r < rows; r++, src += row_bytes, word += k_w * tap_words) {
                            if (r && !contiguous) mac8_op(MAC8_SETPTR, 0, word, b0 + j);
                            stream_conv((const uint32_t *)src, run);
                        }
                        COMMIT_BLOCK(out + j * LANES, j == nb - 1 ? last_n : LANES);
                    }
                }
            }
        }
    }
    if (full) store_previous(f);
    else flush(q);
#undef COMMIT_BLOCK
#undef FAST_BLOCK_DONE
}

/* ---- DEPTHWISE_CONV_2D -----------------------------------------------------------------
 * Lane l of group g is channel 8g+l; its buffer words g*taps.. hold one tap weight each (in
 * byte 0). A MAC takes the 8 channels of one input pixel (two words) and does 8 MACs. */

typedef struct {
    int32_t taps, groups;
} dw_plan;

static bool dw_prepare(const cfub_dw_params *p, const cfub_layer_data *d, cfub_alloc *alloc,
                       void **state) {
    if (p->depth_multiplier != 1 || p->dil_h != 1 || p->dil_w != 1 || p->out_c > MAC8_CHANNELS) return false;
    if (p->in_c % 4 != 0 || !aligned4(d->input)) return false;
    if (!quantization_fits(p->input_offset, p->output_offset, p->act_min, p->act_max,
                           p->out_shift, p->out_c, 1))
        return false;
    const int32_t taps = p->k_h * p->k_w, groups = (p->in_c + LANES - 1) / LANES;
    if (taps * groups > DEPTH) return false;
    dw_plan *plan = cfub_alloc_persistent(alloc, sizeof *plan);
    if (!plan) return false;
    plan->taps = taps;
    plan->groups = groups;
    *state = plan;
    return true;
}

#if defined(__riscv) && !defined(MAC8_EMULATED)
/* Three taps of a kernel row (8 channels each, at px, px + C, px + 2C): six loads, then three
 * MAC DW (funct7 1), in one asm block for the same reason as stream_conv8. */
#define MAC8_DW_INSN(lo, hi) ".insn r 0x0B, 0, 1, x0, " lo ", " hi "\n"
static inline __attribute__((always_inline)) void dw_row3(const int8_t *px, int32_t C) {
    __asm__ volatile(
        "lw t0, 0(%0)\n lw t1, 4(%0)\n add t6, %0, %1\n lw t2, 0(t6)\n lw t3, 4(t6)\n"
        "add t6, t6, %1\n lw t4, 0(t6)\n lw t5, 4(t6)\n"
        MAC8_DW_INSN("t0", "t1") MAC8_DW_INSN("t2", "t3") MAC8_DW_INSN("t4", "t5")
        : : "r"(px), "r"(C) : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
}
#else
static inline void dw_row3(const int8_t *px, int32_t C) {
    for (int i = 0; i < 3; i++, px += C)
        mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, *(const uint32_t *)(px + 4));
}
#endif

/* A run of output pixels whose 3x3 windows lie inside the image, all groups full: see
 * conv_inside_direct for why this is a function of its own. */
static __attribute__((noinline)) void dw3x3_inside(const int8_t *corner, int8_t *out, int32_t pixels,
                                                   int32_t pixel_step, int32_t C, int32_t row_bytes,
                                                   int32_t groups, int32_t taps, fast_queue *fq) {
    int8_t *prev = fq->prev;
    uint32_t sel = fq->sel;
    for (; pixels > 0; pixels--, corner += pixel_step, out += C) {
        const int8_t *px = corner;
        for (int32_t g = 0; g < groups; g++, px += LANES) {
            dw3x3_block_fast(px, C, row_bytes, (uint32_t)(g * taps), (uint32_t)g, prev, sel);
            prev = out + g * LANES;
            sel ^= 2;
        }
    }
    fq->prev = prev;
    fq->sel = sel;
}

static void dw_eval(const cfub_dw_params *p, const cfub_layer_data *d, void *state) {
    const dw_plan *plan = state;
    const int32_t taps = plan->taps, groups = plan->groups, C = p->in_c;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
    load_params(d->bias, p->out_mult, p->out_shift, 0, C, 1);
    for (int32_t g = 0; g < groups; g++) {
        mac8_op(MAC8_WLOAD, MAC8_W_SETUP, g * taps, taps);
        for (int32_t lane = 0; lane < LANES; lane++) {
            const int32_t c = g * LANES + lane;
            for (int32_t t = 0; t < taps; t++)
                mac8_op(MAC8_WLOAD, MAC8_W_STREAM, c < C ? (uint8_t)d->filter[t * C + c] : 0, 0);
        }
    }
    const int32_t in_h = p->in_h, in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
    const int32_t k_h = p->k_h, k_w = p->k_w, stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t pad_h = p->pad_h, pad_w = p->pad_w, batches = p->batches;
    const int32_t image_bytes = in_h * in_w * C, row_bytes = in_w * C;
    const int32_t full_groups = C / LANES, last_n = C - full_groups * LANES;  /* last_n: 0 or 4 */
    const int8_t *const input = d->input;
    int8_t *const output = d->output;

    const bool full = C % LANES == 0 && aligned4(output);
    output_queue q = new_queue();
    fast_queue f = new_fast_queue();
#define COMMIT_BLOCK(dst, n) do { if (full) f = commit_fast(f, (dst)); else q = commit(q, (dst), (n)); } while (0)
    for (int32_t batch = 0; batch < batches; batch++) {
        const int8_t *image = input + batch * image_bytes;
        int8_t *out = output + batch * out_h * out_w * C;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t in_y0 = oy * stride_h - pad_h;
            const int32_t ky0 = max32(0, -in_y0), ky1 = min32(k_h, in_h - in_y0);
            /* Pixels [ox_lo, ox_hi) of a vertically inside row have whole 3x3 windows. */
            int32_t ox_lo = out_w, ox_hi = out_w;
            if (full && k_h == 3 && k_w == 3 && in_y0 >= 0 && in_y0 + 3 <= in_h) {
                ox_lo = min32(out_w, (pad_w + stride_w - 1) / stride_w);
                ox_hi = min32(out_w, in_w - 3 + pad_w >= 0 ? (in_w - 3 + pad_w) / stride_w + 1 : 0);
            }
            for (int32_t ox = 0; ox < out_w; ox++, out += C) {
                if (ox == ox_lo && ox_hi > ox_lo) {
                    const int8_t *corner = image + (in_y0 * in_w + ox * stride_w - pad_w) * C;
                    dw3x3_inside(corner, out, ox_hi - ox, stride_w * C, C, row_bytes, groups, taps, &f);
                    out += (ox_hi - 1 - ox) * C;
                    ox = ox_hi - 1;
                    continue;
                }
                const int32_t in_x0 = ox * stride_w - pad_w;
                const int32_t kx0 = max32(0, -in_x0), kx1 = min32(k_w, in_w - in_x0);
                const int32_t cols = kx1 > kx0 ? kx1 - kx0 : 0;
                const int32_t rows = cols ? ky1 - ky0 : 0;
                const int8_t *corner = image + ((in_y0 + ky0) * in_w + in_x0 + kx0) * C;
                const int32_t first_tap = ky0 * k_w + kx0;
                const bool contiguous = cols == k_w;
                if (rows == 3 && cols == 3 && k_w == 3) {
                    /* The common case: a whole 3x3 window. */
                    const int8_t *px = corner;
                    for (int32_t g = 0, base = 0; g < full_groups; g++, base += taps, px += LANES) {
                        if (full) {
                            dw3x3_block_fast(px, C, row_bytes, base, g, f.prev, f.sel);
                            f.prev = out + g * LANES;
                            f.sel ^= 2;
                            continue;
                        }
                        mac8_op(MAC8_SETPTR, 0, base, g);
                        dw_row3(px, C);
                        dw_row3(px + row_bytes, C);
                        dw_row3(px + 2 * row_bytes, C);
                        COMMIT_BLOCK(out + g * LANES, LANES);
                    }
                    if (full_groups == groups) continue;
                }
                for (int32_t g = 0, base = 0; g < groups; g++, base += taps, corner += LANES) {
                    if (rows == 3 && cols == 3 && k_w == 3 && g < full_groups) continue;
                    int32_t tap = base + first_tap;
                    mac8_op(MAC8_SETPTR, 0, tap, g);
                    const int8_t *row = corner;
                    if (g < full_groups) {
                        for (int32_t r = 0; r < rows; r++, row += row_bytes, tap += k_w) {
                            if (r && !contiguous) mac8_op(MAC8_SETPTR, 0, tap, g);
                            const int8_t *px = row;
                            int32_t n = cols;
                            for (; n >= 2; n -= 2, px += 2 * C) {
                                const uint32_t lo0 = *(const uint32_t *)px, hi0 = *(const uint32_t *)(px + 4);
                                const uint32_t lo1 = *(const uint32_t *)(px + C);
                                const uint32_t hi1 = *(const uint32_t *)(px + C + 4);
                                LOADS_DONE4(lo0, hi0, lo1, hi1);
                                mac8_op(MAC8_MAC, MAC8_DW, lo0, hi0);
                                mac8_op(MAC8_MAC, MAC8_DW, lo1, hi1);
                            }
                            if (n) mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, *(const uint32_t *)(px + 4));
                        }
                    } else { /* the last 4 channels: the word after them is not ours to read */
                        for (int32_t r = 0; r < rows; r++, row += row_bytes, tap += k_w) {
                            if (r && !contiguous) mac8_op(MAC8_SETPTR, 0, tap, g);
                            const int8_t *px = row;
                            for (int32_t n = 0; n < cols; n++, px += C)
                                mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, 0);
                        }
                    }
                    COMMIT_BLOCK(out + g * LANES, g < full_groups ? LANES : last_n);
                }
            }
        }
    }
    if (full) store_previous(f);
    else flush(q);
#undef COMMIT_BLOCK
}

/* ---- FULLY_CONNECTED -------------------------------------------------------------------
 * The input vector goes to lane 0's buffer; weights stream two output channels at a time
 * (lanes 2p and 2p+1), four pairs making a block of 8 outputs per commit. */

static bool fc_prepare(const cfub_fc_params *p, const cfub_layer_data *d, cfub_alloc *alloc,
                       void **state) {
    (void)alloc;
    const int32_t step = p->per_channel ? 1 : 0;
    if (p->filter_offset != 0 || p->accum_depth % 4 != 0 || p->accum_depth / 4 > DEPTH) return false;
    if (!aligned4(d->input)) return false;
    if (!quantization_fits(p->input_offset, p->output_offset, p->act_min, p->act_max,
                           p->out_shift, p->out_c, step))
        return false;
    *state = NULL;
    return true;
}

static void stream_fc(const int8_t *even, const int8_t *odd, int32_t words) {
    if (aligned4(even) && (odd == NULL || aligned4(odd))) {
        const uint32_t *e = (const uint32_t *)even, *o = (const uint32_t *)odd;
        if (o) {
            int32_t i = 0;
            for (; i + 2 <= words; i += 2) {
                const uint32_t e0 = e[i], o0 = o[i], e1 = e[i + 1], o1 = o[i + 1];
                LOADS_DONE4(e0, o0, e1, o1);
                mac8_op(MAC8_MAC, MAC8_FC, e0, o0);
                mac8_op(MAC8_MAC, MAC8_FC, e1, o1);
            }
            for (; i < words; i++) mac8_op(MAC8_MAC, MAC8_FC, e[i], o[i]);
        } else {
            for (int32_t i = 0; i < words; i++) mac8_op(MAC8_MAC, MAC8_FC, e[i], 0);
        }
        return;
    }
    for (int32_t i = 0; i < words; i++)
        mac8_op(MAC8_MAC, MAC8_FC, load_word(even + 4 * i), odd ? load_word(odd + 4 * i) : 0);
}

static void fc_eval(const cfub_fc_params *p, const cfub_layer_data *d, void *state) {
    (void)state;
    const int32_t depth = p->accum_depth, words = depth / 4, out_c = p->out_c, batches = p->batches;
    const int32_t step = p->per_channel ? 1 : 0;
    const int8_t *const filter = d->filter;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
    output_queue q = new_queue();
    for (int32_t batch = 0; batch < batches; batch++) {
        const uint32_t *x = (const uint32_t *)(d->input + batch * depth);
        mac8_op(MAC8_WLOAD, MAC8_W_SETUP, 0, words);
        for (int32_t i = 0; i < words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, x[i], 0);
        int8_t *out = d->output + batch * out_c;
        for (int32_t first = 0; first < out_c; first += LANES) {
            /* More channels than the parameter table holds: refill it as the blocks advance. */
            if (first % MAC8_CHANNELS == 0 && (batch == 0 || out_c > MAC8_CHANNELS))
                load_params(d->bias, p->out_mult, p->out_shift, first, min32(MAC8_CHANNELS, out_c - first), step);
            const int32_t block = (first / LANES) % (MAC8_CHANNELS / LANES);
            for (int32_t pair = 0; pair < LANES / 2 && first + 2 * pair < out_c; pair++) {
                const int32_t oc = first + 2 * pair;
                mac8_op(MAC8_SETPTR, 0, 0, block | (pair << 8));
                stream_fc(filter + oc * depth, oc + 1 < out_c ? filter + (oc + 1) * depth : NULL, words);
            }
            q = commit(q, out + first, min32(LANES, out_c - first));
        }
    }
    flush(q);
}

/* ---- the tables the runtime looks up -------------------------------------------------- */
static const cfub_conv_kernel mac8_conv = {"mac8_conv", conv_prepare, conv_eval};
static const cfub_dw_kernel mac8_dw = {"mac8_dw", dw_prepare, dw_eval};
static const cfub_fc_kernel mac8_fc = {"mac8_fc", fc_prepare, fc_eval};

const cfub_conv_kernel *const cfub_accel_conv[] = {&mac8_conv, NULL};
const cfub_dw_kernel *const cfub_accel_depthwise[] = {&mac8_dw, NULL};
const cfub_fc_kernel *const cfub_accel_fc[] = {&mac8_fc, NULL};
