/* Elementwise and quantized-math ops: parameter structs and reference kernels (int8 and int16).
 *
 * Same contract as cfub_kernels.h: the runtime fills a params struct once at prepare time,
 * exactly as TFLM's Prepare computes it; kernels only read it. Elementwise binary ops share
 * cfub_bcast, the broadcast description (shapes right-aligned to CFUB_MAX_DIMS). */
#ifndef CFUB_MATH_KERNELS_H
#define CFUB_MATH_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

#include "cfub_arith.h"

/* Builtin operator codes (tflite schema BuiltinOperator) of the ops in this family. */
enum {
    CFUB_OP_L2_NORMALIZATION = 11,
    CFUB_OP_LOGISTIC = 14,
    CFUB_OP_MUL = 18,
    CFUB_OP_RELU = 19,
    CFUB_OP_RELU6 = 21,
    CFUB_OP_TANH = 28,
    CFUB_OP_MEAN = 40,
    CFUB_OP_SUB = 41,
    CFUB_OP_PRELU = 54,
    CFUB_OP_MAXIMUM = 55,
    CFUB_OP_MINIMUM = 57,
    CFUB_OP_SUM = 74,
    CFUB_OP_REDUCE_MAX = 82,
    CFUB_OP_LEAKY_RELU = 98,
    CFUB_OP_HARD_SWISH = 117,
};

/* Element width of the activations a kernel reads and writes. */
enum { CFUB_I8 = 1, CFUB_I16 = 2 };

static inline int32_t cfub_ld(const void *p, int32_t i, int width) {
    return width == CFUB_I16 ? ((const int16_t *)p)[i] : ((const int8_t *)p)[i];
}

static inline void cfub_st(void *p, int32_t i, int width, int32_t v) {
    if (width == CFUB_I16) ((int16_t *)p)[i] = (int16_t)v;
    else ((int8_t *)p)[i] = (int8_t)v;
}

#define CFUB_BCAST_DIMS 6
typedef struct cfub_bcast {
    int32_t size;                          /* output elements */
    int32_t broadcast;                     /* 0: both inputs have the output's shape */
    int32_t out_dims[CFUB_BCAST_DIMS];     /* right-aligned, leading 1s */
    int32_t in1_strides[CFUB_BCAST_DIMS];  /* 0 along broadcast dimensions */
    int32_t in2_strides[CFUB_BCAST_DIMS];
} cfub_bcast;

/* Runs BODY for every output element in row-major order, with I1, I2 the two inputs'
 * element indices and O the output's. */
#define CFUB_BCAST_FOR(bc, I1, I2, O, ...)                                                       \
    do {                                                                                        \
        const int32_t *d_ = (bc)->out_dims, *s1_ = (bc)->in1_strides, *s2_ = (bc)->in2_strides; \
        int32_t O = 0;                                                                          \
        for (int32_t a0 = 0; a0 < d_[0]; ++a0)                                                  \
        for (int32_t a1 = 0; a1 < d_[1]; ++a1)                                                  \
        for (int32_t a2 = 0; a2 < d_[2]; ++a2)                                                  \
        for (int32_t a3 = 0; a3 < d_[3]; ++a3)                                                  \
        for (int32_t a4 = 0; a4 < d_[4]; ++a4)                                                  \
        for (int32_t a5 = 0; a5 < d_[5]; ++a5, ++O) {                                           \
            const int32_t I1 = a0 * s1_[0] + a1 * s1_[1] + a2 * s1_[2] + a3 * s1_[3] + a4 * s1_[4] + a5 * s1_[5]; \
            const int32_t I2 = a0 * s2_[0] + a1 * s2_[1] + a2 * s2_[2] + a3 * s2_[3] + a4 * s2_[4] + a5 * s2_[5]; \
            __VA_ARGS__;                                                                        \
        }                                                                                       \
    } while (0)

/* ---- ADD / SUB (TFLM's general quantized path; int16 uses left shift 15) ---------------- */
struct cfub_add_params;
/* ADD int16, SUB int8 and int16: the cfub_add_params ADD int8 uses (bounds for the type). */
void cfub_ref_add_i16(const struct cfub_add_params *p, const int16_t *input1, const int16_t *input2, int16_t *output);
void cfub_ref_sub(const struct cfub_add_params *p, const void *input1, const void *input2, void *output, int width);

/* ---- MUL ------------------------------------------------------------------------------- */
typedef struct cfub_mul_params {
    cfub_bcast bc;
    int32_t width;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} cfub_mul_params;
void cfub_ref_mul(const cfub_mul_params *p, const void *input1, const void *input2, void *output);

/* ---- MAXIMUM / MINIMUM: raw values compared, no requantization ------------------------- */
typedef struct cfub_minmax_params {
    cfub_bcast bc;
    int32_t width;
    int32_t is_max;
} cfub_minmax_params;
void cfub_ref_minmax(const cfub_minmax_params *p, const void *input1, const void *input2, void *output);

/* ---- RELU (rescaling), RELU6 (clamp only) ---------------------------------------------- */
typedef struct cfub_relu_params {
    int32_t size, width;
    int32_t input_zero_point, output_zero_point;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} cfub_relu_params;
void cfub_ref_relu(const cfub_relu_params *p, const void *input, void *output);

typedef struct cfub_relu6_params {
    int32_t size, width;
    int32_t lower, upper;
} cfub_relu6_params;
void cfub_ref_relu6(const cfub_relu6_params *p, const void *input, void *output);

/* ---- LEAKY_RELU ------------------------------------------------------------------------- */
typedef struct cfub_leaky_relu_params {
    int32_t size, width;
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier_alpha, shift_alpha;
    int32_t multiplier_identity, shift_identity;
} cfub_leaky_relu_params;
void cfub_ref_leaky_relu(const cfub_leaky_relu_params *p, const void *input, void *output);

/* ---- PRELU (alpha broadcast to the input, int8 alpha) ----------------------------------- */
typedef struct cfub_prelu_params {
    cfub_bcast bc;
    int32_t width;
    int32_t input_offset, alpha_offset, output_offset;
    int32_t multiplier_1, shift_1;  /* input >= 0 */
    int32_t multiplier_2, shift_2;  /* input < 0: input * alpha */
} cfub_prelu_params;
void cfub_ref_prelu(const cfub_prelu_params *p, const void *input, const int8_t *alpha, void *output);

/* ---- HARD_SWISH int8 (16-bit fixed point, TFLM reference) ------------------------------- */
typedef struct cfub_hard_swish_params {
    int32_t size;
    int32_t input_zero_point, output_zero_point;
    int32_t reluish_multiplier_exponent, output_multiplier_exponent;
    int16_t reluish_multiplier_fixedpoint_int16, output_multiplier_fixedpoint_int16;
} cfub_hard_swish_params;
void cfub_ref_hard_swish(const cfub_hard_swish_params *p, const int8_t *input, int8_t *output);

/* ---- LOGISTIC / TANH -------------------------------------------------------------------- */
/* int8: gemmlowp fixed point on Q4.27 inputs; int16: TFLM's 256-entry sigmoid table. */
typedef struct cfub_sigmoid_params {
    int32_t size;
    int32_t input_zero_point;   /* int8 */
    int32_t input_range_radius; /* int8 */
    int32_t input_multiplier;   /* int16: 0 means power-of-two scale */
    int32_t input_left_shift;
} cfub_sigmoid_params;
void cfub_ref_logistic_i8(const cfub_sigmoid_params *p, const int8_t *input, int8_t *output);
void cfub_ref_tanh_i8(const cfub_sigmoid_params *p, const int8_t *input, int8_t *output);
void cfub_ref_logistic_i16(const cfub_sigmoid_params *p, const int16_t *input, int16_t *output);
void cfub_ref_tanh_i16(const cfub_sigmoid_params *p, const int16_t *input, int16_t *output);

/* ---- MEAN / SUM / REDUCE_MAX ------------------------------------------------------------ */
enum { CFUB_REDUCE_MEAN = 1, CFUB_REDUCE_SUM = 2, CFUB_REDUCE_MAX = 3 };
typedef struct cfub_reduce_params {
    int32_t mode, width;
    int32_t rank;
    int32_t in_dims[CFUB_BCAST_DIMS];
    int32_t out_strides[CFUB_BCAST_DIMS]; /* per input dimension, 0 along reduced ones */
    int32_t out_size;
    int32_t count;                        /* input elements per output element */
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier, shift;            /* requantizing modes, 1/count folded in for MEAN */
    int32_t *temp;                        /* out_size int32 accumulators */
} cfub_reduce_params;
void cfub_ref_reduce(const cfub_reduce_params *p, const void *input, void *output);

/* ---- L2_NORMALIZATION int8 -------------------------------------------------------------- */
typedef struct cfub_l2norm_params {
    int32_t outer, depth;
    int32_t input_zero_point;
} cfub_l2norm_params;
void cfub_ref_l2norm(const cfub_l2norm_params *p, const int8_t *input, int8_t *output);

/* ---- SOFTMAX int16 -> int16 (TFLM SoftmaxInt16: two 513-entry tables, softmax_luts.c) ---- */
typedef struct cfub_softmax16_params {
    int32_t outer, depth;
    int32_t input_multiplier, input_left_shift;
} cfub_softmax16_params;
extern const int16_t cfub_softmax_exp_lut[513];
extern const int16_t cfub_softmax_one_over_one_plus_x_lut[513];
void cfub_ref_softmax_i16(const cfub_softmax16_params *p, const int16_t *input, int16_t *output);

/* ---- prepare-time helpers (quant_util.c) ------------------------------------------------ */
/* frexp(m) with the fraction rounded to Q31, without QuantizeMultiplier's renormalisation
 * (TFLM's LOGISTIC/TANH int8 prepare); false when not finite or the rounding reaches 2^31. */
bool cfub_frexp_q31(double m, int32_t *q, int *exponent);
/* TFLM CalculateActivationRangeQuantized for an output type with range [qmin, qmax]. */
bool cfub_activation_range_q(int activation, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                             int32_t *act_min, int32_t *act_max);

#endif /* CFUB_MATH_KERNELS_H */
