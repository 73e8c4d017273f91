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
    int8_t *const output = d->output;

    output_queue q = new_queue();   /* one for all passes: the CFU's slots alternate throughout */
    for (int32_t b0 = 0; b0 < blocks; b0 += blocks_per_pass) {
        const int32_t nb = min32(blocks_per_pass, blocks - b0);
        for (int32_t j = 0; j < nb; j++) {
            const int32_t first = (b0 + j) * LANES;
            load_block(plan->weights + first * 4 * row_words, row_words, min32(LANES, out_c - first),
                       j * row_words);
        }
        const int32_t last_n = min32(LANES, out_c - (b0 + nb - 1) * LANES);
        for (int32_t batch = 0; batch < batches; batch++) {
            const int8_t *image = input + batch * image_bytes;
            int8_t *out = output + batch * out_h * out_w * out_c + b0 * LANES;
            for (int32_t oy = 0; oy < out_h; oy++) {
                const int32_t in_y0 = oy * stride_h - pad_h;
                const int32_t ky0 = max32(0, -in_y0), ky1 = min32(k_h, in_h - in_y0);
                for (int32_t ox = 0; ox < out_w; ox++, out += out_c) {
                    const int32_t in_x0 = ox * stride_w - pad_w;
                    if (patch) {
                        build_patch(patch_buffer, image, in_h, in_w, in_c, k_h, k_w, in_y0, in_x0,
                                    kernel_row_bytes, pad_value);
                        for (int32_t j = 0, base = 0; j < nb; j++, base += row_words) {
                            mac8_op(MAC8_SETPTR, 0, base, b0 + j);
                            stream_conv((const uint32_t *)patch_buffer, row_words);
                            q = commit(q, out + j * LANES, j == nb - 1 ? last_n : LANES);
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
                        q = commit(q, out + j * LANES, j == nb - 1 ? last_n : LANES);
                    }
                }
            }
        }
    }
    flush(q);
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

    output_queue q = new_queue();
    for (int32_t batch = 0; batch < batches; batch++) {
        const int8_t *image = input + batch * image_bytes;
        int8_t *out = output + batch * out_h * out_w * C;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t in_y0 = oy * stride_h - pad_h;
            const int32_t ky0 = max32(0, -in_y0), ky1 = min32(k_h, in_h - in_y0);
            for (int32_t ox = 0; ox < out_w; ox++, out += C) {
                const int32_t in_x0 = ox * stride_w - pad_w;
                const int32_t kx0 = max32(0, -in_x0), kx1 = min32(k_w, in_w - in_x0);
                const int32_t cols = kx1 > kx0 ? kx1 - kx0 : 0;
                const int32_t rows = cols ? ky1 - ky0 : 0;
                const int8_t *corner = image + ((in_y0 + ky0) * in_w + in_x0 + kx0) * C;
                const int32_t first_tap = ky0 * k_w + kx0;
                const bool contiguous = cols == k_w;
                for (int32_t g = 0, base = 0; g < groups; g++, base += taps, corner += LANES) {
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
                    q = commit(q, out + g * LANES, g < full_groups ? LANES : last_n);
                }
            }
        }
    }
    flush(q);
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
