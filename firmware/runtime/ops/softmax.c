/* SOFTMAX (int8 in, int8 or int16 out; int16 in and out): TFLM softmax.cc's Prepare checks; the reference kernel. */
#include "../op_common.h"

typedef struct {
    cfub_softmax_params p;
} softmax_state;

/* int16 -> int16: TFLM's table-based SoftmaxInt16 (output zero point 0, scale 1/32768) */
static int prepare_softmax_i16(cfub_interp *ip, cfub_node *n, const cfub_tensor *in, const cfub_tensor *out, float beta) {
    int rc;
    if ((rc = cfub_need_type(ip, n, "output", 0, out, TFL_INT16)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    const float want = 1.0f / 32768.0f;
    const float delta = out->scale > want ? out->scale - want : want - out->scale;
    if (out->zero_point != 0 || delta > 0.001f * want)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 softmax output must have scale 1/32768 and zero point 0");
    if (in->zero_point != 0) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 softmax input zero point must be 0");
    cfub_softmax16_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    /* the input differences rescaled so that [-65535, 0] spans [-10, 0] */
    if ((rc = cfub_op_requant(ip, n, (double)in->scale * (double)beta / (10.0 / 65535.0), &p->input_multiplier,
                              &p->input_left_shift)))
        return rc;
    p->depth = in->dims[in->ndim - 1];
    p->outer = p->depth ? (int32_t)(cfub_elements(in) / p->depth) : 0;
    /* the int32 sum of up to depth exps of at most 32767 */
    if (p->depth > 65536) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "depth too large for int16 softmax:", p->depth);
    n->macs = (uint64_t)cfub_elements(in);
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int prepare_softmax(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type == TFL_INT16) {
        if (in->ndim < 1 || !cfub_same_shape(in, out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output shapes differ");
        const fb_table *o = cfub_op_options(ip, n, OPT_SOFTMAX);
        if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing SoftmaxOptions");
        const float beta = fb_f32(&ip->fb, o, 0, 0.0f);
        if (ip->fb.err) return cfub_fail_fb(ip);
        if (!cfub_finite(beta)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite beta");
        return prepare_softmax_i16(ip, n, in, out, beta);
    }
    if ((rc = cfub_need_type(ip, n, "input", 0, in, TFL_INT8)) ||
        (rc = cfub_need_act_q(ip, n, "input has no usable quantization", in)))
        return rc;
    if (out->type == TFL_INT16) {
        if ((rc = cfub_need_q(ip, n, "output has no usable quantization", out))) return rc;
        /* TF_LITE_ENSURE_NEAR, in float */
        const float want = 1.0f / 65536.0f;
        const float delta = out->scale > want ? out->scale - want : want - out->scale;
        if (out->zero_point != -32768 || delta > 0.001f * want)
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 softmax output must have scale 1/65536 and zero point -32768");
    } else {
        if ((rc = cfub_need_type(ip, n, "output", 0, out, TFL_INT8)) ||
            (rc = cfub_need_act_q(ip, n, "output has no usable quantization", out)))
            return rc;
        if (out->zero_point != -128 || out->scale != 0.00390625f)
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int8 softmax output must have scale 1/256 and zero point -128");
    }
    if (in->ndim < 1 || !cfub_same_shape(in, out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output shapes differ");
    const fb_table *o = cfub_op_options(ip, n, OPT_SOFTMAX);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing SoftmaxOptions");
    const float beta = fb_f32(&ip->fb, o, 0, 0.0f);
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (!cfub_finite(beta)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite beta");
    softmax_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    if (!cfub_softmax_prepare(beta, in->scale, &s->p))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "beta x input scale too small for int8 softmax");
    s->p.depth = in->dims[in->ndim - 1];
    s->p.outer = (int32_t)(cfub_elements(in) / s->p.depth);
    n->macs = (uint64_t)cfub_elements(in);
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_softmax(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    if (ip->tensors[n->in[0]].type == TFL_INT16) {
        cfub_ref_softmax_i16(l->params, l->in[0], l->out);
        return CFUB_OK;
    }
    const bool ok = ip->tensors[n->out].type == TFL_INT16 ? cfub_ref_softmax_i16out(l->params, l->in[0], l->out)
                                                          : cfub_ref_softmax(l->params, l->in[0], l->out);
    if (!ok)
        return cfub_fail_op(ip, CFUB_ERR_EVAL, n, "exp sum out of range (TFLM aborts here too)");
    return CFUB_OK;
}

const cfub_opdef cfub_op_softmax = {CFUB_OP_SOFTMAX, prepare_softmax, eval_softmax};
