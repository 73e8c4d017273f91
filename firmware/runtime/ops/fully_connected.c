/* FULLY_CONNECTED: TFLM fully_connected.cc's Prepare checks and arithmetic; the reference kernel. */
#include "../op_common.h"

typedef struct {
    cfub_fc_params p;
    int32_t mult1, shift1; /* per-tensor multiplier */
} fc_state;

static int prepare_fc(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 3);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *f = cfub_op_input(ip, n, 1), *bias = cfub_op_input(ip, n, 2);
    const cfub_tensor *out = &ip->tensors[n->out];
    bool i16;
    int32_t bias64 = 0;
    if ((rc = cfub_int16x8_types(ip, n, in, f, out, &i16)) || (rc = cfub_need_rank(ip, n, f, 2))) return rc;
    if ((rc = i16 ? cfub_bias_ok_i16(ip, n, bias, f->dims[0], true, &bias64) : cfub_bias_ok(ip, n, bias, f->dims[0])) ||
        (rc = cfub_need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (out->ndim < 1) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output must have a rank");
    int act = CFUB_ACT_NONE;
    const fb_table *o = cfub_op_options(ip, n, OPT_FULLY_CONNECTED);
    if (o) {
        act = fb_u8(&ip->fb, o, 0, 0);
        const int weights_format = fb_u8(&ip->fb, o, 1, 0);
        if (ip->fb.err) return cfub_fail_fb(ip);
        if (weights_format != 0) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "shuffled weights format");
    }
    fc_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_fc_params *p = &s->p;
    p->out_c = out->dims[out->ndim - 1];
    p->accum_depth = f->dims[1];
    if (p->out_c != f->dims[0]) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output depth does not match the filter");
    p->batches = (int32_t)(cfub_elements(out) / p->out_c);
    if ((int64_t)p->batches * p->accum_depth != cfub_elements(in))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input size does not match batches x filter depth");
    if (!f->has_quant) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "filter has no quantization");
    if (f->zero_point < -128 || f->zero_point > 127) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "filter zero point outside int8");
    p->int16x8 = i16;
    p->bias64 = bias64;
    p->input_offset = -in->zero_point;
    p->filter_offset = -f->zero_point;
    p->output_offset = out->zero_point;
    if (!i16 && (rc = cfub_accumulator_fits(ip, n, p->accum_depth, 255 * 255))) return rc;
    if ((rc = cfub_op_activation(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    if (f->n_scales > 1) {
        p->per_channel = 1;
        if ((rc = cfub_per_channel_multipliers(ip, n, in, f, out, p->out_c, 0, &p->out_mult, &p->out_shift))) return rc;
    } else {
        /* GetQuantizedConvolutionMultipler: the bias scale must agree with input x filter scale
         * to 2% of an output step. The product is taken in double: the TFLM build we check
         * against does so (a float product changes the rounding of about one output in 10^5,
         * caught by the ad model and by test_fc_multiplier_rounding). */
        const double input_product_scale = (double)in->scale * (double)f->scale;
        if (bias) {
            const double bias_scale = bias->has_quant ? (double)bias->scale : 0.0;
            double diff = input_product_scale - bias_scale;
            if (diff < 0) diff = -diff;
            if (!(diff / (double)out->scale <= 0.02))
                return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias scale differs from input scale x filter scale");
        }
        if (!(input_product_scale >= 0)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "negative input x filter scale");
        if ((rc = cfub_op_requant(ip, n, input_product_scale / (double)out->scale, &s->mult1, &s->shift1))) return rc;
        p->per_channel = 0;
        p->out_mult = &s->mult1;
        p->out_shift = &s->shift1;
    }
    if ((rc = cfub_int16x8_shifts(ip, n, p->out_shift, p->per_channel ? p->out_c : 1, bias64))) return rc;
    n->macs = (uint64_t)p->batches * (uint64_t)p->out_c * (uint64_t)p->accum_depth;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_fc(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const cfub_layer *l = &n->layer;
    const cfub_fc_params *p = l->params;
    if (p->int16x8) cfub_ref_fully_connected_i16(p, l->in[0], l->in[1], l->in[2], l->out);
    else cfub_ref_fully_connected(p, l->in[0], l->in[1], l->in[2], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_fully_connected = {CFUB_OP_FULLY_CONNECTED, prepare_fc, eval_fc};
