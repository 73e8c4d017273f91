/* Kernel parameter structs and the reference kernels.
 *
 * The runtime fills these structs once, at prepare time (all multipliers, shifts, offsets,
 * padding and activation bounds already computed exactly as TFLM computes them). A kernel
 * only reads them. Accelerated kernels (cfu/<name>/kernels/) receive the very same structs,
 * so they never recompute quantization parameters and cannot drift from the reference.
 *
 * Layouts are TFLite's: activations NHWC, CONV filters OHWI, DEPTHWISE filters 1HW(C*M),
 * FULLY_CONNECTED filters [units][accum_depth]. All int8 data is row-major and contiguous.
 *
 * Shift convention (TFLM's): shift > 0 multiplies by 2^shift before the Q31 high multiply,
 * shift < 0 is a rounding right shift after it. Use cfub_mbqm() from cfub_arith.h. */
#ifndef CFUB_KERNELS_H
#define CFUB_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfub_arith.h"

#define CFUB_MAX_DIMS 6

typedef struct cfub_conv_params {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t filter_in_c;  /* filter's last dim; in_c / filter_in_c = groups (1 for plain conv) */
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_h, pad_w; /* top / left zero padding */
    int32_t input_offset; /* -(input zero point), added to each input value */
    int32_t output_offset;/* output zero point */
    int32_t act_min, act_max;
    const int32_t *out_mult;  /* [out_c] */
    const int32_t *out_shift; /* [out_c] */
    /* int16x8 layers (int16 activations, int8 weights; cfub_heavy_kernels.h): 0 for int8.
     * Accelerated kernels written for int8 must decline a layer with int16x8 set. */
    int32_t int16x8;
    int32_t bias64;       /* int16x8 only: the bias is int64 (else int32) */
} cfub_conv_params;

typedef struct cfub_dw_params {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c; /* out_c = in_c * depth_multiplier */
    int32_t k_h, k_w;
    int32_t depth_multiplier;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_h, pad_w;
    int32_t input_offset;
    int32_t output_offset;
    int32_t act_min, act_max;
    const int32_t *out_mult;  /* [out_c] */
    const int32_t *out_shift; /* [out_c] */
    /* int16x8 layers (int16 activations, int8 weights; cfub_heavy_kernels.h): 0 for int8.
     * Accelerated kernels written for int8 must decline a layer with int16x8 set. */
    int32_t int16x8;
    int32_t bias64;       /* int16x8 only: the bias is int64 (else int32) */
} cfub_dw_params;

typedef struct cfub_fc_params {
    int32_t batches;
    int32_t accum_depth;
    int32_t out_c;
    int32_t input_offset;   /* -(input zero point) */
    int32_t filter_offset;  /* -(filter zero point); 0 for symmetric weights */
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t per_channel;    /* 0: out_mult[0], out_shift[0] serve every channel */
    const int32_t *out_mult;
    const int32_t *out_shift;
    /* int16x8 layers (int16 activations, int8 weights; cfub_heavy_kernels.h): 0 for int8.
     * Accelerated kernels written for int8 must decline a layer with int16x8 set. */
    int32_t int16x8;
    int32_t bias64;       /* int16x8 only: the bias is int64 (else int32) */
} cfub_fc_params;

typedef struct cfub_pool_params {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    int32_t k_h, k_w, stride_h, stride_w, pad_h, pad_w;
    int32_t act_min, act_max;
} cfub_pool_params;

typedef struct cfub_add_params {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
    int32_t size;          /* output elements */
    int32_t broadcast;     /* 0: both inputs have the output's shape */
    int32_t out_dims[CFUB_MAX_DIMS];    /* right-aligned to CFUB_MAX_DIMS, leading 1s */
    int32_t in1_strides[CFUB_MAX_DIMS]; /* 0 along broadcast dimensions */
    int32_t in2_strides[CFUB_MAX_DIMS];
} cfub_add_params;

/* ADD's first stage for one input value (TFLM's scaled_input{1,2}_val). It depends on one
 * int8 value only, so an accelerated ADD may tabulate it for all 256. */
static inline int32_t cfub_add_scaled_input(int32_t value, int32_t offset, int32_t left_shift,
                                            int32_t multiplier, int32_t shift) {
    return cfub_mbqm_lt1((offset + value) * (1 << left_shift), multiplier, shift);
}

/* ADD's output stage: the sum of the two scaled inputs to the clamped int8 output. */
static inline int8_t cfub_add_output(const cfub_add_params *p, int32_t raw_sum) {
    const int32_t raw_output = cfub_mbqm_lt1(raw_sum, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)cfub_clamp(raw_output, p->act_min, p->act_max);
}

/* AVERAGE_POOL's division of a window's sum by its tap count: round half away from zero,
 * as TFLM (count > 0). */
static inline int32_t cfub_avg_pool_divide(int32_t acc, int32_t count) {
    return acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
}

typedef struct cfub_softmax_params {
    int32_t outer, depth;
    int32_t input_multiplier, input_left_shift;
    int32_t diff_min;
} cfub_softmax_params;

typedef struct cfub_quant_params {
    int32_t size;
    float scale;             /* QUANTIZE from float: output scale; DEQUANTIZE: input scale */
    int32_t zero_point;      /* QUANTIZE: output zero point; DEQUANTIZE: input zero point */
    int32_t input_zero_point;/* requantize int8 -> int8 */
    int32_t multiplier, shift;
    int32_t in_bytes, out_bytes; /* integer element widths (1, 2, 4) of cfub_ref_requantize */
} cfub_quant_params;

/* ---- reference kernels (loop structure of TFLM's reference_integer_ops) -------------- */
void cfub_ref_conv(const cfub_conv_params *p, const int8_t *input, const int8_t *filter,
                   const int32_t *bias, int8_t *output);
void cfub_ref_depthwise(const cfub_dw_params *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, int8_t *output);
void cfub_ref_fully_connected(const cfub_fc_params *p, const int8_t *input, const int8_t *filter,
                              const int32_t *bias, int8_t *output);
/* Returns false when a window covers no input (TFLM fails the op the same way). */
bool cfub_ref_average_pool(const cfub_pool_params *p, const int8_t *input, int8_t *output);
void cfub_ref_max_pool(const cfub_pool_params *p, const int8_t *input, int8_t *output);
bool cfub_ref_average_pool_i16(const cfub_pool_params *p, const int16_t *input, int16_t *output);
void cfub_ref_max_pool_i16(const cfub_pool_params *p, const int16_t *input, int16_t *output);
void cfub_ref_add(const cfub_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output);
/* Returns false when a row's exp-sum needs a shift outside [0, 31] (TFLM aborts there). */
bool cfub_ref_softmax(const cfub_softmax_params *p, const int8_t *input, int8_t *output);
bool cfub_ref_softmax_i16out(const cfub_softmax_params *p, const int8_t *input, int16_t *output);
void cfub_ref_quantize_f32(const cfub_quant_params *p, const float *input, int8_t *output);
void cfub_ref_requantize_i8(const cfub_quant_params *p, const int8_t *input, int8_t *output);
void cfub_ref_dequantize(const cfub_quant_params *p, const int8_t *input, float *output);
/* QUANTIZE float32 -> int16, integer -> integer for any of int8/int16/int32 (TFLM Requantize),
 * DEQUANTIZE int16 -> float32 */
void cfub_ref_quantize_f32_i16(const cfub_quant_params *p, const float *input, int16_t *output);
void cfub_ref_requantize(const cfub_quant_params *p, const void *input, void *output);
void cfub_ref_dequantize_i16(const cfub_quant_params *p, const int16_t *input, float *output);

/* ---- prepare-time quantization helpers (doubles allowed here, never in eval) ---------- */
enum { CFUB_ACT_NONE = 0, CFUB_ACT_RELU = 1, CFUB_ACT_RELU_N1_TO_1 = 2, CFUB_ACT_RELU6 = 3 };

/* TFLM QuantizeMultiplier. Returns false for a non-finite multiplier. */
bool cfub_quantize_multiplier(double m, int32_t *quantized, int *shift);
/* (double)a * (double)b / (double)c bit for bit, without soft-float multiply and divide; with
 * a and c fixed (a layer's input and output scales), cfub_ratio_init once, then one
 * cfub_ratio_of per channel. */
typedef struct cfub_ratio {
    float a, c;
    bool exact;              /* both positive normal numbers: the integer path applies */
    uint32_t ma, mc;
    int ea, ec;
    uint64_t reciprocal;     /* floor(2^78 / mc) */
} cfub_ratio;
void cfub_ratio_init(cfub_ratio *r, float a, float c);
double cfub_ratio_of(const cfub_ratio *r, float b);
double cfub_scale_ratio(float a, float b, float c);
/* TFLM CalculateActivationRangeQuantized for int8 outputs. Returns false when TFLM would
 * refuse (quantized bound outside int32) or the activation is not one of CFUB_ACT_*. */
bool cfub_activation_range(int activation, float scale, int32_t zero_point,
                           int32_t *act_min, int32_t *act_max);
/* The same for an output type whose range is [qmin, qmax] (int16: -32768, 32767). */
bool cfub_activation_range_q(int activation, float scale, int32_t zero_point, int32_t qmin,
                             int32_t qmax, int32_t *act_min, int32_t *act_max);
/* TFLM PreprocessSoftmaxScaling + CalculateInputRadius for int8 input (5 integer bits).
 * Returns false where TFLM's checks fail (multiplier not > 1). */
bool cfub_softmax_prepare(float beta, float input_scale, cfub_softmax_params *p);
/* float -> int32 the way an x86 cvttss2si does (TFLM's static_cast on its build host):
 * out-of-range and NaN give INT32_MIN. */
int32_t cfub_f32_to_i32(float x);
float cfub_roundf(float x);

#include "cfub_heavy_kernels.h"

#endif /* CFUB_KERNELS_H */
#include "cfub_shape_kernels.h"
#include "cfub_math_kernels.h"
