/* CONV_2D on mac8 (`mac8_conv`). */
#include "mac8_stream.h"

/* Direct path (in_c a multiple of 4, input word aligned): each kernel row's valid taps are
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
    bool padded;             /* runs on a padded copy (mac8_stream.h) with these params: */
    mac8_pad_geometry pad;
    cfub_conv_params eff;
} conv_plan;

/* Few input channels: the geometry of a padded copy, pixels widened to a word when that
 * costs no extra MAC instructions (3x3x3: 9 words either way). */
static bool plan_padded_copy(const cfub_conv_params *p, mac8_pad_geometry *g, cfub_conv_params *eff) {
    if (p->in_c % 4 == 0 || p->batches != 1) return false;
    const int32_t c4 = (p->in_c + 3) & ~3;
    const bool widen = p->k_w * (c4 / 4) <= (p->k_w * p->in_c + 3) / 4;
    if (!mac8_pad_plan(g, p->in_h, p->in_w, p->in_c, widen ? c4 : p->in_c, p->out_h, p->out_w, p->k_h, p->k_w,
                       p->stride_h, p->stride_w, p->pad_h, p->pad_w, p->input_offset))
        return false;
    *eff = *p;
    eff->in_h = g->h;
    eff->in_w = g->w;
    eff->in_c = eff->filter_in_c = g->c;
    eff->pad_h = eff->pad_w = 0;
    return true;
}

static bool conv_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    if (l->type != CFUB_TYPE_INT8) return false; /* int8 datapath only */
    const cfub_conv_params *p = l->params;
    const mac8_data data = mac8_layer_data(l), *d = &data;
    if (!mac8_cfu_matches()) return false;
    if (p->int16x8) return false; /* int8 datapath only */
    if (p->filter_in_c != p->in_c || p->dil_h != 1 || p->dil_w != 1 || p->out_c > MAC8_CHANNELS) return false;
    if (!quantization_fits(p->input_offset, p->output_offset, p->act_min, p->act_max,
                           p->out_shift, p->out_c, 1))
        return false;
    mac8_pad_geometry pad;
    cfub_conv_params eff;
    const bool padded = plan_padded_copy(p, &pad, &eff);
    const int32_t source_c = p->in_c;
    if (padded) p = &eff;  /* from here on: the layer as it runs on the copy */
    const bool patch = p->in_c % 4 != 0 || (!padded && !aligned4(d->input));
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
    plan->padded = padded;
    if (padded) {
        plan->pad = pad;
        plan->eff = eff;
    }
    if (p->in_c != source_c) {
        /* widened pixels: each tap's source_c weights, then zeros to a whole word */
        const int32_t taps = p->k_h * p->k_w;
        int8_t *packed = cfub_alloc_persistent(alloc, (size_t)4 * row_words * p->out_c);
        if (!packed) return false;
        memset(packed, 0, (size_t)4 * row_words * p->out_c);
        for (int32_t oc = 0; oc < p->out_c; oc++)
            for (int32_t t = 0; t < taps; t++)
                memcpy(packed + (oc * taps + t) * p->in_c, d->filter + (oc * taps + t) * source_c, (size_t)source_c);
        plan->weights = packed;
    }
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
    if (k_h == 1 && (run == 32 || run == 16 || run == 8 || run == 4 || run == 2) && pixels > 0) {
        const held_run cfg = {nb, b0, row_words, pixel_step, out_c - nb * LANES, row_bytes};
        if (run == 32) conv_pixels_held32(&cfg, corner, pixels, out, &prev, &sel);
        else if (run == 16) conv_pixels_held16(&cfg, corner, pixels, out, &prev, &sel);
        else if (run == 8) conv_pixels_held8(&cfg, corner, pixels, out, &prev, &sel);
        else if (run == 4) conv_pixels_held4(&cfg, corner, pixels, out, &prev, &sel);
        else conv_pixels_held2(&cfg, corner, pixels, out, &prev, &sel);
        fq->prev = prev;
        fq->sel = sel;
        return;
    }
    if (k_h == 3 && run == 3 && pixels > 0) {
        const held_run cfg = {nb, b0, row_words, pixel_step, out_c - nb * LANES, row_bytes};
        conv_pixels_held3x3(&cfg, corner, pixels, out, &prev, &sel);
        fq->prev = prev;
        fq->sel = sel;
        return;
    }
    for (; pixels > 0; pixels--, corner += pixel_step, out += out_c) {
        for (int32_t j = 0; j < nb; j++) {
            conv_block_fast(corner, k_h, run, row_bytes, (uint32_t)(j * row_words), (uint32_t)(b0 + j), prev, sel);
            prev = out + j * LANES;
            sel ^= MAC8_SLOT_SEL;
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
    if (kernel_row_words == 1 && row_bytes % 4 == 0 && pixels > 0) {
        const held_run cfg = {nb, b0, row_words, pixel_step, out_c - nb * LANES, row_bytes};
        if (conv_pixels_rows(k_h, &cfg, corner, pixels, out, &f.prev, &f.sel)) {
            *fq = f;
            return;
        }
    }
    if (nb >= PATCH_FROM_BLOCKS) {
        for (; pixels > 0; pixels--, corner += pixel_step, out += out_c) {
            patch_from_words((uint32_t *)patch, corner, row_bytes, k_h, kernel_row_words);
            for (int32_t j = 0; j < nb; j++) {
                conv_block_fast(patch, 1, row_words, 0, (uint32_t)(j * row_words), (uint32_t)(b0 + j), f.prev, f.sel);
                f.prev = out + j * LANES;
                f.sel ^= MAC8_SLOT_SEL;
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

static void conv_eval(const cfub_layer *l, void *state) {
    const conv_plan *plan = state;
    const cfub_conv_params *p = plan->padded ? &plan->eff : l->params;
    mac8_data data = mac8_layer_data(l);
    if (plan->padded) data.input = mac8_pad_image(&plan->pad, data.input);
    const mac8_data *const d = &data;
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
#define FAST_BLOCK_DONE(dst) do { f.prev = (dst); f.sel ^= MAC8_SLOT_SEL; } while (0)
    for (int32_t b0 = 0; b0 < blocks; b0 += blocks_per_pass) {
        const int32_t nb = min32(blocks_per_pass, blocks - b0);
        for (int32_t j = 0; j < nb; j++) {
            const int32_t first = (b0 + j) * LANES;
            load_block(plan->weights + first * 4 * row_words, row_words, min32(LANES, out_c - first),
                       j * row_words);
        }
        const int32_t last_n = min32(LANES, out_c - (b0 + nb - 1) * LANES);
        const inside_run inside = {nb, b0, row_words, k_h, k_w * tap_words, row_bytes, stride_w * in_c, out_c};
        const bool pointwise = full && !patch && k_h == 1 && k_w == 1 && stride_h == 1 && stride_w == 1 &&
                               pad_h == 0 && pad_w == 0 && out_h == in_h && out_w == in_w;
        for (int32_t batch = 0; batch < batches; batch++) {
            const int8_t *image = input + batch * image_bytes;
            int8_t *out = output + batch * out_h * out_w * out_c + b0 * LANES;
            if (pointwise) {
                /* Input and output pixels are each one contiguous run: the whole image in
                 * one call, without the row loop's per-row work (and its I-cache misses). */
                conv_inside_direct(&inside, image, out, out_h * out_w, &f);
                continue;
            }
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

const cfub_kernel mac8_conv = {CFUB_OP_CONV_2D, "mac8_conv", conv_prepare, conv_eval};
