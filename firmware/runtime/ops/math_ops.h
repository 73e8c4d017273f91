/* What the elementwise and quantized-math ops (add.c, mul.c, maximum_minimum.c,
 * activations.c, logistic_tanh.c, reduce.c, l2norm.c) share: their builtin options tables. */
#ifndef CFUB_MATH_OPS_H
#define CFUB_MATH_OPS_H

#include "../op_common.h"

/* tflite schema BuiltinOptions ids */
enum {
    OPT_L2_NORM = 12,
    OPT_MUL = 21,
    OPT_REDUCER = 27,
    OPT_SUB = 28,
    OPT_LEAKY_RELU = 75,
};

#endif
