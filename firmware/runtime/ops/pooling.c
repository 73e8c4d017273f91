/* AVERAGE_POOL_2D and MAX_POOL_2D, int8 and int16: TFLM pooling.cc's Prepare checks; the
 * reference kernels. */
#include "../op_common.h"

typedef struct {
    cfub_pool_params p;
} pool_state;

static int prepare_pool(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type != TFL_INT8 && in->type != TFL_INT16) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = cfub_need_type(ip, n, "output", 0, out, in->type)) ||
        (rc = cfub_need_rank(ip, n, in, 4)) || (rc = cfub_need_rank(ip, n, out, 4)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    double sd = (double)in->scale - (double)out->scale;
    if (sd < 0) sd = -sd;
    if (!(sd <= 1.0e-6) || in->zero_point != out->zero_point)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output quantization differ");
    const fb_table *o = cfub_op_options(ip, n, OPT_POOL2D);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing Pool2DOptions");
    pool_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_pool_params *p = &s->p;
    const int padding = fb_u8(&ip->fb, o, 0, 0);
    p->stride_w = fb_i32(&ip->fb, o, 1, 0);
    p->stride_h = fb_i32(&ip->fb, o, 2, 0);
    p->k_w = fb_i32(&ip->fb, o, 3, 0);
    p->k_h = fb_i32(&ip->fb, o, 4, 0);
    const int act = fb_u8(&ip->fb, o, 5, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->channels = in->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (out->dims[0] != p->batches || out->dims[3] != p->channels)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match input");
    if ((rc = cfub_op_window(ip, n, padding, p->in_h, p->k_h, p->stride_h, 1, p->out_h, &p->pad_h)) ||
        (rc = cfub_op_window(ip, n, padding, p->in_w, p->k_w, p->stride_w, 1, p->out_w, &p->pad_w)))
        return rc;
    const int64_t win = (int64_t)(p->k_h < p->in_h ? p->k_h : p->in_h) * (p->k_w < p->in_w ? p->k_w : p->in_w);
    if ((rc = cfub_accumulator_fits(ip, n, win, in->type == TFL_INT16 ? 32768 : 128))) return rc;
    if ((rc = cfub_op_activation_q(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    n->macs = (uint64_t)cfub_elements(out) * (uint64_t)win;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_avg_pool(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    const bool ok = ip->tensors[n->out].type == TFL_INT16 ? cfub_ref_average_pool_i16(l->params, l->in[0], l->out)
                                                          : cfub_ref_average_pool(l->params, l->in[0], l->out);
    if (!ok)
        return cfub_fail_op(ip, CFUB_ERR_EVAL, n, "pooling window covers no input");
    return CFUB_OK;
}

static int eval_max_pool(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    if (ip->tensors[n->out].type == TFL_INT16) cfub_ref_max_pool_i16(l->params, l->in[0], l->out);
    else cfub_ref_max_pool(l->params, l->in[0], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_average_pool = {CFUB_OP_AVERAGE_POOL_2D, prepare_pool, eval_avg_pool};
const cfub_opdef cfub_op_max_pool = {CFUB_OP_MAX_POOL_2D, prepare_pool, eval_max_pool};
