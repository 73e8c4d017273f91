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
    if (l->type != CFUB_TYPE_INT8) return false; /* int8 datapath only */
    const cfub_dw_params *p = l->params;
    const mac8_data data = mac8_layer_data(l), *d = &data;
    if (!mac8_cfu_matches()) return false;
    if (p->int16x8) return false; /* int8 datapath only */
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

/* Four lanes' weights from one word: MAC DW multiplies by byte 0 of a weight word only. */
static inline void stream_dw_word(uint32_t w) {
    mac8_op(MAC8_WLOAD, MAC8_W_STREAM, w, 0);
    mac8_op(MAC8_WLOAD, MAC8_W_STREAM, w >> 8, 0);
    mac8_op(MAC8_WLOAD, MAC8_W_STREAM, w >> 16, 0);
    mac8_op(MAC8_WLOAD, MAC8_W_STREAM, w >> 24, 0);
}

/* Tap by tap: a tap's DW_LANES channels are contiguous in the filter ([1][k_h][k_w][C]), so
 * one or two word loads give a group's weights for that tap, each lane taking its byte
 * shifted down to byte 0. Channel by channel, at stride C, cost a byte load and its stall
 * per weight, and on wide layers a D-cache miss (a channel's taps C bytes apart share sets of
 * the direct-mapped cache). C % 4 == 0 (dw_prepare). */
static void load_dw_weights(const int8_t *filter, int32_t C, int32_t taps, int32_t groups) {
    const bool aligned = aligned4(filter);   /* then every tap's words are: C % 4 == 0 */
    for (int32_t g = 0; g < groups; g++) {
        const int8_t *w = filter + g * DW_LANES;
        const bool half = C - g * DW_LANES < DW_LANES;   /* 4 channels of 8: zeros above them */
        for (int32_t t = 0; t < taps; t++, w += C) {
            mac8_op(MAC8_WLOAD, MAC8_W_SETUP, g * taps + t, 1);   /* one word per lane */
            stream_dw_word(aligned ? *(const uint32_t *)w : load_word(w));
#if DW_LANES == 8
            stream_dw_word(half ? 0 : aligned ? *(const uint32_t *)(w + 4) : load_word(w + 4));
#else
            (void)half;
#endif
        }
    }
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

/* A whole 3x3 layer with full groups in one call (dw3x3_layer): each row's run of pixels
 * whose windows lie inside the image in one loop, the edge pixels each in a call (its
 * register saves are stores, and back-to-back stores are bus writes the CPU waits for, so
 * not a call per inside pixel). Outputs can be produced in any order: the queue stores each
 * block where it belongs. */
typedef struct {
    int32_t in_h, in_w, out_h, out_w, stride_h, stride_w, pad_h, pad_w, C, groups, taps;
    uint32_t z;               /* the padding byte, in every byte of a word */
    const int8_t *pad_row;    /* 3 * C + 8 padding bytes: a kernel row outside the image */
} dw_geom;

/* The padding rows of dw3x3_layer: a row outside the image reads its taps here. */
static uint32_t dw_pad_row[(3 * MAC8_CHANNELS + 8) / 4];

static const int8_t *fill_pad_row(int32_t C, uint32_t z) {
    static int32_t filled;      /* words of dw_pad_row holding z */
    static uint32_t filled_z;
    const int32_t words = (3 * C + 8) / 4;
    if (filled_z != z) filled = 0;
    for (; filled < words; filled++) dw_pad_row[filled] = z;
    filled_z = z;
    return (const int8_t *)dw_pad_row;
}

/* The edge pixels with a fast block: a window clipped at the top or bottom (all three
 * columns inside) or by one column on the left or right. */
enum { EDGE_ROWS, EDGE_PAD_LEFT, EDGE_PAD_RIGHT, EDGE_CLIPPED };

static int edge_kind(int32_t kx0, int32_t kx1) {
    if (kx0 == 0 && kx1 == 3) return EDGE_ROWS;
    if (kx0 == 1 && kx1 == 3) return EDGE_PAD_LEFT;
    if (kx0 == 0 && kx1 == 2) return EDGE_PAD_RIGHT;
    return EDGE_CLIPPED;
}

static int32_t first_inside(int32_t pad, int32_t stride, int32_t out) {
    return min32(out, (pad + stride - 1) / stride);
}

static int32_t end_inside(int32_t in, int32_t pad, int32_t stride, int32_t out) {
    return in - 3 + pad >= 0 ? min32(out, (in - 3 + pad) / stride + 1) : 0;
}

/* The groups of an edge pixel of one kind: r0..r2 are its kernel rows' first loaded taps. */
#define DW_EDGE_GROUPS(CALL)                                                                \
    for (int32_t g = 0; g < groups; g++, r0 += DW_LANES, r1 += DW_LANES, r2 += DW_LANES) {   \
        const uint32_t ptr = (uint32_t)(g * taps), block = (uint32_t)g;                     \
        CALL;                                                                               \
        prev = out + g * DW_LANES;                                                          \
        sel ^= MAC8_SLOT_SEL;                                                               \
    }

/* All groups of output pixel (oy, ox), whose window is not inside the image: rows outside it
 * read the padding row, a column outside it takes the padding word; windows clipped more
 * than that (an image narrower than the kernel) take dw_clipped_block_fast. In a function of
 * its own so that dw3x3_layer's inside loop keeps its registers. */
static __attribute__((noinline)) void dw3x3_edge_pixel(const dw_geom *gm, const int8_t *image, int8_t *out,
                                                       int32_t oy, int32_t ox, fast_queue *fq) {
    const int32_t C = gm->C, groups = gm->groups, taps = gm->taps, in_w = gm->in_w, in_h = gm->in_h;
    const int32_t in_y0 = oy * gm->stride_h - gm->pad_h, in_x0 = ox * gm->stride_w - gm->pad_w;
    const int32_t ky0 = max32(0, -in_y0), ky1 = min32(3, in_h - in_y0);
    const int32_t kx0 = max32(0, -in_x0), kx1 = min32(3, in_w - in_x0);
    const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
    const int kind = edge_kind(kx0, kx1);
    int8_t *prev = fq->prev;
    uint32_t sel = fq->sel;
    if (rows > 0 && kind != EDGE_CLIPPED) {
        const int8_t *r[3];
        for (int32_t k = 0; k < 3; k++)
            r[k] = k >= ky0 && k < ky1 ? image + ((in_y0 + k) * in_w + in_x0 + kx0) * C : gm->pad_row;
        const int8_t *r0 = r[0], *r1 = r[1], *r2 = r[2];
        const uint32_t z = gm->z;
        if (kind == EDGE_ROWS) {
            DW_EDGE_GROUPS(dw_edge_block_rows(r0, r1, r2, C, ptr, block, prev, sel))
        } else if (kind == EDGE_PAD_LEFT) {
            DW_EDGE_GROUPS(dw_edge_block_pad_left(r0, r1, r2, C, z, ptr, block, prev, sel))
        } else {
            DW_EDGE_GROUPS(dw_edge_block_pad_right(r0, r1, r2, C, z, ptr, block, prev, sel))
        }
    } else {
        const int8_t *corner = image + ((in_y0 + ky0) * in_w + in_x0 + kx0) * C;
        for (int32_t g = 0; g < groups; g++) {
            if (rows > 0 && cols > 0) {
                dw_clipped_block_fast(corner + g * DW_LANES, rows, cols, C, in_w * C,
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
    fq->prev = prev;
    fq->sel = sel;
}
#undef DW_EDGE_GROUPS

static __attribute__((noinline)) void dw3x3_layer(const dw_geom *gm, const int8_t *image, int8_t *output,
                                                  fast_queue *fq) {
    const int32_t C = gm->C, groups = gm->groups, taps = gm->taps, in_w = gm->in_w, in_h = gm->in_h;
    const int32_t out_w = gm->out_w, out_h = gm->out_h, sh = gm->stride_h, sw = gm->stride_w;
    const int32_t ph = gm->pad_h, pw = gm->pad_w, row_bytes = in_w * C;
    const int32_t oy_lo = first_inside(ph, sh, out_h), oy_hi = end_inside(in_h, ph, sh, out_h);
    const int32_t ox_lo = first_inside(pw, sw, out_w), ox_hi = end_inside(in_w, pw, sw, out_w);
    /* Row by row, edge pixels in their place: a row's edge pixels then find the image rows
     * they read still in the D-cache (an image is larger than the cache). */
    for (int32_t oy = 0; oy < out_h; oy++) {
        const bool row_inside = oy >= oy_lo && oy < oy_hi && ox_lo < ox_hi;
        for (int32_t ox = 0; ox < out_w; ox++) {
            if (!row_inside || ox != ox_lo) {
                dw3x3_edge_pixel(gm, image, output + (oy * out_w + ox) * C, oy, ox, fq);
                continue;
            }
            const int8_t *corner = image + (oy * sh - ph) * row_bytes + (ox_lo * sw - pw) * C;
            int8_t *out = output + (oy * out_w + ox_lo) * C;
            int8_t *prev = fq->prev;
            uint32_t sel = fq->sel;
            for (; ox < ox_hi; ox++, corner += sw * C, out += C)
                for (int32_t g = 0; g < groups; g++) {
                    dw3x3_block_fast(corner + g * DW_LANES, C, row_bytes, (uint32_t)(g * taps), (uint32_t)g,
                                     prev, sel);
                    prev = out + g * DW_LANES;
                    sel ^= MAC8_SLOT_SEL;
                }
            fq->prev = prev;
            fq->sel = sel;
            ox--;   /* the loop's ox++ moves to ox_hi */
        }
    }
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
    load_dw_weights(d->filter, C, taps, groups);
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
        const uint32_t z = (uint8_t)-p->input_offset * 0x01010101u;
        const dw_geom gm = {in_h, in_w, out_h, out_w, stride_h, stride_w, pad_h, pad_w, C, groups, taps,
                            z, fill_pad_row(C, z)};
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
