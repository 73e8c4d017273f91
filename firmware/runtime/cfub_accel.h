/* Acceleration hook: how a CFU design's C kernels take over any op the runtime runs.
 *
 * A design (C files in cfu/<name>/kernels/, compiled and linked into the firmware next to
 * CFUB_SOURCES) defines one NULL-terminated table of kernels, each naming the builtin op it
 * serves:
 *
 *     #include "cfub_accel.h"   // add -I firmware/runtime -I firmware/kernels
 *
 *     static bool conv1x1_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
 *         const cfub_conv_params *p = l->params;
 *         return p->k_h == 1 && p->k_w == 1 && p->in_c % 4 == 0;   // decline everything else
 *     }
 *     static void conv1x1_eval(const cfub_layer *l, void *state) {
 *         ... same output bytes as the reference kernel ...
 *     }
 *     static const cfub_kernel conv1x1 = {CFUB_OP_CONV_2D, "cfu_conv1x1", conv1x1_prepare, conv1x1_eval};
 *     const cfub_kernel *const cfub_accel[] = {&conv1x1, NULL};
 *
 * At load time, after the arena is planned, the runtime offers each layer to the kernels of
 * cfub_accel whose `op` matches, in table order; the first whose prepare() returns true runs
 * that layer, and its name appears in the layer's CFUB OP line. Layers nobody accepts run the
 * reference kernel ("ref"). With no design linked, a weak empty table makes everything
 * reference. The table must be linked as an object file (not from a static library, whose
 * members a weak default would never pull in).
 *
 * What a layer holds, per op (`params` points at the struct of firmware/kernels/cfub_kernels.h
 * or cfub_math_kernels.h the reference kernel gets; in[k] is input tensor k's data, NULL when
 * omitted; out is the first output, outs[0..n_out-1] all of them for ops with several outputs):
 *
 *   CONV_2D            cfub_conv_params     in[0] input, in[1] filter (OHWI), in[2] bias (int32)
 *   DEPTHWISE_CONV_2D  cfub_dw_params       in[0] input, in[1] filter (1HWC), in[2] bias (int32)
 *   FULLY_CONNECTED    cfub_fc_params       in[0] input, in[1] filter, in[2] bias (int32)
 *   ADD, SUB           cfub_add_params      in[0], in[1] (int8 or int16: see `type`)
 *   MUL                cfub_mul_params      in[0], in[1]
 *   MAXIMUM, MINIMUM   cfub_minmax_params   in[0], in[1]
 *   RELU / RELU6 / LEAKY_RELU / HARD_SWISH / LOGISTIC, TANH / L2_NORMALIZATION
 *                      cfub_relu_params / cfub_relu6_params / cfub_leaky_relu_params /
 *                      cfub_hard_swish_params / cfub_sigmoid_params / cfub_l2norm_params   in[0]
 *   PRELU              cfub_prelu_params    in[0], in[1] alpha (int8)
 *   MEAN, SUM, REDUCE_MAX  cfub_reduce_params  in[0] (in[1] the axes, already resolved)
 *   AVERAGE_POOL_2D,
 *   MAX_POOL_2D        cfub_pool_params     in[0]
 *   SOFTMAX            cfub_softmax_params  in[0] (int8 in); cfub_softmax16_params (int16 in)
 *   QUANTIZE,
 *   DEQUANTIZE         cfub_quant_params    in[0] (float32, int8, int16 or int32; DEQUANTIZE: float32 out)
 *   RESHAPE            NULL                 in[0]; out is a copy
 *   TRANSPOSE_CONV     cfub_tconv_params    in[1] filter (OHWI), in[2] input, in[3] bias if n_in > 3
 *   BATCH_MATMUL       cfub_bmm_params      in[0] lhs, in[1] rhs
 *   SVDF               cfub_svdf_params     in[0] input, in[1] feature and in[2] time weights,
 *                                           in[3] bias, in[4] state (updated in place)
 *   UNIDIRECTIONAL_SEQUENCE_LSTM
 *                      cfub_lstm_params     in[0] input (weights and biases are in the params),
 *                                           in[18] hidden and in[19] cell state (updated in place)
 *
 * int16x8 layers (int16 activations, int8 weights, int64 or int32 bias: cfub_heavy_kernels.h)
 * reuse the CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED structs with `int16x8` set; a
 * kernel written for int8 data must decline them.
 *
 * prepare() sees final tensor addresses (weights live in the model, activations in the
 * arena), so it may pre-pack weights or fold offsets into per-channel constants, keeping them
 * in memory from cfub_alloc_persistent() and returning it through *state; eval() gets that
 * pointer back. The params struct holds everything TFLM computes at prepare time (multipliers,
 * shifts, offsets, padding, activation bounds): use it, never recompute. eval() must produce
 * exactly the reference bytes; every layer's CRC is checked against TFLM. A kernel that could
 * fail at run time (where the reference reports an error) must decline such layers instead. */
#ifndef CFUB_ACCEL_H
#define CFUB_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kernels/cfub_kernels.h"

/* in[0..CFUB_MAX_OP_INPUTS-1] are always readable (NULL past n_in), so kernels of ops with up
 * to three inputs need not look at n_in; ops with more inputs (CONCATENATION, PACK, LSTM) have
 * n_in entries. */
#define CFUB_MAX_OP_INPUTS 3

/* Builtin operator codes of the tflite schema (BuiltinOperator) the runtime runs. */
enum {
    CFUB_OP_ADD = 0,
    CFUB_OP_AVERAGE_POOL_2D = 1,
    CFUB_OP_CONV_2D = 3,
    CFUB_OP_DEPTHWISE_CONV_2D = 4,
    CFUB_OP_DEQUANTIZE = 6,
    CFUB_OP_FULLY_CONNECTED = 9,
    CFUB_OP_MAX_POOL_2D = 17,
    CFUB_OP_RESHAPE = 22,
    CFUB_OP_SOFTMAX = 25,
    CFUB_OP_SVDF = 27,
    CFUB_OP_UNIDIRECTIONAL_SEQUENCE_LSTM = 44,
    CFUB_OP_TRANSPOSE_CONV = 67,
    CFUB_OP_QUANTIZE = 114,
    CFUB_OP_BATCH_MATMUL = 126,
};

typedef struct cfub_layer {
    int32_t op;                          /* CFUB_OP_* */
    const void *params;                  /* the op's parameter struct (table above) */
    const void *const *in;               /* input tensors' data; NULL when omitted */
    void *out;                           /* the first output tensor's data (== outs[0]) */
    int32_t n_in;                        /* the op's input count (in[] has at least 3 entries) */
    int32_t n_out;                       /* output count: 1 but for SPLIT, UNPACK, ... */
    void *const *outs;                   /* every output tensor's data, in output order */
    int32_t type;                        /* the first output's element type, CFUB_TYPE_*: one op
                                            runs on several types with one params struct, so
                                            a kernel must decline the types it does not handle */
} cfub_layer;

/* tflite TensorType codes of cfub_layer.type */
enum { CFUB_TYPE_FLOAT32 = 0, CFUB_TYPE_INT32 = 2, CFUB_TYPE_INT16 = 7, CFUB_TYPE_INT8 = 9 };

typedef struct cfub_interp cfub_alloc;

/* 16-byte aligned memory from the arena's persistent end, valid for the interpreter's life.
 * Only callable from prepare(); NULL when the arena is full (then decline the layer). */
void *cfub_alloc_persistent(cfub_alloc *alloc, size_t bytes);

typedef struct cfub_kernel {
    int32_t op;       /* the builtin it serves, CFUB_OP_* */
    const char *name; /* shown in CFUB OP lines: up to 32 printable chars, no spaces */
    bool (*prepare)(const cfub_layer *l, cfub_alloc *alloc, void **state); /* NULL accepts all */
    void (*eval)(const cfub_layer *l, void *state);
} cfub_kernel;

/* NULL-terminated, defined by the design (a weak empty default otherwise). */
extern const cfub_kernel *const cfub_accel[];

#endif /* CFUB_ACCEL_H */
