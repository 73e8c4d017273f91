/* Reference SOFTMAX int8 -> int8 and int8 -> int16 (TFLM reference_ops::Softmax for quantized types): exp of the
 * scaled differences to the row maximum in gemmlowp fixed point (Q5.26 in, Q0.31 out), summed
 * in Q12.19, one fixed-point reciprocal, then a rounding shift to the 1/256 output scale. */
#include "cfub_kernels.h"

/* out_bits 8: int8 output (zero point -128, scale 1/256); 16: int16 output (zero point -32768,
 * scale 1/65536); TFLM's template differs only in the output type's width and minimum. */
static inline bool softmax(const cfub_softmax_params *p, const int8_t *input, void *output, int out_bits) {
    const int32_t out_min = out_bits == 16 ? INT16_MIN : INT8_MIN, out_max = out_bits == 16 ? INT16_MAX : INT8_MAX;
    const int32_t depth = p->depth;
    const int accumulation_integer_bits = 12;
    for (int32_t i = 0; i < p->outer; ++i) {
        const int8_t *in_row = input + i * depth;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < depth; ++c) max_in_row = cfub_max32(max_in_row, in_row[c]);

        int32_t sum_of_exps = 0; /* Q12.19 */
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t input_diff = in_row[c] - max_in_row;
            if (input_diff >= p->diff_min) {
                const int32_t rescaled = cfub_mbqm_gt1(input_diff, p->input_multiplier, p->input_left_shift);
                sum_of_exps = cfub_wrap_add(
                    sum_of_exps, cfub_rdbpot(cfub_exp_on_negative_values_q5(rescaled), accumulation_integer_bits));
            }
        }

        int num_bits_over_unit;
        const int32_t shifted_scale =
            cfub_get_reciprocal(sum_of_exps, accumulation_integer_bits, &num_bits_over_unit);
        const int exponent = num_bits_over_unit + 31 - out_bits;
        if (exponent < 0 || exponent > 31) return false;

        for (int32_t c = 0; c < depth; ++c) {
            const int32_t input_diff = in_row[c] - max_in_row;
            if (input_diff >= p->diff_min) {
                const int32_t rescaled = cfub_mbqm_gt1(input_diff, p->input_multiplier, p->input_left_shift);
                const int32_t exp_in_0 = cfub_exp_on_negative_values_q5(rescaled);
                const int32_t unsat_output = cfub_rdbpot(cfub_srdhm(shifted_scale, exp_in_0), exponent);
                const int32_t v = cfub_clamp(unsat_output + out_min, out_min, out_max);
                if (out_bits == 16) ((int16_t *)output)[i * depth + c] = (int16_t)v;
                else ((int8_t *)output)[i * depth + c] = (int8_t)v;
            } else if (out_bits == 16) {
                ((int16_t *)output)[i * depth + c] = INT16_MIN;
            } else {
                ((int8_t *)output)[i * depth + c] = INT8_MIN;
            }
        }
    }
    return true;
}

bool cfub_ref_softmax(const cfub_softmax_params *p, const int8_t *input, int8_t *output) {
    return softmax(p, input, output, 8);
}

bool cfub_ref_softmax_i16out(const cfub_softmax_params *p, const int8_t *input, int16_t *output) {
    return softmax(p, input, output, 16);
}

/* TFLM generic_int16_table_lookup: 512 segments over the int16 range, linear interpolation
 * on the low 7 bits. */
static inline int16_t lut_lookup(int16_t value, const int16_t *lut) {
    const uint16_t index = (uint16_t)(256 + (value >> 7));
    const int16_t offset = (int16_t)(value & 0x7f);
    const int16_t base = lut[index];
    const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
    const int32_t delta = ((int32_t)slope * offset + 64) >> 7;
    return (int16_t)(base + delta);
}

/* Reference SOFTMAX int16 -> int16 (TFLM reference_ops::SoftmaxInt16): exp through a table of
 * the differences to the row maximum rescaled to [-10, 0], the sum's reciprocal through a
 * table of 1 / (1 + x); the exps are kept in the output row meanwhile, as TFLM does. */
void cfub_ref_softmax_i16(const cfub_softmax16_params *p, const int16_t *input, int16_t *output) {
    const int32_t depth = p->depth;
    for (int32_t i = 0; i < p->outer; ++i) {
        const int16_t *in_row = input + i * depth;
        int16_t *exps = output + i * depth;
        int32_t max_in_row = INT16_MIN;
        for (int32_t c = 0; c < depth; ++c) max_in_row = cfub_max32(max_in_row, in_row[c]);
        int32_t sum_of_exps = 0; /* Q16.15 */
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t scaled_diff = cfub_mbqm(in_row[c] - max_in_row, p->input_multiplier, p->input_left_shift);
            const int32_t sym_scaled_diff = cfub_clamp(scaled_diff + 32767, INT16_MIN, INT16_MAX);
            exps[c] = lut_lookup((int16_t)sym_scaled_diff, cfub_softmax_exp_lut);
            sum_of_exps += exps[c];
        }
        const int headroom_plus_one = cfub_clz32((uint32_t)sum_of_exps);
        const int32_t shifted_sum = (int32_t)((((int64_t)sum_of_exps << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        const int32_t sym_shifted_sum = cfub_clamp(shifted_sum - ((1 << 15) + (1 << 16)), INT16_MIN, INT16_MAX);
        const int16_t reciprocal_scale_Q015 = lut_lookup((int16_t)sym_shifted_sum, cfub_softmax_one_over_one_plus_x_lut);
        const int right_shift = 31 - headroom_plus_one;
        const int64_t round = (int64_t)1 << (right_shift - 1);
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t result = (int32_t)(((int64_t)exps[c] * reciprocal_scale_Q015 + round) >> right_shift);
            output[i * depth + c] = (int16_t)cfub_clamp(result, 0, 32767);
        }
    }
}
