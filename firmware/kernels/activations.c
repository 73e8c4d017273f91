/* Reference RELU, RELU6, LEAKY_RELU, PRELU (int8 and int16) and HARD_SWISH (int8), TFLM's
 * activations.cc, reference_ops::QuantizeLeakyRelu, BroadcastPrelu4DSlow and HardSwish. */
#include "cfub_kernels.h"

void cfub_ref_relu(const cfub_relu_params *p, const void *input, void *output) {
    const int w = p->width;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = cfub_ld(input, i, w);
        const int32_t r = p->output_zero_point + cfub_mbqm(v - p->input_zero_point, p->output_multiplier, p->output_shift);
        cfub_st(output, i, w, cfub_clamp(r, p->act_min, p->act_max));
    }
}

void cfub_ref_relu6(const cfub_relu6_params *p, const void *input, void *output) {
    const int w = p->width;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = cfub_ld(input, i, w);
        /* TFLM's order of tests: with lower above upper (a six that saturated) upper wins */
        cfub_st(output, i, w, v > p->upper ? p->upper : v < p->lower ? p->lower : v);
    }
}

void cfub_ref_leaky_relu(const cfub_leaky_relu_params *p, const void *input, void *output) {
    const int w = p->width;
    const int32_t qmin = w == CFUB_I16 ? INT16_MIN : INT8_MIN, qmax = w == CFUB_I16 ? INT16_MAX : INT8_MAX;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = cfub_ld(input, i, w) - p->input_zero_point;
        const int32_t r = p->output_zero_point + (v >= 0 ? cfub_mbqm(v, p->multiplier_identity, p->shift_identity)
                                                         : cfub_mbqm(v, p->multiplier_alpha, p->shift_alpha));
        cfub_st(output, i, w, cfub_clamp(r, qmin, qmax));
    }
}

void cfub_ref_prelu(const cfub_prelu_params *p, const void *input, const int8_t *alpha, void *output) {
    const int w = p->width;
    const int32_t qmin = w == CFUB_I16 ? INT16_MIN : INT8_MIN, qmax = w == CFUB_I16 ? INT16_MAX : INT8_MAX;
    CFUB_BCAST_FOR(&p->bc, i1, i2, o, {
        const int32_t input_value = p->input_offset + cfub_ld(input, i1, w);
        int32_t r;
        if (input_value >= 0) {
            r = cfub_mbqm(input_value, p->multiplier_1, p->shift_1);
        } else {
            const int32_t alpha_value = p->alpha_offset + alpha[i2];
            r = cfub_mbqm(input_value * alpha_value, p->multiplier_2, p->shift_2);
        }
        cfub_st(output, o, w, cfub_clamp(r + p->output_offset, qmin, qmax));
    });
}

/* ---- 16-bit fixed point as gemmlowp and TFLM's hard_swish.h use it ---------------------- */
static inline int16_t srdhm16(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) return INT16_MAX;
    const int32_t ab = (int32_t)a * (int32_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((ab + nudge) / (1 << 15));
}

/* rounds toward zero (TFLM's SaturatingDoublingHighMul) */
static inline int16_t sdhm16(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN) return INT16_MAX;
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

static inline int16_t sat_shl16(int16_t v, int amount) {
    const int64_t r = (int64_t)v * ((int64_t)1 << amount);
    return (int16_t)(r > INT16_MAX ? INT16_MAX : r < INT16_MIN ? INT16_MIN : r);
}

/* gemmlowp RoundingDivideByPOT on int16: the mask is formed in int16, so exponents of 16 and
 * more give mask -1 (and a result of 1 or -1), as in TFLM. */
static inline int16_t rdbpot16(int16_t x, int exponent) {
    const int16_t mask = (int16_t)(((int64_t)1 << exponent) - 1);
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

void cfub_ref_hard_swish(const cfub_hard_swish_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int16_t input_value = (int16_t)(input[i] - p->input_zero_point);
        const int16_t hires = (int16_t)(input_value * (1 << 7));
        const int16_t preshift_output_scale = srdhm16(hires, p->output_multiplier_fixedpoint_int16);
        int16_t reluish = hires;
        if (p->reluish_multiplier_exponent > 0) reluish = sat_shl16(reluish, p->reluish_multiplier_exponent - 1);
        reluish = srdhm16(reluish, p->reluish_multiplier_fixedpoint_int16);
        if (p->reluish_multiplier_exponent > 0) reluish = sat_shl16(reluish, 1);
        if (p->reluish_multiplier_exponent < 0) reluish = rdbpot16(reluish, -p->reluish_multiplier_exponent);
        reluish = (int16_t)((reluish + (1 << 15)) >> 1);
        const int16_t preshift_output = sdhm16(reluish, preshift_output_scale);
        int16_t out = rdbpot16(preshift_output, -p->output_multiplier_exponent);
        out = (int16_t)(out + p->output_zero_point);
        out = out > INT8_MAX ? INT8_MAX : out < INT8_MIN ? INT8_MIN : out;
        output[i] = (int8_t)out;
    }
}
