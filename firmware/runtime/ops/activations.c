/* RELU, RELU6, LEAKY_RELU, PRELU (int8, int16) and HARD_SWISH (int8): TFLM activations_common.cc,
 * leaky_relu_common.cc, prelu_common.cc and hard_swish_common.cc Prepare arithmetic; the
 * reference kernels. */
#include "math_ops.h"

/* input and output of one type, int8 or int16 (or int8 only), both quantized */
static int same_type_io(cfub_interp *ip, cfub_node *n, bool allow_i16) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type != TFL_INT8 && !(allow_i16 && in->type == TFL_INT16)) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = cfub_need_type(ip, n, "output", 0, out, in->type)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    return CFUB_OK;
}

static int finish(cfub_node *n, void *s, const void *params, int64_t size) {
    n->macs = (uint64_t)size;
    n->state = s;
    n->layer.params = params;
    return CFUB_OK;
}

static int prepare_relu(cfub_interp *ip, cfub_node *n) {
    int rc = same_type_io(ip, n, true);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type == TFL_INT16 && (in->zero_point || out->zero_point))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 RELU needs zero points 0");
    cfub_relu_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->size = (int32_t)cfub_elements(out);
    p->width = cfub_width(in);
    p->input_zero_point = in->zero_point;
    p->output_zero_point = out->zero_point;
    if ((rc = cfub_op_requant(ip, n, (double)in->scale / (double)out->scale, &p->output_multiplier, &p->output_shift)))
        return rc;
    /* TFLM: max(type min, zp + round(0 / scale)), type max (the upper bound is infinite) */
    p->act_min = cfub_max32(p->width == CFUB_I16 ? INT16_MIN : INT8_MIN, out->zero_point);
    p->act_max = p->width == CFUB_I16 ? INT16_MAX : INT8_MAX;
    return finish(n, p, p, p->size);
}

/* TFLM FloatToQuantizedType: round(value / scale) + zero_point (double), saturated to the type */
static int32_t float_to_quantized(float value, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
    const double r = (double)cfub_roundf(value / scale) + (double)zero_point;
    const int32_t q = (r >= -2147483648.0 && r < 2147483648.0) ? (int32_t)r : INT32_MIN;
    return cfub_clamp(q, qmin, qmax);
}

static int prepare_relu6(cfub_interp *ip, cfub_node *n) {
    int rc = same_type_io(ip, n, true);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0);
    cfub_relu6_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->size = (int32_t)cfub_elements(in);
    p->width = cfub_width(in);
    p->lower = in->zero_point;
    p->upper = p->width == CFUB_I16 ? float_to_quantized(6.0f, in->scale, in->zero_point, INT16_MIN, INT16_MAX)
                                    : float_to_quantized(6.0f, in->scale, in->zero_point, INT8_MIN, INT8_MAX);
    return finish(n, p, p, p->size);
}

static int prepare_leaky_relu(cfub_interp *ip, cfub_node *n) {
    int rc = same_type_io(ip, n, true);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    const fb_table *o = cfub_op_options(ip, n, OPT_LEAKY_RELU);
    const float alpha = o ? fb_f32(&ip->fb, o, 0, 0.0f) : 0.0f;
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (!cfub_finite(alpha)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite alpha");
    cfub_leaky_relu_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->size = (int32_t)cfub_elements(in);
    p->width = cfub_width(in);
    p->input_zero_point = in->zero_point;
    p->output_zero_point = out->zero_point;
    /* in double: TFLM's leaky_relu_common.cc on GitHub forms them in float, the build we check
     * against does not (int16 cases tell) */
    if ((rc = cfub_op_requant(ip, n, (double)in->scale * (double)alpha / (double)out->scale, &p->multiplier_alpha, &p->shift_alpha)) ||
        (rc = cfub_op_requant(ip, n, (double)in->scale / (double)out->scale, &p->multiplier_identity, &p->shift_identity)))
        return rc;
    return finish(n, p, p, p->size);
}

static int prepare_prelu(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *alpha = cfub_op_input(ip, n, 1), *out = &ip->tensors[n->out];
    if (in->type != TFL_INT8 && in->type != TFL_INT16) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = cfub_need_type(ip, n, "output", 0, out, in->type)) || (rc = cfub_need_type(ip, n, "input", 1, alpha, TFL_INT8)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_q(ip, n, "alpha has no usable quantization", alpha)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (in->ndim > 4 || alpha->ndim > 4 || out->ndim > 4)
        return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "more than 4 dimensions (TFLM's PRELU kernel is 4-D)");
    cfub_prelu_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->width = cfub_width(in);
    p->input_offset = -in->zero_point;
    p->alpha_offset = -alpha->zero_point;
    p->output_offset = out->zero_point;
    if ((rc = cfub_op_requant(ip, n, (double)in->scale / (double)out->scale, &p->multiplier_1, &p->shift_1)) ||
        (rc = cfub_op_requant(ip, n, cfub_scale_ratio(in->scale, alpha->scale, out->scale), &p->multiplier_2, &p->shift_2)) ||
        (rc = cfub_op_broadcast(ip, n, in, alpha, out, 4, &p->bc)))
        return rc;
    return finish(n, p, p, p->bc.size);
}

/* TFLM DownScaleInt32ToInt16Multiplier */
static int16_t downscale_multiplier(int32_t m) {
    if (m >= INT32_MAX - (1 << 15)) return INT16_MAX;
    return (int16_t)((m + (1 << 15)) >> 16);
}

static int prepare_hard_swish(cfub_interp *ip, cfub_node *n) {
    int rc = same_type_io(ip, n, false);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    cfub_hard_swish_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->size = (int32_t)cfub_elements(in);
    p->input_zero_point = in->zero_point;
    p->output_zero_point = out->zero_point;
    /* the scales in float, their ratios in double (hard_swish_common.cc on GitHub divides in
     * float; the tflite-micro build we check against does not: 1 case in 1000 tells) */
    const float hires_input_scale = (1.0f / 128.0f) * in->scale;
    const float reluish_scale = 3.0f / 32768.0f;
    int32_t m;
    if ((rc = cfub_op_requant(ip, n, (double)hires_input_scale / (double)out->scale, &m, &p->output_multiplier_exponent)))
        return rc;
    p->output_multiplier_fixedpoint_int16 = downscale_multiplier(m);
    if (p->output_multiplier_exponent > 0)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output multiplier above one (TFLM refuses)");
    if ((rc = cfub_op_requant(ip, n, (double)hires_input_scale / (double)reluish_scale, &m, &p->reluish_multiplier_exponent)))
        return rc;
    p->reluish_multiplier_fixedpoint_int16 = downscale_multiplier(m);
    return finish(n, p, p, p->size);
}

static int eval_relu(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_relu(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

static int eval_relu6(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_relu6(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

static int eval_leaky_relu(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_leaky_relu(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

static int eval_prelu(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_prelu(n->layer.params, n->layer.in[0], n->layer.in[1], n->layer.out);
    return CFUB_OK;
}

static int eval_hard_swish(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_hard_swish(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_relu = {CFUB_OP_RELU, prepare_relu, eval_relu};
const cfub_opdef cfub_op_relu6 = {CFUB_OP_RELU6, prepare_relu6, eval_relu6};
const cfub_opdef cfub_op_leaky_relu = {CFUB_OP_LEAKY_RELU, prepare_leaky_relu, eval_leaky_relu};
const cfub_opdef cfub_op_prelu = {CFUB_OP_PRELU, prepare_prelu, eval_prelu};
const cfub_opdef cfub_op_hard_swish = {CFUB_OP_HARD_SWISH, prepare_hard_swish, eval_hard_swish};
