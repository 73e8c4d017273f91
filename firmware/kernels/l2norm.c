/* Reference L2_NORMALIZATION int8 (TFLM reference_integer_ops::L2Normalization): per row, the
 * sum of squares' inverse square root as a Q31 multiplier (Newton-Raphson in gemmlowp fixed
 * point, TFLM's GetInvSqrtQuantizedMultiplierExp), output on the 1/128 scale. */
#include "cfub_kernels.h"

/* GetInvSqrtQuantizedMultiplierExp with reverse_shift -1: *shift is a left shift. */
static void inv_sqrt_multiplier(int32_t input, int32_t *inv_sqrt, int *shift) {
    if (input <= 1) {
        *inv_sqrt = INT32_MAX;
        *shift = 0;
        return;
    }
    int s = 11;
    while (input >= (1 << 29)) {
        input /= 4;
        ++s;
    }
    const unsigned max_left_shift_bits = (unsigned)cfub_clz32((uint32_t)input) - 1u;
    const unsigned left_shift_bit_pairs = max_left_shift_bits / 2u - 1u;
    s -= (int)left_shift_bit_pairs;
    input = (int32_t)((uint32_t)input << (2u * left_shift_bit_pairs));
    /* Q3.28 Newton-Raphson for 1/sqrt, starting at 1, five steps */
    const int32_t fixedpoint_input = input >> 1;
    const int32_t half_input = cfub_rdbpot(fixedpoint_input, 1);
    const int32_t half_three = (1 << 28) + (1 << 27);
    int32_t x = 1 << 28;
    for (int i = 0; i < 5; i++) {
        const int32_t x3 = cfub_sat_shl(cfub_srdhm(cfub_srdhm(x, x), x), 6);
        x = cfub_sat_shl((int32_t)((uint32_t)cfub_srdhm(half_three, x) - (uint32_t)cfub_srdhm(half_input, x3)), 3);
    }
    x = cfub_srdhm(x, 1518500250); /* sqrt(2) / 2 in Q0.31 */
    if (s < 0) {
        x = (int32_t)((uint32_t)x << -s);
        s = 0;
    }
    *inv_sqrt = x;
    *shift = -s;
}

void cfub_ref_l2norm(const cfub_l2norm_params *p, const int8_t *input, int8_t *output) {
    const int32_t depth = p->depth;
    for (int32_t o = 0; o < p->outer; ++o) {
        const int8_t *row = input + o * depth;
        int32_t acc = 0;
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t v = row[c] - p->input_zero_point;
            acc += v * v;
        }
        int32_t inv_mult;
        int inv_shift;
        inv_sqrt_multiplier(acc, &inv_mult, &inv_shift);
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t v = row[c] - p->input_zero_point;
            const int32_t q = cfub_mbqm(v, inv_mult, inv_shift + 7);
            output[o * depth + c] = (int8_t)cfub_clamp(q, INT8_MIN, INT8_MAX);
        }
    }
}
