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

/* Outputs are read one commit late: the requantizer finishes while the next block streams. */
typedef struct {
    int8_t *dst;
    int32_t n;
    unsigned slot, next_slot;
    bool pending;
} output_queue;

static void store_outputs(const output_queue *q) {
    const uint32_t lo = mac8_op(MAC8_READ, 0, q->slot << 1, 0);
    if (q->n == LANES && aligned4(q->dst)) {
        const uint32_t hi = mac8_op(MAC8_READ, 0, (q->slot << 1) | 1, 0);
        ((uint32_t *)q->dst)[0] = lo;
        ((uint32_t *)q->dst)[1] = hi;
        return;
    }
    uint32_t word = lo;
    for (int32_t i = 0; i < q->n; i++) {
        if (i == 4) word = mac8_op(MAC8_READ, 0, (q->slot << 1) | 1, 0);
        q->dst[i] = (int8_t)(word >> (8 * (i & 3)));
    }
}

static void commit(output_queue *q, int8_t *dst, int32_t n) {
    mac8_op(MAC8_MAC, MAC8_NOMAC | MAC8_COMMIT, 0, 0);
    if (q->pending) store_outputs(q);
    q->dst = dst;
    q->n = n;
    q->slot = q->next_slot;
    q->next_slot ^= 1;
    q->pending = true;
}

static void flush(output_queue *q) {
    if (q->pending) store_outputs(q);
    q->pending = false;
}

/* A queue for a layer that began with MAC8_CLEAR (first commit goes to slot 0). */
static output_queue new_queue(void) {
    output_queue q = {0, 0, 0, 0, false};
    return q;
}

static void stream_conv(const uint32_t *w, int32_t n) {
    for (; n >= 4; n -= 4, w += 4) {
        const uint32_t a = w[0], b = w[1], c = w[2], d = w[3];
        mac8_op(MAC8_MAC, MAC8_CONV, a, 0);
        mac8_op(MAC8_MAC, MAC8_CONV, b, 0);
        mac8_op(MAC8_MAC, MAC8_CONV, c, 0);
        mac8_op(MAC8_MAC, MAC8_CONV, d, 0);
    }
    for (; n > 0; n--) mac8_op(MAC8_MAC, MAC8_CONV, *w++, 0);
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

static void build_patch(const cfub_conv_params *p, const conv_plan *plan, const int8_t *image,
                        int32_t in_y0, int32_t in_x0) {
    const int8_t pad_value = (int8_t)-p->input_offset;
    int8_t *dst = plan->patch_buffer;
    const int32_t kernel_row_bytes = 4 * plan->kernel_row_words;
    for (int32_t ky = 0; ky < p->k_h; ky++, dst += kernel_row_bytes) {
        const int32_t y = in_y0 + ky;
        int8_t *out = dst;
        for (int32_t kx = 0; kx < p->k_w; kx++) {
            const int32_t x = in_x0 + kx;
            if (y >= 0 && y < p->in_h && x >= 0 && x < p->in_w) {
                const int8_t *src = image + (y * p->in_w + x) * p->in_c;
                for (int32_t c = 0; c < p->in_c; c++) *out++ = src[c];
            } else {
                for (int32_t c = 0; c < p->in_c; c++) *out++ = pad_value;
            }
        }
        while (out < dst + kernel_row_bytes) *out++ = pad_value;
    }
}

static void conv_eval(const cfub_conv_params *p, const cfub_layer_data *d, void *state) {
    const conv_plan *plan = state;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
    load_params(d->bias, p->out_mult, p->out_shift, 0, p->out_c, 1);
    const int32_t row_words = plan->row_words, tap_words = plan->tap_words;
    const int32_t image_bytes = p->in_h * p->in_w * p->in_c;
    output_queue q = new_queue();   /* one for all passes: the CFU's slots alternate throughout */
    for (int32_t b0 = 0; b0 < plan->blocks; b0 += plan->blocks_per_pass) {
        const int32_t nb = min32(plan->blocks_per_pass, plan->blocks - b0);
        for (int32_t j = 0; j < nb; j++) {
            const int32_t first = (b0 + j) * LANES;
            load_block(plan->weights + first * 4 * row_words, row_words, min32(LANES, p->out_c - first),
                       j * row_words);
        }
        for (int32_t batch = 0; batch < p->batches; batch++) {
            const int8_t *image = d->input + batch * image_bytes;
            int8_t *out = d->output + (int32_t)batch * p->out_h * p->out_w * p->out_c;
            for (int32_t oy = 0; oy < p->out_h; oy++) {
                const int32_t in_y0 = oy * p->stride_h - p->pad_h;
                const int32_t ky0 = max32(0, -in_y0), ky1 = min32(p->k_h, p->in_h - in_y0);
                for (int32_t ox = 0; ox < p->out_w; ox++, out += p->out_c) {
                    const int32_t in_x0 = ox * p->stride_w - p->pad_w;
                    if (plan->patch) build_patch(p, plan, image, in_y0, in_x0);
                    const int32_t kx0 = max32(0, -in_x0), kx1 = min32(p->k_w, p->in_w - in_x0);
                    const int32_t run = (kx1 - kx0) * tap_words;
                    for (int32_t j = 0; j < nb; j++) {
                        const int32_t base = j * row_words, block = b0 + j;
                        if (plan->patch) {
                            mac8_op(MAC8_SETPTR, 0, base, block);
                            stream_conv((const uint32_t *)plan->patch_buffer, row_words);
                        } else {
                            mac8_op(MAC8_SETPTR, 0, base, block);
                            int32_t ptr = base;
                            for (int32_t ky = ky0; ky < ky1 && run > 0; ky++) {
                                const int32_t want = base + (ky * p->k_w + kx0) * tap_words;
                                if (want != ptr) mac8_op(MAC8_SETPTR, 0, want, block);
                                const int8_t *src = image + ((in_y0 + ky) * p->in_w + in_x0 + kx0) * p->in_c;
                                stream_conv((const uint32_t *)src, run);
                                ptr = want + run;
                            }
                        }
                        commit(&q, out + block * LANES, min32(LANES, p->out_c - block * LANES));
                    }
                }
            }
        }
    }
    flush(&q);
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
    const int32_t taps = plan->taps, C = p->in_c;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
    load_params(d->bias, p->out_mult, p->out_shift, 0, C, 1);
    for (int32_t g = 0; g < plan->groups; g++) {
        mac8_op(MAC8_WLOAD, MAC8_W_SETUP, g * taps, taps);
        for (int32_t lane = 0; lane < LANES; lane++) {
            const int32_t c = g * LANES + lane;
            for (int32_t t = 0; t < taps; t++)
                mac8_op(MAC8_WLOAD, MAC8_W_STREAM, c < C ? (uint8_t)d->filter[t * C + c] : 0, 0);
        }
    }
    output_queue q = new_queue();
    const int32_t image_bytes = p->in_h * p->in_w * C;
    for (int32_t batch = 0; batch < p->batches; batch++) {
        const int8_t *image = d->input + batch * image_bytes;
        int8_t *out = d->output + batch * p->out_h * p->out_w * C;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t in_y0 = oy * p->stride_h - p->pad_h;
            const int32_t ky0 = max32(0, -in_y0), ky1 = min32(p->k_h, p->in_h - in_y0);
            for (int32_t ox = 0; ox < p->out_w; ox++, out += C) {
                const int32_t in_x0 = ox * p->stride_w - p->pad_w;
                const int32_t kx0 = max32(0, -in_x0), kx1 = min32(p->k_w, p->in_w - in_x0);
                for (int32_t g = 0; g < plan->groups; g++) {
                    const int32_t base = g * taps;
                    const bool two_words = g * LANES + 4 < C;
                    mac8_op(MAC8_SETPTR, 0, base, g);
                    int32_t ptr = base;
                    for (int32_t ky = ky0; ky < ky1 && kx0 < kx1; ky++) {
                        const int32_t want = base + ky * p->k_w + kx0;
                        if (want != ptr) mac8_op(MAC8_SETPTR, 0, want, g);
                        const int8_t *px = image + ((in_y0 + ky) * p->in_w + in_x0 + kx0) * C + g * LANES;
                        for (int32_t kx = kx0; kx < kx1; kx++, px += C) {
                            const uint32_t lo = *(const uint32_t *)px;
                            const uint32_t hi = two_words ? *(const uint32_t *)(px + 4) : 0;
                            mac8_op(MAC8_MAC, MAC8_DW, lo, hi);
                        }
                        ptr = want + (kx1 - kx0);
                    }
                    commit(&q, out + g * LANES, min32(LANES, C - g * LANES));
                }
            }
        }
    }
    flush(&q);
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
    const int32_t depth = p->accum_depth, words = depth / 4, out_c = p->out_c;
    const int32_t step = p->per_channel ? 1 : 0;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
    output_queue q = new_queue();
    for (int32_t batch = 0; batch < p->batches; batch++) {
        const uint32_t *x = (const uint32_t *)(d->input + batch * depth);
        mac8_op(MAC8_WLOAD, MAC8_W_SETUP, 0, words);
        for (int32_t i = 0; i < words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, x[i], 0);
        for (int32_t first = 0; first < out_c; first += LANES) {
            /* More channels than the parameter table holds: refill it as the blocks advance. */
            if (first % MAC8_CHANNELS == 0 && (batch == 0 || out_c > MAC8_CHANNELS))
                load_params(d->bias, p->out_mult, p->out_shift, first, min32(MAC8_CHANNELS, out_c - first), step);
            const int32_t block = (first / LANES) % (MAC8_CHANNELS / LANES);
            for (int32_t pair = 0; pair < LANES / 2 && first + 2 * pair < out_c; pair++) {
                const int32_t oc = first + 2 * pair;
                mac8_op(MAC8_SETPTR, 0, 0, block | (pair << 8));
                stream_fc(d->filter + oc * depth, oc + 1 < out_c ? d->filter + (oc + 1) * depth : NULL, words);
            }
            commit(&q, d->output + batch * out_c + first, min32(LANES, out_c - first));
        }
    }
    flush(&q);
}

/* ---- the tables the runtime looks up -------------------------------------------------- */
static const cfub_conv_kernel mac8_conv = {"mac8_conv", conv_prepare, conv_eval};
static const cfub_dw_kernel mac8_dw = {"mac8_dw", dw_prepare, dw_eval};
static const cfub_fc_kernel mac8_fc = {"mac8_fc", fc_prepare, fc_eval};

const cfub_conv_kernel *const cfub_accel_conv[] = {&mac8_conv, NULL};
const cfub_dw_kernel *const cfub_accel_depthwise[] = {&mac8_dw, NULL};
const cfub_fc_kernel *const cfub_accel_fc[] = {&mac8_fc, NULL};
