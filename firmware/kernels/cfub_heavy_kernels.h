/* Reference kernels of the "heavy" family: int16x8 CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED (int16 activations, int8 weights, int32 or int64 bias), TRANSPOSE_CONV and
 * BATCH_MATMUL. Included at the end of cfub_kernels.h.
 *
 * int16x8 layers use the int8 ops' parameter structs with int16x8 = 1. TFLM's int16 CONV_2D
 * and DEPTHWISE_CONV_2D ignore the input and output zero points (offsets 0); its int16
 * FULLY_CONNECTED applies all three offsets like the int8 one. The accumulator follows the
 * bias (bias64): int64 bias or no bias, a 64-bit accumulator and the 16-bit-multiplier
 * cfub_mbqm64; int32 bias, a wrapping 32-bit accumulator and cfub_mbqm (DEPTHWISE: int64 only).
 * These are what the tflite-micro build we check against does (tests/runtime/test_rt_ops_heavy). */
#ifndef CFUB_HEAVY_KERNELS_H
#define CFUB_HEAVY_KERNELS_H

#include "cfub_kernels.h"

/* One int16x8 output: the accumulator plus bias, requantized and clamped. */
static inline int16_t cfub_i16x8_output(int64_t acc, const void *bias, int32_t bias64, int32_t c,
                                        int32_t mult, int32_t shift, int32_t act_min, int32_t act_max,
                                        int32_t output_offset) {
    int32_t scaled;
    if (bias64) {
        if (bias) acc = (int64_t)((uint64_t)acc + (uint64_t)cfub_load_i64(bias, c));
        scaled = cfub_mbqm64(acc, mult, shift);
    } else {
        int32_t acc32 = (int32_t)(uint32_t)(uint64_t)acc; /* TFLM's int32 accumulator wraps */
        if (bias) acc32 = cfub_wrap_add(acc32, ((const int32_t *)bias)[c]);
        scaled = cfub_mbqm(acc32, mult, shift);
    }
    return (int16_t)cfub_clamp(cfub_wrap_add(scaled, output_offset), act_min, act_max);
}

void cfub_ref_conv_i16(const cfub_conv_params *p, const int16_t *input, const int8_t *filter,
                       const void *bias, int16_t *output);
void cfub_ref_depthwise_i16(const cfub_dw_params *p, const int16_t *input, const int8_t *filter,
                            const void *bias, int16_t *output);
void cfub_ref_fully_connected_i16(const cfub_fc_params *p, const int16_t *input, const int8_t *filter,
                                  const void *bias, int16_t *output);

/* TRANSPOSE_CONV (TFLM reference_integer_ops::TransposeConv). Filter OHWI, [out_c][k_h][k_w][in_c];
 * output pixel (oy, ox) gathers input (iy, ix) where iy * stride_h - pad_h + fy == oy. */
enum { CFUB_BIAS_NONE = 0, CFUB_BIAS_I32 = 1, CFUB_BIAS_I64 = 2, CFUB_BIAS_I16 = 3 };
typedef struct cfub_tconv_params {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t input_offset;  /* int8: -(input zero point); int16: 0 */
    int32_t output_offset; /* int8: output zero point; int16: 0 */
    int32_t act_min, act_max;
    int32_t int16x8;       /* int16 activations: 64-bit accumulator, cfub_mbqm64 */
    int32_t bias_type;     /* CFUB_BIAS_* (int8: NONE or I32; int16: NONE, I64 or I16) */
    const int32_t *out_mult;  /* [out_c] */
    const int32_t *out_shift; /* [out_c] */
} cfub_tconv_params;

void cfub_ref_transpose_conv(const cfub_tconv_params *p, const int8_t *input, const int8_t *filter,
                             const int32_t *bias, int8_t *output);
void cfub_ref_transpose_conv_i16(const cfub_tconv_params *p, const int16_t *input, const int8_t *filter,
                                 const void *bias, int16_t *output);

/* BATCH_MATMUL (TFLM reference_ops::BatchMatMul): out[b] = (LHS[b] - lhs_zp) x (RHS[b] - rhs_zp),
 * LHS[b] rows x depth (stored depth x rows when adj_x), RHS[b] depth x cols (cols x depth when
 * adj_y). Up to three batch dimensions, broadcast through zero strides. */
typedef struct cfub_bmm_params {
    int32_t batch[3];       /* output batch dimensions (leading 1s) */
    int32_t lhs_stride[3];  /* elements between batches; 0 along broadcast dimensions */
    int32_t rhs_stride[3];
    int32_t rows, depth, cols;
    int32_t adj_x, adj_y;
    int32_t lhs_offset, rhs_offset; /* -(zero points) */
    int32_t output_offset;
    int32_t out_mult, out_shift;
    int32_t act_min, act_max;
    int32_t int16;          /* int16 operands: 64-bit accumulator and cfub_mbqm64 */
} cfub_bmm_params;

void cfub_ref_batch_matmul(const cfub_bmm_params *p, const int8_t *lhs, const int8_t *rhs, int8_t *output);
void cfub_ref_batch_matmul_i16(const cfub_bmm_params *p, const int16_t *lhs, const int16_t *rhs, int16_t *output);

/* SVDF int8 (TFLM EvalIntegerSvdfReference): state int8 or int16 [batches][filters][memory]
 * (a variable tensor), weights_feature int8 [filters][input], weights_time (state's type)
 * [filters][memory], bias int32 [units] (optional), filters = units * rank. */
typedef struct cfub_svdf_params {
    int32_t batches, input_size, filters, units, rank, memory;
    int32_t input_zero_point, state_zero_point, output_zero_point;
    int32_t scale1_mult, scale1_shift; /* input x feature -> state */
    int32_t scale2_mult, scale2_shift; /* state x time -> output */
    int32_t state16;                   /* state and weights_time are int16 (else int8) */
} cfub_svdf_params;

void cfub_ref_svdf(const cfub_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
                   const void *weights_time, const int32_t *bias, void *state, int8_t *output);

/* UNIDIRECTIONAL_SEQUENCE_LSTM, int8 weights, int16 cell, and int8 activations with int32 bias
 * or int16 activations with int64 bias (TFLM lstm_eval EvalLstm<int8_t, int8_t, int16_t, int32_t>
 * and <int16_t, int8_t, int16_t, int64_t>): per step, four gates
 * act(FC(input) + FC(hidden)) in Q3.12 -> Q0.15, cell = forget * cell + input * cell_gate,
 * hidden = tanh(cell) * output. Gates are indexed by CFUB_LSTM_*. */
enum { CFUB_LSTM_INPUT = 0, CFUB_LSTM_FORGET = 1, CFUB_LSTM_CELL = 2, CFUB_LSTM_OUTPUT = 3 };
typedef struct cfub_lstm_gate {
    const int8_t *input_weights;      /* [state][input] */
    const int8_t *recurrent_weights;  /* [state][state] */
    const void *bias;                 /* [state], int32 (int8 activations) or int64 */
    int32_t input_weights_offset, recurrent_weights_offset; /* -(weight zero points) */
    int32_t input_mult, input_shift;         /* input x weights -> 2^-12 */
    int32_t recurrent_mult, recurrent_shift; /* hidden x weights -> 2^-12 */
} cfub_lstm_gate;

typedef struct cfub_lstm_mul {
    int32_t mult, shift, output_offset, act_min, act_max;
} cfub_lstm_mul;

typedef struct cfub_lstm_params {
    int32_t batches, time_steps, input_size, state_size;
    int32_t time_major;
    int32_t input_offset, hidden_offset;   /* -(zero points) of the input and the hidden state */
    cfub_lstm_gate gate[4];
    cfub_lstm_mul forget_cell_mul;         /* forget gate x cell -> cell */
    cfub_lstm_mul input_mul;               /* input gate x cell gate -> cell */
    cfub_lstm_mul output_mul;              /* tanh(cell) x output gate -> hidden */
    int32_t act16;                         /* int16 activations (input, hidden, output) */
    int32_t cell_scale_power;              /* cell scale = 2^cell_scale_power */
    int32_t cell_clip;                     /* quantized; 0: no clipping */
    int16_t *buffer[4];                    /* batches x state each */
} cfub_lstm_params;

void cfub_ref_lstm(const cfub_lstm_params *p, const void *input, void *hidden, int16_t *cell, void *output);

#endif /* CFUB_HEAVY_KERNELS_H */
