/* TRANSPOSE_CONV: TFLM transpose_conv.cc's Prepare checks and arithmetic; the reference kernel.
 * Inputs: 0 output shape (TFLM ignores it: the output tensor's shape rules), 1 filter (OHWI),
 * 2 input, 3 bias (optional). int8 (bias int32) and int16x8 (bias int64, or int16 widened). */
#include "../op_common.h"

enum { OPT_TRANSPOSE_CONV = 49 };

typedef struct {
    cfub_tconv_params p;
} tconv_state;

/* TFLM's ComputePaddingHeightWidth with the OUTPUT size as the "input" of the window
 * arithmetic (a transposed convolution runs the forward one backwards). */
static int tconv_padding(cfub_interp *ip, const cfub_node *n, int padding, int32_t out, int32_t k,
                         int32_t stride, int32_t *pad) {
    if (stride < 1 || stride > 65535 || k < 1) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "stride or window out of range");
    int64_t computed;
    if (padding == 0) computed = ((int64_t)out + stride - 1) / stride;
    else if (padding == 1) computed = ((int64_t)out + stride - k) / stride;
    else return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "unknown padding", padding);
    int64_t total = (computed - 1) * stride + k - out;
    if (total < 0) total = 0;
    if (total > 0x3fffffff) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "padding out of range");
    *pad = (int32_t)(total / 2);
    return CFUB_OK;
}

static int prepare_tconv(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 3, 4);
    if (rc || (rc = cfub_need_outputs(ip, n, 1, 1))) return rc;
    const cfub_tensor *f = cfub_op_input(ip, n, 1), *in = cfub_op_input(ip, n, 2), *bias = cfub_op_input(ip, n, 3);
    const cfub_tensor *out = &ip->tensors[n->out];
    bool i16;
    if ((rc = cfub_int16x8_types(ip, n, in, f, out, &i16)) || (rc = cfub_need_rank(ip, n, in, 4)) ||
        (rc = cfub_need_rank(ip, n, f, 4)) || (rc = cfub_need_rank(ip, n, out, 4)) ||
        (rc = cfub_need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    int bias_type = CFUB_BIAS_NONE;
    if (bias) {
        if (!i16 && bias->type == TFL_INT32) bias_type = CFUB_BIAS_I32;
        else if (i16 && bias->type == TFL_INT64) bias_type = CFUB_BIAS_I64;
        else if (i16 && bias->type == TFL_INT16) bias_type = CFUB_BIAS_I16;
        else return cfub_fail_type(ip, n, "input", 3, bias->type);
        if (cfub_elements(bias) != f->dims[0]) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias size does not match output channels");
    }
    const fb_table *o = cfub_op_options(ip, n, OPT_TRANSPOSE_CONV);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing TransposeConvOptions");
    tconv_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_tconv_params *p = &s->p;
    const int padding = fb_u8(&ip->fb, o, 0, 0);
    p->stride_w = fb_i32(&ip->fb, o, 1, 0);
    p->stride_h = fb_i32(&ip->fb, o, 2, 0);
    const int act = fb_u8(&ip->fb, o, 3, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->in_c = in->dims[3];
    p->out_c = f->dims[0];
    p->k_h = f->dims[1];
    p->k_w = f->dims[2];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (out->dims[0] != p->batches || out->dims[3] != p->out_c || f->dims[3] != p->in_c)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match input and filter");
    if ((rc = tconv_padding(ip, n, padding, p->out_h, p->k_h, p->stride_h, &p->pad_h)) ||
        (rc = tconv_padding(ip, n, padding, p->out_w, p->k_w, p->stride_w, &p->pad_w)))
        return rc;
    /* every index the kernel forms (o + pad - f) stays inside int32 */
    if ((int64_t)p->out_h + p->pad_h > 0x3fffffff || (int64_t)p->out_w + p->pad_w > 0x3fffffff)
        return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "window extent too large");
    p->int16x8 = i16;
    p->bias_type = bias_type;
    p->input_offset = i16 ? 0 : -in->zero_point;
    p->output_offset = i16 ? 0 : out->zero_point;
    if ((rc = cfub_op_activation(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    if ((rc = cfub_per_channel_multipliers(ip, n, in, f, out, p->out_c, 0, &p->out_mult, &p->out_shift))) return rc;
    if ((rc = cfub_int16x8_shifts(ip, n, p->out_shift, p->out_c, i16))) return rc;
    n->macs = (uint64_t)cfub_elements(in) * (uint64_t)p->k_h * (uint64_t)p->k_w * (uint64_t)p->out_c;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_tconv(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const cfub_layer *l = &n->layer;
    const cfub_tconv_params *p = l->params;
    const void *bias = l->n_in > 3 ? l->in[3] : NULL; /* in[] has n_in entries, at least 3 */
    if (p->int16x8) cfub_ref_transpose_conv_i16(p, l->in[2], l->in[1], bias, l->out);
    else cfub_ref_transpose_conv(p, l->in[2], l->in[1], bias, l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_transpose_conv = {CFUB_OP_TRANSPOSE_CONV, prepare_tconv, eval_tconv};
