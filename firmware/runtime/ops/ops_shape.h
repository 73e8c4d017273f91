/* What the data-movement and resize ops share: their builtin codes, options ids and checks
 * (shape_common.c). */
#ifndef CFUB_OPS_SHAPE_H
#define CFUB_OPS_SHAPE_H

#include "../op_common.h"

enum {
    CFUB_OP_CONCATENATION = 2, CFUB_OP_DEPTH_TO_SPACE = 5, CFUB_OP_RESIZE_BILINEAR = 23,
    CFUB_OP_SPACE_TO_DEPTH = 26, CFUB_OP_PAD = 34, CFUB_OP_GATHER = 36, CFUB_OP_TRANSPOSE = 39,
    CFUB_OP_SQUEEZE = 43, CFUB_OP_STRIDED_SLICE = 45, CFUB_OP_CAST = 53, CFUB_OP_PADV2 = 60,
    CFUB_OP_SPLIT = 49, CFUB_OP_SLICE = 65, CFUB_OP_EXPAND_DIMS = 70, CFUB_OP_PACK = 83, CFUB_OP_UNPACK = 88,
    CFUB_OP_RESIZE_NEAREST_NEIGHBOR = 97, CFUB_OP_SPLIT_V = 102,
};
enum {
    OPT_CONCATENATION = 10, OPT_RESIZE_BILINEAR = 15, OPT_SPACE_TO_DEPTH = 19, OPT_GATHER = 23,
    OPT_SQUEEZE = 30, OPT_STRIDED_SLICE = 32, OPT_PACK = 59, OPT_UNPACK = 64, OPT_RESIZE_NEAREST_NEIGHBOR = 74,
    OPT_DEPTH_TO_SPACE = 94,
};

/* refuses a type outside the zero-terminated list (TFL_FLOAT32 is 0: pass it as `float_ok`);
 * the list reads better than op_common's bit mask in the ops' type tables */
int cfub_need_type_of(cfub_interp *ip, const cfub_node *n, const char *role, int k, const cfub_tensor *t,
                      bool float_ok, const int *types);
/* output type equal to input 0's */
int cfub_need_same_type(cfub_interp *ip, const cfub_node *n, const cfub_tensor *in, const cfub_tensor *out);
/* input k: a constant int32 tensor of `count` elements (count < 0: any), read at prepare time */
int cfub_need_const_i32(cfub_interp *ip, const cfub_node *n, int k, int64_t count, const int32_t **data);
int cfub_need_max_rank(cfub_interp *ip, const cfub_node *n, const cfub_tensor *t, int rank);
/* the output shape must be exactly dims[0..ndim) */
int cfub_need_out_shape(cfub_interp *ip, const cfub_node *n, const cfub_tensor *out, const int32_t *dims, int ndim);
/* row-major strides (elements) of t */
void cfub_strides(const cfub_tensor *t, int32_t *strides);
/* int32 element from a constant tensor read in place (4-byte aligned by the parser) */
static inline int32_t cfub_const_i32(const int32_t *data, int i) { return data[i]; }

#endif
