/* DEPTHWISE_CONV_2D: TFLM depthwise_conv.cc's Prepare checks and arithmetic; the reference kernel. */
#include "../op_common.h"

typedef struct {
    cfub_dw_params p;
} dw_state;

static int prepare_dw(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 3);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *f = cfub_op_input(ip, n, 1), *bias = cfub_op_input(ip, n, 2);
    const cfub_tensor *out = &ip->tensors[n->out];
    bool i16;
    int32_t bias64 = 0;
    if ((rc = cfub_int16x8_types(ip, n, in, f, out, &i16))) return rc;
    /* int16x8: TFLM's depthwise reads the bias as int64 only */
    if ((rc = i16 ? cfub_bias_ok_i16(ip, n, bias, f->ndim == 4 ? f->dims[3] : 0, false, &bias64)
                  : cfub_bias_ok(ip, n, bias, f->ndim == 4 ? f->dims[3] : 0)) ||
        (rc = cfub_need_rank(ip, n, in, 4)) || (rc = cfub_need_rank(ip, n, f, 4)) || (rc = cfub_need_rank(ip, n, out, 4)) ||
        (rc = cfub_need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    const fb_table *o = cfub_op_options(ip, n, OPT_DEPTHWISE);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing DepthwiseConv2DOptions");
    dw_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_dw_params *p = &s->p;
    const int padding = fb_u8(&ip->fb, o, 0, 0);
    p->stride_w = fb_i32(&ip->fb, o, 1, 0);
    p->stride_h = fb_i32(&ip->fb, o, 2, 0);
    p->depth_multiplier = fb_i32(&ip->fb, o, 3, 0);
    const int act = fb_u8(&ip->fb, o, 4, 0);
    p->dil_w = fb_i32(&ip->fb, o, 5, 1);
    p->dil_h = fb_i32(&ip->fb, o, 6, 1);
    if (ip->fb.err) return cfub_fail_fb(ip);
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->in_c = in->dims[3];
    p->k_h = f->dims[1];
    p->k_w = f->dims[2];
    p->out_c = f->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (f->dims[0] != 1 || out->dims[0] != p->batches || out->dims[3] != p->out_c)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match input and filter");
    if (p->depth_multiplier < 1 || (int64_t)p->in_c * p->depth_multiplier != p->out_c)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "depth multiplier does not match channels:", p->depth_multiplier);
    if ((rc = cfub_op_window(ip, n, padding, p->in_h, p->k_h, p->stride_h, p->dil_h, p->out_h, &p->pad_h)) ||
        (rc = cfub_op_window(ip, n, padding, p->in_w, p->k_w, p->stride_w, p->dil_w, p->out_w, &p->pad_w)))
        return rc;
    const int64_t depth = (int64_t)p->k_h * p->k_w;
    if (!i16 && (rc = cfub_accumulator_fits(ip, n, depth, 128 * 255))) return rc;
    /* TFLM's int16 kernel ignores both zero points and accumulates in int64 */
    p->int16x8 = i16;
    p->bias64 = i16;
    p->input_offset = i16 ? 0 : -in->zero_point;
    p->output_offset = i16 ? 0 : out->zero_point;
    if ((rc = cfub_op_activation(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    if ((rc = cfub_per_channel_multipliers(ip, n, in, f, out, p->out_c, 3, &p->out_mult, &p->out_shift))) return rc;
    if ((rc = cfub_int16x8_shifts(ip, n, p->out_shift, p->out_c, p->bias64))) return rc;
    n->macs = (uint64_t)cfub_elements(out) * (uint64_t)depth;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_dw(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const cfub_layer *l = &n->layer;
    const cfub_dw_params *p = l->params;
    if (p->int16x8) cfub_ref_depthwise_i16(p, l->in[0], l->in[1], l->in[2], l->out);
    else cfub_ref_depthwise(p, l->in[0], l->in[1], l->in[2], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_depthwise = {CFUB_OP_DEPTHWISE_CONV_2D, prepare_dw, eval_dw};
