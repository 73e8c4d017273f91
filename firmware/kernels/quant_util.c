/* Prepare-time quantization arithmetic, matching TFLM's quantization_util.cc / kernel_util.cc.
 *
 * frexp and round are done on the IEEE-754 bit patterns so the firmware needs no libm and the
 * result is the same on the host and on a soft-float rv32im: the only floating point operations
 * left are the few multiplies/divides TFLM itself does in double or float, which are correctly
 * rounded everywhere. */
#include "cfub_string.h"

#include "cfub_kernels.h"

/* f = mant * 2^exp with mant in [2^23, 2^24), for positive normal floats only. */
static bool float_parts(float f, uint32_t *mant, int *exp) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    const int biased = (int)((bits >> 23) & 0xff);
    if ((bits >> 31) || biased == 0 || biased == 0xff) return false;
    *mant = (bits & 0x7fffffu) | 0x800000u;
    *exp = biased - 150;
    return true;
}

/* floor(2^78 / d) for d in [2^23, 2^24), a byte at a time with 32-bit divisions (rv32im
 * divides 32 bits in hardware; a 64-bit division is a library loop of a bit per step). */
static uint64_t reciprocal78(uint32_t d) {
    uint64_t q = 0;
    uint32_t r = 0;
    for (int bit = 72; bit >= 0; bit -= 8) {
        r = (r << 8) | (bit == 72 ? 0x40u : 0u);    /* 2^78 is 0x40 in the byte at bit 72 */
        const uint32_t digit = r / d;                /* r < d * 2^8 < 2^32 */
        r -= digit * d;
        q = (q << 8) | digit;
    }
    return q;
}

/* floor(x * y / 2^48) for x < 2^48, y < 2^56, from 32 x 32 -> 64-bit products. */
static uint64_t mul_shift48(uint64_t x, uint64_t y) {
    const uint32_t x0 = (uint32_t)x, x1 = (uint32_t)(x >> 32), y0 = (uint32_t)y, y1 = (uint32_t)(y >> 32);
    const uint64_t p00 = (uint64_t)x0 * y0, p01 = (uint64_t)x0 * y1, p10 = (uint64_t)x1 * y0;
    const uint64_t p11 = (uint64_t)x1 * y1;
    const uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    const uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return (hi << 16) | ((uint32_t)mid >> 16);
}

void cfub_ratio_init(cfub_ratio *r, float a, float c) {
    r->a = a;
    r->c = c;
    r->exact = float_parts(a, &r->ma, &r->ea) && float_parts(c, &r->mc, &r->ec);
    if (r->exact) r->reciprocal = reciprocal78(r->mc);
}

/* (double)a * (double)b / (double)c, the requantization scale TFLM computes per channel, in
 * integers: the product of two floats is exact in double, so the one rounding is the
 * division's, done here to nearest-even on a 53-bit quotient from the layer's reciprocal of
 * c's mantissa (one multiply, one correction). Soft-float multiply and divide cost ~1.4 k
 * cycles per channel, most of a model's setup (vww has ~3 k channels). Inputs or results
 * outside positive normal numbers take the floating-point expression itself. */
double cfub_ratio_of(const cfub_ratio *r, float b) {
    uint32_t mb;
    int eb;
    if (!r->exact || !float_parts(b, &mb, &eb)) return (double)r->a * (double)b / (double)r->c;
    const uint32_t mc = r->mc;
    const uint64_t p = (uint64_t)r->ma * mb;                 /* [2^46, 2^48) */
    /* q30 = floor(p * 2^30 / mc): the estimate is at most one below (p / 2^48 < 1) */
    uint64_t q30 = mul_shift48(p, r->reciprocal);
    if ((p << 30) - q30 * mc >= mc) q30++;                  /* mod 2^64: the true value is < 2 mc */
    /* q30 is in [2^52, 2^55): keep 53 bits, k = 30 - dropped bits */
    const int drop = q30 >= (UINT64_C(1) << 54) ? 2 : q30 >= (UINT64_C(1) << 53) ? 1 : 0;
    int k = 30 - drop;
    uint64_t mant = q30 >> drop;
    const uint64_t rem = (p << k) - mant * mc;              /* < mc */
    if (2 * rem > mc || (2 * rem == mc && (mant & 1))) mant++;
    if (mant == (UINT64_C(1) << 53)) {
        mant >>= 1;
        k--;
    }
    /* value = mant * 2^(ea + eb - ec - k); the biased exponent of mant * 2^x is x + 52 + 1023 */
    const int biased = r->ea + eb - r->ec - k + 52 + 1023;
    if (biased < 1 || biased > 2046) return (double)r->a * (double)b / (double)r->c;
    const uint64_t bits = ((uint64_t)biased << 52) | (mant & ((UINT64_C(1) << 52) - 1));
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

double cfub_scale_ratio(float a, float b, float c) {
    cfub_ratio r;
    cfub_ratio_init(&r, a, c);
    return cfub_ratio_of(&r, b);
}

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
    return cfub_activation_range_q(activation, scale, zero_point, -128, 127, act_min, act_max);
}

bool cfub_activation_range_q(int activation, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                             int32_t *act_min, int32_t *act_max) {
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

bool cfub_frexp_q31(double m, int32_t *q, int *exponent) {
    int32_t quantized;
    int shift;
    if (!cfub_quantize_multiplier(m, &quantized, &shift)) return false;
    /* QuantizeMultiplier halves a fraction that rounds up to 2^31 and bumps the exponent;
     * frexp + round keeps 2^31, which does not fit the int32 TFLM stores it in */
    if (quantized == (INT32_C(1) << 30) && m != 0.0) {
        int e;
        uint64_t bits;
        memcpy(&bits, &m, sizeof bits);
        e = (int)((bits >> 52) & 0x7ff) - 1022;
        if (e != shift) return false;
    }
    if (quantized == 0 && m != 0.0) return false; /* subnormal or far below 2^-31 */
    *q = quantized;
    *exponent = shift;
    return true;
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
