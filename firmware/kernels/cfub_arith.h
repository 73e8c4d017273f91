/* Integer arithmetic shared by the reference kernels and by CFU-accelerated kernels.
 *
 * Every function here reproduces, bit for bit, the arithmetic of TFLM's reference integer
 * kernels (gemmlowp fixed point, non-single-rounding build). Accelerated kernels must produce
 * the same bytes, so they should call these rather than re-derive them.
 *
 * Overflow discipline: where TFLM relies on int32 wrap-around (bias add, pre-shift of the
 * accumulator) we wrap explicitly through uint32, which is defined behaviour in C and gives the
 * same bits as TFLM on every two's complement target. */
#ifndef CFUB_ARITH_H
#define CFUB_ARITH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline int32_t cfub_wrap_add(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t cfub_wrap_shl(int32_t x, int n) {
    return (int32_t)((uint32_t)x << n);
}

static inline int32_t cfub_min32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t cfub_max32(int32_t a, int32_t b) { return a > b ? a : b; }

static inline int32_t cfub_clamp(int32_t x, int32_t lo, int32_t hi) {
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

/* gemmlowp SaturatingRoundingDoublingHighMul: (a*b*2 + 2^31) >> 32 with round-half-away,
 * computed as a truncating division so negative products round exactly like gemmlowp. */
static inline int32_t cfub_srdhm(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) return INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* gemmlowp RoundingDivideByPOT: arithmetic shift right, rounding half away from zero.
 * exponent must be in [0, 31]; prepare() guarantees it. */
static inline int32_t cfub_rdbpot(int32_t x, int exponent) {
    const int32_t mask = (int32_t)((UINT32_C(1) << exponent) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLM MultiplyByQuantizedMultiplier (two roundings). shift > 0 shifts left before the
 * high multiply, shift < 0 divides after it; shift must be in [-31, 31]. */
static inline int32_t cfub_mbqm(int32_t x, int32_t multiplier, int shift) {
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return cfub_rdbpot(cfub_srdhm(cfub_wrap_shl(x, left), multiplier), right);
}

/* Element i of an int64 array that may be only 4-byte aligned (a model buffer's data is
 * aligned to its length prefix, not to 8): RISC-V cores may trap on a misaligned 64-bit load. */
static inline int64_t cfub_load_i64(const void *base, int32_t i) {
    int64_t v;
    __builtin_memcpy(&v, (const uint8_t *)base + (size_t)i * 8u, sizeof v);
    return v;
}

/* TFLM MultiplyByQuantizedMultiplier for an int64 accumulator (int16x8 layers with int64
 * bias): the multiplier is first reduced to 16 bits, then one rounding shift. shift must be at
 * most 14 (prepare refuses more: TFLM's shift by 15 - shift would be undefined). The product
 * wraps through uint64 and the result is truncated to int32, as on TFLM's build host. */
static inline int32_t cfub_mbqm64(int64_t x, int32_t multiplier, int shift) {
    const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int total_shift = 15 - shift;
    const int64_t prod = (int64_t)((uint64_t)x * (uint64_t)(int64_t)reduced);
    const int64_t rounded = (int64_t)((uint64_t)prod + (UINT64_C(1) << (total_shift - 1)));
    return (int32_t)(uint32_t)(uint64_t)(rounded >> total_shift);
}

/* TFLM MultiplyByQuantizedMultiplierSmallerThanOneExp: left_shift <= 0. */
static inline int32_t cfub_mbqm_lt1(int32_t x, int32_t multiplier, int left_shift) {
    return cfub_rdbpot(cfub_srdhm(x, multiplier), -left_shift);
}

/* TFLM MultiplyByQuantizedMultiplierGreaterThanOne: left_shift >= 0. */
static inline int32_t cfub_mbqm_gt1(int32_t x, int32_t multiplier, int left_shift) {
    return cfub_srdhm(cfub_wrap_shl(x, left_shift), multiplier);
}

/* ---- gemmlowp fixed point pieces used by int8 SOFTMAX ---------------------------------- */

/* SaturatingRoundingMultiplyByPOT with a positive exponent: saturating left shift. */
static inline int32_t cfub_sat_shl(int32_t x, int exponent) {
    const int32_t threshold = (int32_t)((UINT32_C(1) << (31 - exponent)) - 1u);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return cfub_wrap_shl(x, exponent);
}

static inline int32_t cfub_rounding_half_sum(int32_t a, int32_t b) {
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out (Taylor series around -1/8). */
static inline int32_t cfub_exp_on_interval_neg_quarter(int32_t a) {
    const int32_t constant_term = 1895147668;     /* exp(-1/8) in Q0.31 */
    const int32_t constant_1_over_3 = 715827883;  /* 1/3 in Q0.31 */
    const int32_t x = cfub_wrap_add(a, 1 << 28);  /* a + 1/8 */
    const int32_t x2 = cfub_srdhm(x, x);
    const int32_t x3 = cfub_srdhm(x2, x);
    const int32_t x4 = cfub_srdhm(x2, x2);
    const int32_t x4_over_4 = cfub_rdbpot(x4, 2);
    const int32_t poly = cfub_rdbpot(
        cfub_wrap_add(cfub_srdhm(cfub_wrap_add(x4_over_4, x3), constant_1_over_3), x2), 1);
    return cfub_wrap_add(constant_term, cfub_srdhm(constant_term, cfub_wrap_add(x, poly)));
}

/* exp(a) for a <= 0 given in Q5.26; result in Q0.31 (gemmlowp exp_on_negative_values with
 * 5 integer bits: no clamp stage, barrel shifter over exp(-2^k) for k = -2..4). */
static inline int32_t cfub_exp_on_negative_values_q5(int32_t a) {
    static const int32_t kMultipliers[7] = {
        1672461947, /* exp(-1/4) */
        1302514674, /* exp(-1/2) */
        790015084,  /* exp(-1) */
        290630308,  /* exp(-2) */
        39332535,   /* exp(-4) */
        720401,     /* exp(-8) */
        242,        /* exp(-16) */
    };
    const int32_t one_quarter = 1 << 24;
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = cfub_exp_on_interval_neg_quarter(cfub_sat_shl(a_mod_quarter_minus_one_quarter, 5));
    const int32_t remainder = (int32_t)((uint32_t)a_mod_quarter_minus_one_quarter - (uint32_t)a);
    for (int k = 0; k < 7; k++) {
        /* bit 26 + exponent, exponent running from -2 to 4 */
        if (remainder & (INT32_C(1) << (24 + k))) result = cfub_srdhm(result, kMultipliers[k]);
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out (Newton-Raphson, three steps). */
static inline int32_t cfub_one_over_one_plus_x(int32_t a) {
    const int32_t half_denominator = cfub_rounding_half_sum(a, INT32_MAX);
    const int32_t c48_over_17 = 1515870810;       /* Q2.29 */
    const int32_t cneg32_over_17 = -1010580540;   /* Q2.29 */
    const int32_t one_q2 = 1 << 29;
    int32_t x = cfub_wrap_add(c48_over_17, cfub_srdhm(half_denominator, cneg32_over_17));
    for (int i = 0; i < 3; i++) {
        const int32_t half_denominator_times_x = cfub_srdhm(half_denominator, x);
        const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)half_denominator_times_x);
        x = cfub_wrap_add(x, cfub_sat_shl(cfub_srdhm(x, one_minus), 2));
    }
    return cfub_sat_shl(x, 1);
}

static inline int cfub_clz32(uint32_t x) {
    return x == 0 ? 32 : __builtin_clz(x);
}

/* TFLM GetReciprocal: 1/x for a positive fixed-point x with x_integer_digits integer bits. */
static inline int32_t cfub_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
    int headroom_plus_one = cfub_clz32((uint32_t)x);
    if (headroom_plus_one > 31) headroom_plus_one = 31; /* x == 0 cannot occur; keep shifts defined */
    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)x << headroom_plus_one) - (UINT32_C(1) << 31));
    return cfub_one_over_one_plus_x(shifted_sum_minus_one);
}


/* gemmlowp exp_on_negative_values for a Q(integer_bits).(31 - integer_bits) input, integer_bits
 * in [1, 5] (no clamp stage below 6); result in Q0.31. */
static inline int32_t cfub_exp_on_negative_values(int32_t a, int integer_bits) {
    static const int32_t kMultipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = INT32_C(1) << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = cfub_exp_on_interval_neg_quarter(cfub_sat_shl(a_mod_quarter_minus_one_quarter, integer_bits));
    const int32_t remainder = (int32_t)((uint32_t)a_mod_quarter_minus_one_quarter - (uint32_t)a);
    for (int k = 0; k < 7; k++) {
        const int exponent = k - 2; /* multiplier k is exp(-2^exponent) */
        if (integer_bits > exponent && (remainder & (INT32_C(1) << (fractional_bits + exponent))))
            result = cfub_srdhm(result, kMultipliers[k]);
    }
    return a == 0 ? INT32_MAX : result;
}

/* (1 - a) / (1 + a) for a in [0, 1), Q0.31 in and out (gemmlowp, Newton-Raphson). */
static inline int32_t cfub_one_minus_x_over_one_plus_x(int32_t a) {
    const int32_t half_denominator = cfub_rounding_half_sum(a, INT32_MAX);
    const int32_t c48_over_17 = 1515870810;
    const int32_t cneg32_over_17 = -1010580540;
    const int32_t one_q2 = 1 << 29;
    int32_t x = cfub_wrap_add(c48_over_17, cfub_srdhm(half_denominator, cneg32_over_17));
    for (int i = 0; i < 3; i++) {
        const int32_t half_denominator_times_x = cfub_srdhm(half_denominator, x);
        const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)half_denominator_times_x);
        x = cfub_wrap_add(x, cfub_sat_shl(cfub_srdhm(x, one_minus), 2));
    }
    return cfub_sat_shl((int32_t)((uint32_t)x - (uint32_t)one_q2), 2);
}

/* gemmlowp logistic of a Q(integer_bits) value; result in Q0.31. */
static inline int32_t cfub_fixed_logistic(int32_t a, int integer_bits) {
    if (a == 0) return INT32_C(1) << 30;
    const int32_t abs_a = a > 0 ? a : (int32_t)(0u - (uint32_t)a);
    const int32_t on_positive =
        cfub_one_over_one_plus_x(cfub_exp_on_negative_values((int32_t)(0u - (uint32_t)abs_a), integer_bits));
    return a > 0 ? on_positive : (int32_t)((uint32_t)INT32_MAX - (uint32_t)on_positive);
}

/* gemmlowp tanh of a Q(integer_bits) value; result in Q0.31. The doubling of the negative
 * input is ExactMulByPot<1>: the same raw value read with one more integer bit. */
static inline int32_t cfub_fixed_tanh(int32_t a, int integer_bits) {
    if (a == 0) return 0;
    const int32_t n = a < 0 ? a : (int32_t)(0u - (uint32_t)a);
    const int32_t t = cfub_one_minus_x_over_one_plus_x(cfub_exp_on_negative_values(n, integer_bits + 1));
    return a < 0 ? (int32_t)(0u - (uint32_t)t) : t;
}

#endif /* CFUB_ARITH_H */
