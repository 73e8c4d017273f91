/* DEPTHWISE_CONV_2D on mac8 (`mac8_dw`). */
#include "mac8_stream.h"

/* Lane l of group g is channel DW_LANES*g+l; its buffer words g*taps.. hold one tap weight
 * each (in byte 0). A MAC takes the DW_LANES channels of one input pixel (two words, or one
 * with 4 lanes) and does DW_LANES MACs. On 16 lanes a group is 8 channels in lanes 0..7 of
 * its block (MAC DW takes 8 bytes), so its parameters go to slots 16g..16g+7. */

typedef struct {
    int32_t taps, groups;
} dw_plan;

static bool dw_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    const cfub_dw_params *p = l->params;
    const mac8_data data = mac8_layer_data(l), *d = &data;
    if (!mac8_cfu_matches()) return false;
    if (p->depth_multiplier != 1 || p->dil_h != 1 || p->dil_w != 1 || p->out_c > MAC8_CHANNELS) return false;
    if (p->in_c % 4 != 0 || !aligned4(d->input)) return false;
    if (!quantization_fits(p->input_offset, p->output_offset, p->act_min, p->act_max,
                           p->out_shift, p->out_c, 1))
        return false;
    const int32_t taps = p->k_h * p->k_w, groups = (p->in_c + DW_LANES - 1) / DW_LANES;
    if (taps * groups > DEPTH) return false;
#if DW_LANES != MAC8_LANES
    if (groups * LANES > MAC8_CHANNELS) return false;  /* 16 lanes: a block per 8 channels */
#endif
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
        mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, DW_HI(px));
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
        for (int32_t g = 0; g < groups; g++, px += DW_LANES) {
            dw3x3_block_fast(px, C, row_bytes, (uint32_t)(g * taps), (uint32_t)g, prev, sel);
            prev = out + g * DW_LANES;
            sel ^= MAC8_SLOT_SEL;
        }
    }
    fq->prev = prev;
    fq->sel = sel;
}

/* The layer constants an edge pixel needs, read once per call into registers. */
typedef struct {
    int32_t C, row_bytes, k_w, taps, groups;
} dw_shape;

/* All groups of one edge pixel (full groups only), in a function of its own for the reason
 * given at dw3x3_inside: compiled inside dw_eval, the loop spilled to the stack. */
static __attribute__((noinline)) void dw_edge_pixel(const dw_shape *s, const int8_t *corner, int32_t rows,
                                                    int32_t cols, int32_t first_tap, int8_t *out,
                                                    fast_queue *fq) {
    const int32_t C = s->C, row_bytes = s->row_bytes, k_w = s->k_w, taps = s->taps, groups = s->groups;
    int8_t *prev = fq->prev;
    uint32_t sel = fq->sel;
    for (int32_t g = 0; g < groups; g++, corner += DW_LANES) {
        dw_clipped_block_fast(corner, rows, cols, C, row_bytes, (uint32_t)(g * taps + first_tap), k_w,
                              (uint32_t)g, prev, sel);
        prev = out + g * DW_LANES;
        sel ^= MAC8_SLOT_SEL;
    }
    fq->prev = prev;
    fq->sel = sel;
}

/* A whole 3x3 layer with full groups in one call: first the pixels whose windows lie inside
 * the image, as one rectangle, then the edge pixels with clipped windows. Outputs can be
 * produced in any order (the queue stores each block where it belongs), and one call per
 * layer saves the register saves of a call per row or per edge pixel: those are stores,
 * and back-to-back stores are bus writes the CPU waits for. */
typedef struct {
    int32_t in_h, in_w, out_h, out_w, stride_h, stride_w, pad_h, pad_w, C, groups, taps;
} dw_geom;

static int32_t first_inside(int32_t pad, int32_t stride, int32_t out) {
    return min32(out, (pad + stride - 1) / stride);
}

static int32_t end_inside(int32_t in, int32_t pad, int32_t stride, int32_t out) {
    return in - 3 + pad >= 0 ? min32(out, (in - 3 + pad) / stride + 1) : 0;
}

static __attribute__((noinline)) void dw3x3_layer(const dw_geom *gm, const int8_t *image, int8_t *output,
                                                  fast_queue *fq) {
    const int32_t C = gm->C, groups = gm->groups, taps = gm->taps, in_w = gm->in_w, in_h = gm->in_h;
    const int32_t out_w = gm->out_w, out_h = gm->out_h, sh = gm->stride_h, sw = gm->stride_w;
    const int32_t ph = gm->pad_h, pw = gm->pad_w, row_bytes = in_w * C;
    const int32_t oy_lo = first_inside(ph, sh, out_h), oy_hi = end_inside(in_h, ph, sh, out_h);
    const int32_t ox_lo = first_inside(pw, sw, out_w), ox_hi = end_inside(in_w, pw, sw, out_w);
    int8_t *prev = fq->prev;
    uint32_t sel = fq->sel;
    for (int32_t oy = oy_lo; oy < oy_hi; oy++) {
        const int8_t *corner = image + (oy * sh - ph) * row_bytes + (ox_lo * sw - pw) * C;
        int8_t *out = output + (oy * out_w + ox_lo) * C;
        for (int32_t ox = ox_lo; ox < ox_hi; ox++, corner += sw * C, out += C)
            for (int32_t g = 0; g < groups; g++) {
                dw3x3_block_fast(corner + g * DW_LANES, C, row_bytes, (uint32_t)(g * taps), (uint32_t)g, prev, sel);
                prev = out + g * DW_LANES;
                sel ^= MAC8_SLOT_SEL;
            }
    }
    for (int32_t oy = 0; oy < out_h; oy++) {
        const bool row_inside = oy >= oy_lo && oy < oy_hi;
        const int32_t in_y0 = oy * sh - ph;
        const int32_t ky0 = max32(0, -in_y0), ky1 = min32(3, in_h - in_y0);
        for (int32_t ox = 0; ox < out_w; ox++) {
            if (row_inside && ox >= ox_lo && ox < ox_hi) {
                ox = ox_hi - 1;
                continue;
            }
            const int32_t in_x0 = ox * sw - pw;
            const int32_t kx0 = max32(0, -in_x0), kx1 = min32(3, in_w - in_x0);
            const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
            int8_t *out = output + (oy * out_w + ox) * C;
            const int8_t *corner = image + ((in_y0 + ky0) * in_w + in_x0 + kx0) * C;
            for (int32_t g = 0; g < groups; g++) {
                if (rows > 0 && cols > 0) {
                    dw_clipped_block_fast(corner + g * DW_LANES, rows, cols, C, row_bytes,
                                          (uint32_t)(g * taps + ky0 * 3 + kx0), 3, (uint32_t)g, prev, sel);
                } else { /* no tap inside: the output is the bias alone */
                    mac8_op(MAC8_SETPTR, 0, 0, g);
                    fast_queue f = {prev, sel};
                    commit_fast_dw(f, NULL);
                }
                prev = out + g * DW_LANES;
                sel ^= MAC8_SLOT_SEL;
            }
        }
    }
    fq->prev = prev;
    fq->sel = sel;
}

static void dw_eval(const cfub_layer *l, void *state) {
    const cfub_dw_params *p = l->params;
    const mac8_data data = mac8_layer_data(l), *d = &data;
    const dw_plan *plan = state;
    const int32_t taps = plan->taps, groups = plan->groups, C = p->in_c;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
#if DW_LANES == MAC8_LANES
    load_params(d->bias, p->out_mult, p->out_shift, 0, C, 1);
#else
    load_params_grouped(d->bias, p->out_mult, p->out_shift, C, DW_LANES);
#endif
    for (int32_t g = 0; g < groups; g++) {
        mac8_op(MAC8_WLOAD, MAC8_W_SETUP, g * taps, taps);
        for (int32_t lane = 0; lane < DW_LANES; lane++) {
            const int32_t c = g * DW_LANES + lane;
            for (int32_t t = 0; t < taps; t++)
                mac8_op(MAC8_WLOAD, MAC8_W_STREAM, c < C ? (uint8_t)d->filter[t * C + c] : 0, 0);
        }
    }
    const int32_t in_h = p->in_h, in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
    const int32_t k_h = p->k_h, k_w = p->k_w, stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t pad_h = p->pad_h, pad_w = p->pad_w, batches = p->batches;
    const int32_t image_bytes = in_h * in_w * C, row_bytes = in_w * C;
    const int32_t full_groups = C / DW_LANES, last_n = C - full_groups * DW_LANES;  /* last_n: 0 or 4 */
    const int8_t *const input = d->input;
    int8_t *const output = d->output;

    const bool full = C % DW_LANES == 0 && aligned4(output);
    output_queue q = new_queue();
    fast_queue f = new_fast_queue();
    if (full && k_h == 3 && k_w == 3) {
        const dw_geom gm = {in_h, in_w, out_h, out_w, stride_h, stride_w, pad_h, pad_w, C, groups, taps};
        for (int32_t batch = 0; batch < batches; batch++)
            dw3x3_layer(&gm, input + batch * image_bytes, output + batch * out_h * out_w * C, &f);
        store_previous_dw(f);
        return;
    }
#define COMMIT_BLOCK(dst, n) do { if (full) f = commit_fast_dw(f, (dst)); else q = commit(q, (dst), (n)); } while (0)
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
                if (full && rows > 0) {
                    const dw_shape shape = {C, row_bytes, k_w, taps, groups};
                    dw_edge_pixel(&shape, corner, rows, cols, first_tap, out, &f);
                    continue;
                }
                if (rows == 3 && cols == 3 && k_w == 3) {
                    /* The common case: a whole 3x3 window. */
                    const int8_t *px = corner;
                    for (int32_t g = 0, base = 0; g < full_groups; g++, base += taps, px += DW_LANES) {
                        if (full) {
                            dw3x3_block_fast(px, C, row_bytes, base, g, f.prev, f.sel);
                            f.prev = out + g * DW_LANES;
                            f.sel ^= MAC8_SLOT_SEL;
                            continue;
                        }
                        mac8_op(MAC8_SETPTR, 0, base, g);
                        dw_row3(px, C);
                        dw_row3(px + row_bytes, C);
                        dw_row3(px + 2 * row_bytes, C);
                        COMMIT_BLOCK(out + g * DW_LANES, DW_LANES);
                    }
                    if (full_groups == groups) continue;
                }
                for (int32_t g = 0, base = 0; g < groups; g++, base += taps, corner += DW_LANES) {
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
                                const uint32_t lo0 = *(const uint32_t *)px, hi0 = DW_HI(px);
                                const uint32_t lo1 = *(const uint32_t *)(px + C);
                                const uint32_t hi1 = DW_HI(px + C);
                                LOADS_DONE4(lo0, hi0, lo1, hi1);
                                mac8_op(MAC8_MAC, MAC8_DW, lo0, hi0);
                                mac8_op(MAC8_MAC, MAC8_DW, lo1, hi1);
                            }
                            if (n) mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, DW_HI(px));
                        }
                    } else { /* the last 4 channels: the word after them is not ours to read */
                        for (int32_t r = 0; r < rows; r++, row += row_bytes, tap += k_w) {
                            if (r && !contiguous) mac8_op(MAC8_SETPTR, 0, tap, g);
                            const int8_t *px = row;
                            for (int32_t n = 0; n < cols; n++, px += C)
                                mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, 0);
                        }
                    }
                    COMMIT_BLOCK(out + g * DW_LANES, g < full_groups ? DW_LANES : last_n);
                }
            }
        }
    }
    if (full) store_previous_dw(f);
    else flush(q);
#undef COMMIT_BLOCK
}

const cfub_kernel mac8_dw = {CFUB_OP_DEPTHWISE_CONV_2D, "mac8_dw", dw_prepare, dw_eval};
