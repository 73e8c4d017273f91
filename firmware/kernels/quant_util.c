/* Prepare-time quantization arithmetic, matching TFLM's quantization_util.cc / kernel_util.cc.
 *
 * frexp and round are done on the IEEE-754 bit patterns so the firmware needs no libm and the
 * result is the same on the host and on a soft-float rv32im: the only floating point operations
 * left are the few multiplies/divides TFLM itself does in double or float, which are correctly
 * rounded everywhere. */
#include "cfub_string.h"

#include "cfub_kernels.h"

bool cfub_quantize_multiplier(double m, int32_t *quantized, int *shift) {
    uint64_t bits;
    memcpy(&bits, &m, sizeof bits);
    const int biased_exp = (int)((bits >> 52) & 0x7ff);
    if (biased_exp == 0x7ff) return false;
    if ((bits & ~(UINT64_C(1) << 63)) == 0 || biased_exp == 0) {
        /* zero gives (0, 0) in TFLM; subnormals have frexp exponents far below -31, which
         * TFLM flushes to (0, 0) as well */
        *quantized = 0;
        *shift = 0;
        return true;
    }
    /* m = mant * 2^(biased_exp - 1075); frexp gives q = mant / 2^53 and exponent
     * biased_exp - 1022; round(q * 2^31) = round(mant / 2^22), half away from zero. */
    const uint64_t mant = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    int e = biased_exp - 1022;
    int64_t q_fixed = (int64_t)((mant + (UINT64_C(1) << 21)) >> 22);
    if (bits >> 63) q_fixed = -q_fixed;
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        ++e;
    }
    if (e < -31) {
        e = 0;
        q_fixed = 0;
    }
    *quantized = (int32_t)q_fixed;
    *shift = e;
    return true;
}

float cfub_roundf(float x) {
    /* floats at or beyond 2^23 in magnitude are already integers (or inf/nan) */
    if (!(x > -8388608.0f && x < 8388608.0f)) return x;
    int32_t i = (int32_t)x;
    const float frac = x - (float)i; /* exact: both operands share the integer part */
    if (frac >= 0.5f) i += 1;
    else if (frac <= -0.5f) i -= 1;
    if (i == 0 && x < 0.0f) return -0.0f;
    return (float)i;
}

int32_t cfub_f32_to_i32(float x) {
    if (!(x >= -2147483648.0f && x < 2147483648.0f)) return INT32_MIN;
    return (int32_t)x;
}

static bool quantize_bound(float scale, int32_t zero_point, float f, int32_t *q) {
    const float tmp = cfub_roundf(f / scale);
    if (!(tmp >= -2147483648.0f && tmp <= 2147483648.0f)) return false;
    *q = cfub_wrap_add(zero_point, cfub_f32_to_i32(tmp));
    return true;
}

bool cfub_activation_range(int activation, float scale, int32_t zero_point,
                           int32_t *act_min, int32_t *act_max) {
    const int32_t qmin = -128, qmax = 127;
    int32_t q;
    switch (activation) {
    case CFUB_ACT_NONE:
        *act_min = qmin;
        *act_max = qmax;
        return true;
    case CFUB_ACT_RELU:
        if (!quantize_bound(scale, zero_point, 0.0f, &q)) return false;
        *act_min = cfub_max32(qmin, q);
        *act_max = qmax;
        return true;
    case CFUB_ACT_RELU6:
        if (!quantize_bound(scale, zero_point, 0.0f, &q)) return false;
        *act_min = cfub_max32(qmin, q);
        if (!quantize_bound(scale, zero_point, 6.0f, &q)) return false;
        *act_max = cfub_min32(qmax, q);
        return true;
    case CFUB_ACT_RELU_N1_TO_1:
        if (!quantize_bound(scale, zero_point, -1.0f, &q)) return false;
        *act_min = cfub_max32(qmin, q);
        if (!quantize_bound(scale, zero_point, 1.0f, &q)) return false;
        *act_max = cfub_min32(qmax, q);
        return true;
    default:
        return false;
    }
}

bool cfub_softmax_prepare(float beta, float input_scale, cfub_softmax_params *p) {
    const int scaled_diff_integer_bits = 5;
    const double max_real_multiplier = 2147483647.0;
    double m = (double)beta * (double)input_scale * (double)(1 << (31 - scaled_diff_integer_bits));
    if (max_real_multiplier < m) m = max_real_multiplier;
    if (!(m > 1.0)) return false; /* QuantizeMultiplierGreaterThanOne's check */
    int32_t qm;
    int shift;
    if (!cfub_quantize_multiplier(m, &qm, &shift) || shift < 0 || shift > 31) return false;
    p->input_multiplier = qm;
    p->input_left_shift = shift;
    /* CalculateInputRadius: floor(31 * 2^26 / 2^shift), exact in integers */
    const int64_t radius = (((int64_t)((1 << scaled_diff_integer_bits) - 1)) << (31 - scaled_diff_integer_bits)) >> shift;
    p->diff_min = (int32_t)-radius;
    return true;
}
