/* What every op's prepare/eval file shares: the runtime internals, and checks and TFLM
 * prepare-time arithmetic (padding, multipliers, activation bounds) in op_common.c. */
#ifndef CFUB_OP_COMMON_H
#define CFUB_OP_COMMON_H

#include "../kernels/cfub_string.h"
#include "internal.h"

/* input k of n, NULL when omitted */
const cfub_tensor *cfub_op_input(cfub_interp *ip, const cfub_node *n, int k);
bool cfub_finite_positive(float f);
bool cfub_finite(float f);
bool cfub_same_shape(const cfub_tensor *a, const cfub_tensor *b);

/* output k of n (k < n->n_out) */
const cfub_tensor *cfub_op_output(cfub_interp *ip, const cfub_node *n, int k);
/* element i of an integer tensor of any width (INT8/UINT8/INT16/INT32/INT64, BOOL) as int64,
 * e.g. a constant axis, shape or size input; the caller checks the type and i < elements */
int64_t cfub_tensor_int(const cfub_tensor *t, int64_t i);

/* Each returns CFUB_OK or the error it reported (naming the op). */
/* min..max inputs, the first min present (not -1) */
int cfub_need_inputs(cfub_interp *ip, const cfub_node *n, int min, int max);
/* inputs k whose bit is set in optional_mask may be omitted (-1) or absent; every other input
 * below max must be there: TFLM's GetOptionalInputTensor vs GetInput */
int cfub_need_inputs_opt(cfub_interp *ip, const cfub_node *n, int max, uint32_t optional_mask);
int cfub_need_outputs(cfub_interp *ip, const cfub_node *n, int min, int max);
/* the type is one of those whose bit (1u << TFL_x) is set in mask */
int cfub_need_type_in(cfub_interp *ip, const cfub_node *n, const char *role, int k, const cfub_tensor *t,
                      uint32_t mask);
int cfub_need_type(cfub_interp *ip, const cfub_node *n, const char *role, int k, const cfub_tensor *t, int type);
/* an int8 activation tensor needs a usable per-tensor quantization */
int cfub_need_act_q(cfub_interp *ip, const cfub_node *n, const char *what, const cfub_tensor *t);
int cfub_need_rank(cfub_interp *ip, const cfub_node *n, const cfub_tensor *t, int rank);
/* the builtin options table when it has the expected type, else NULL */
const fb_table *cfub_op_options(cfub_interp *ip, const cfub_node *n, int type);
int cfub_op_activation(cfub_interp *ip, const cfub_node *n, int act, const cfub_tensor *out,
                       int32_t *act_min, int32_t *act_max);
int cfub_op_requant(cfub_interp *ip, const cfub_node *n, double m, int32_t *mult, int32_t *shift);
/* QuantizeMultiplierSmallerThanOneExp's checks */
int cfub_smaller_than_one(cfub_interp *ip, const cfub_node *n, double m, int32_t *mult, int32_t *shift);
/* Output size and TFLM padding (ComputePaddingHeightWidth) for one spatial dimension,
 * checked against the output tensor's size. */
int cfub_op_window(cfub_interp *ip, const cfub_node *n, int padding, int32_t in, int32_t k,
                   int32_t stride, int32_t dil, int32_t out, int32_t *pad);
/* Per-channel filter scales, TFLM's PopulateConvolutionQuantizationParams. */
int cfub_per_channel_multipliers(cfub_interp *ip, const cfub_node *n, const cfub_tensor *input,
                                 const cfub_tensor *filter, const cfub_tensor *output, int32_t channels,
                                 int quant_dim, const int32_t **mult_out, const int32_t **shift_out);
/* TFLM accumulates in int32: refuse windows deep enough to overflow where TFLM is undefined */
int cfub_accumulator_fits(cfub_interp *ip, const cfub_node *n, int64_t depth, int64_t max_term);
int cfub_bias_ok(cfub_interp *ip, const cfub_node *n, const cfub_tensor *bias, int32_t channels);
/* an int8 or int16 activation tensor needs a usable per-tensor quantization (zero point in
 * the type's range); other types are refused */
int cfub_need_q(cfub_interp *ip, const cfub_node *n, const char *what, const cfub_tensor *t);
/* the element width (CFUB_I8 / CFUB_I16) of an int8 or int16 tensor, 0 otherwise */
int cfub_width(const cfub_tensor *t);
/* cfub_op_activation for an int8 or int16 output (bounds of the output's type) */
int cfub_op_activation_q(cfub_interp *ip, const cfub_node *n, int act, const cfub_tensor *out,
                         int32_t *act_min, int32_t *act_max);
/* Elementwise broadcasting of a and b to out (numpy rules, TFLM's NdArrayDesc), checked against
 * out's shape; broadcasting over more than max_rank dimensions is refused, as TFLM's kernel
 * for the op has no loop for it. */
int cfub_op_broadcast(cfub_interp *ip, const cfub_node *n, const cfub_tensor *a, const cfub_tensor *b,
                      const cfub_tensor *out, int max_rank, cfub_bcast *bc);

/* int16x8 (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV): input and output both
 * int8 or both int16, weights int8; *int16x8 tells which. */
int cfub_int16x8_types(cfub_interp *ip, const cfub_node *n, const cfub_tensor *in, const cfub_tensor *f,
                       const cfub_tensor *out, bool *int16x8);
/* an int16x8 layer's bias: int64, or int32 where TFLM's kernel takes it; sets *bias64 */
int cfub_bias_ok_i16(cfub_interp *ip, const cfub_node *n, const cfub_tensor *bias, int32_t channels,
                     bool allow_int32, int32_t *bias64);
/* cfub_mbqm64 shifts by 15 - shift: refuse shifts above 14 (TFLM undefined there) */
int cfub_int16x8_shifts(cfub_interp *ip, const cfub_node *n, const int32_t *shift, int32_t count, int32_t bias64);
/* zeroed persistent op state of `bytes`, or NULL after reporting an arena error */
void *cfub_op_state(cfub_interp *ip, size_t bytes);

#endif
