/* AVERAGE_POOL_2D on mac8 (`mac8_avg_pool`), layers whose windows all lie inside the input
 * (every window has the same tap count; VALID padding, as the MLPerf Tiny models use).
 *
 * MAC DW with every lane's weight w sums a window's taps, DW_LANES channels per instruction, into
 * w * sum; the requantizer's MBQM(w * sum, M, -k) must then equal TFLM's division of sum by
 * the count, rounded half away from zero. Prepare picks w and k (and M = ceil(2^(31+k) /
 * (w * count))) and checks the result for every sum a window can have, declining when no
 * choice is exact. */
#include "mac8_stream.h"

typedef struct {
    int32_t taps, weight, multiplier, shift;
} pool_plan;

/* The smallest sum whose rounded quotient is v (TFLM rounds half away from zero). */
static int32_t first_sum_of(int32_t v, int32_t count) {
    return v > 0 ? v * count - count / 2 : count / 2 - (1 - v) * count + 1;
}

/* Does MBQM(w * sum, m, -k) equal the rounded quotient for every possible sum? Both are
 * non-decreasing in sum and the quotient steps by one, so they agree everywhere when they
 * agree at both ends and on both sides of every step: 4 evaluations per output value instead
 * of one per sum (at 64 taps, 1 k instead of 16 k: this check dominated the model's setup).
 * Each step is also checked to be one, so a wrong first_sum_of declines instead of passing. */
static bool division_exact(int32_t count, int32_t w, int32_t m, int32_t k) {
    const int32_t lo = -128 * count, hi = 127 * count;
    if (cfub_mbqm(w * lo, m, -k) != cfub_avg_pool_divide(lo, count) ||
        cfub_mbqm(w * hi, m, -k) != cfub_avg_pool_divide(hi, count))
        return false;
    const int32_t v_lo = cfub_avg_pool_divide(lo, count), v_hi = cfub_avg_pool_divide(hi, count);
    for (int32_t v = v_lo + 1; v <= v_hi; v++) {
        const int32_t t = first_sum_of(v, count);
        if (t <= lo || t > hi || cfub_avg_pool_divide(t, count) != v ||
            cfub_avg_pool_divide(t - 1, count) != v - 1)
            return false;
        if (cfub_mbqm(w * t, m, -k) != v || cfub_mbqm(w * (t - 1), m, -k) != v - 1) return false;
    }
    return true;
}

static bool find_division(int32_t count, pool_plan *plan) {
    for (int32_t w = 127; w >= 1; w--) {
        /* the k giving M in [2^30, 2^31): the most precise multiplier for this w */
        const uint64_t wc = (uint64_t)w * (uint64_t)count;
        for (int32_t k = 0; k <= 31; k++) {
            const uint64_t m = ((UINT64_C(1) << (31 + k)) + wc - 1) / wc;
            if (m >= (UINT64_C(1) << 31)) break;
            if (m < (UINT64_C(1) << 30)) continue;
            if (division_exact(count, w, (int32_t)m, k)) {
                plan->weight = w;
                plan->multiplier = (int32_t)m;
                plan->shift = -k;
                return true;
            }
        }
    }
    return false;
}

static bool avg_pool_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    if (l->type != CFUB_TYPE_INT8) return false; /* int8 datapath only */
    const cfub_pool_params *p = l->params;
    const int32_t taps = p->k_h * p->k_w;
    if (!mac8_cfu_matches()) return false;
    if (p->channels % 4 != 0 || taps > DEPTH || taps < 1) return false;
    if (((uintptr_t)l->in[0] & 3) != 0) return false;
    /* every window inside: the same count everywhere */
    if (p->pad_h || p->pad_w || (p->out_h - 1) * p->stride_h + p->k_h > p->in_h ||
        (p->out_w - 1) * p->stride_w + p->k_w > p->in_w)
        return false;
    if (p->act_min < -128 || p->act_max > 127 || p->act_min > p->act_max) return false;
    pool_plan *plan = cfub_alloc_persistent(alloc, sizeof *plan);
    if (!plan) return false;
    plan->taps = taps;
    if (!find_division(taps, plan)) return false;
    *state = plan;
    return true;
}

static void avg_pool_eval(const cfub_layer *l, void *state) {
    const cfub_pool_params *p = l->params;
    const pool_plan *plan = state;
    const int32_t C = p->channels, taps = plan->taps, k_h = p->k_h, k_w = p->k_w;
    const int32_t in_w = p->in_w, out_h = p->out_h, out_w = p->out_w;
    const int32_t row_bytes = in_w * C, groups = (C + DW_LANES - 1) / DW_LANES, full_groups = C / DW_LANES;
    setup_layer(0, 0, p->act_min, p->act_max);
    for (int32_t lane = 0; lane < LANES; lane++) {
        mac8_op(MAC8_SETPARAM, MAC8_P_BIAS, 0, lane);
        mac8_op(MAC8_SETPARAM, MAC8_P_MULTIPLIER, plan->multiplier, lane);
        mac8_op(MAC8_SETPARAM, MAC8_P_SHIFT, plan->shift, lane);
    }
    mac8_op(MAC8_WLOAD, MAC8_W_SETUP, 0, taps);
    for (int32_t i = 0; i < LANES * taps; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, plan->weight, 0);
    const int8_t *const input = l->in[0];
    int8_t *out = l->out;
    output_queue q = new_queue();
    for (int32_t batch = 0; batch < p->batches; batch++) {
        const int8_t *image = input + batch * p->in_h * row_bytes;
        for (int32_t oy = 0; oy < out_h; oy++)
            for (int32_t ox = 0; ox < out_w; ox++, out += C) {
                const int8_t *corner = image + (oy * p->stride_h * in_w + ox * p->stride_w) * C;
                for (int32_t g = 0; g < groups; g++) {
                    mac8_op(MAC8_SETPTR, 0, 0, 0);
                    /* Odd groups walk the window backwards: a window larger than the data
                     * cache then starts where the previous group left its lines (the sum
                     * does not depend on the order). */
                    const bool back = g & 1;
                    const int32_t row_step = back ? -row_bytes : row_bytes, col_step = back ? -C : C;
                    const int8_t *row = corner + g * DW_LANES + (back ? (k_h - 1) * row_bytes + (k_w - 1) * C : 0);
                    for (int32_t ky = 0; ky < k_h; ky++, row += row_step) {
                        const int8_t *px = row;
                        if (g < full_groups) {
                            int32_t n = k_w;
                            for (; n >= 2; n -= 2, px += 2 * col_step) {
                                const uint32_t lo0 = *(const uint32_t *)px, hi0 = DW_HI(px);
                                const uint32_t lo1 = *(const uint32_t *)(px + col_step);
                                const uint32_t hi1 = DW_HI(px + col_step);
                                LOADS_DONE4(lo0, hi0, lo1, hi1);
                                mac8_op(MAC8_MAC, MAC8_DW, lo0, hi0);
                                mac8_op(MAC8_MAC, MAC8_DW, lo1, hi1);
                            }
                            if (n) mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, DW_HI(px));
                        } else { /* the last 4 channels: the word after them is not ours */
                            for (int32_t n = 0; n < k_w; n++, px += col_step)
                                mac8_op(MAC8_MAC, MAC8_DW, *(const uint32_t *)px, 0);
                        }
                    }
                    q = commit(q, out + g * DW_LANES, g < full_groups ? DW_LANES : C - full_groups * DW_LANES);
                }
            }
    }
    flush(q);
}

const cfub_kernel mac8_avg_pool = {CFUB_OP_AVERAGE_POOL_2D, "mac8_avg_pool", avg_pool_prepare, avg_pool_eval};
