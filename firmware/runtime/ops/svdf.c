/* SVDF: TFLM svdf_common.cc's PrepareSvdf checks and arithmetic; the int8 reference kernel.
 * Inputs: 0 input int8 [batches][input], 1 weights_feature int8 [filters][input],
 * 2 weights_time int8 or int16 [filters][memory], 3 bias int32 [units] (optional),
 * 4 state (variable, weights_time's type) [batches][memory * filters]. TFLM's integer
 * kernel applies no fused activation (the option is read and ignored). */
#include "../op_common.h"

enum { OPT_SVDF = 6 };

typedef struct {
    cfub_svdf_params p;
} svdf_state;

static int prepare_svdf(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs_opt(ip, n, 5, 1u << 3);
    if (rc || (rc = cfub_need_outputs(ip, n, 1, 1))) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *wf = cfub_op_input(ip, n, 1), *wt = cfub_op_input(ip, n, 2);
    const cfub_tensor *bias = cfub_op_input(ip, n, 3), *st = cfub_op_input(ip, n, 4);
    const cfub_tensor *out = &ip->tensors[n->out];
    const uint32_t i8_or_i16 = (1u << TFL_INT8) | (1u << TFL_INT16);
    if ((rc = cfub_need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = cfub_need_type(ip, n, "input", 1, wf, TFL_INT8)) ||
        (rc = cfub_need_type_in(ip, n, "input", 2, wt, i8_or_i16)) || (rc = cfub_need_type_in(ip, n, "input", 4, st, i8_or_i16)) ||
        (rc = cfub_need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (bias && (rc = cfub_need_type(ip, n, "input", 3, bias, TFL_INT32))))
        return rc;
    /* TFLM instantiates the kernel on the state's type and reads weights_time with it */
    if (wt->type != st->type) return cfub_fail_type(ip, n, "input", 2, wt->type);
    if (!st->is_variable) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "state (input 4) is not a variable tensor");
    if (in->ndim != 2 || wf->ndim != 2 || wt->ndim != 2 || st->ndim != 2 || out->ndim != 2)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input, weights, state and output must have rank 2");
    const fb_table *o = cfub_op_options(ip, n, OPT_SVDF);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing SVDFOptions");
    svdf_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_svdf_params *p = &s->p;
    p->rank = fb_i32(&ip->fb, o, 0, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    p->batches = in->dims[0];
    p->input_size = in->dims[1];
    p->filters = wf->dims[0];
    p->memory = wt->dims[1];
    if (p->rank < 1 || p->filters % p->rank != 0)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "filters are not a multiple of the rank", p->rank);
    p->units = p->filters / p->rank;
    if (out->dims[0] != p->batches || out->dims[1] != p->units)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape is not [batches, units]");
    if (wf->dims[1] != p->input_size || wt->dims[0] != p->filters)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "weights do not match the input and filters");
    if (bias && cfub_elements(bias) != p->units) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias size is not units");
    if (st->dims[0] != p->batches || (int64_t)st->dims[1] != (int64_t)p->memory * p->filters)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "state shape is not [batches, memory x filters]");
    if ((rc = cfub_need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_act_q(ip, n, "state has no usable quantization", st)) ||
        (rc = cfub_need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (!wf->has_quant || !wt->has_quant) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "weights have no quantization");
    /* TFLM multiplies and divides the scales in float, then widens */
    const float scale1 = in->scale * wf->scale / st->scale;
    const float scale2 = st->scale * wt->scale / out->scale;
    const float bias_expected = st->scale * wt->scale;
    const double bias_scale = (bias && bias->has_quant) ? (double)bias->scale : 0.0;
    double diff = bias_scale - (double)bias_expected;
    if (diff < 0) diff = -diff;
    if (bias && !(diff < 1e-5)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias scale differs from state scale x time weights scale");
    if ((rc = cfub_op_requant(ip, n, (double)scale1, &p->scale1_mult, &p->scale1_shift)) ||
        (rc = cfub_op_requant(ip, n, (double)scale2, &p->scale2_mult, &p->scale2_shift)))
        return rc;
    p->input_zero_point = in->zero_point;
    p->state_zero_point = st->zero_point;
    p->output_zero_point = out->zero_point;
    p->state16 = st->type == TFL_INT16;
    n->macs = (uint64_t)p->batches * (uint64_t)p->filters * ((uint64_t)p->input_size + (uint64_t)p->memory);
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_svdf(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    /* the state is written in place: take it from the tensor, not the const input view */
    void *state = ip->tensors[n->in[4]].data;
    cfub_ref_svdf(l->params, l->in[0], l->in[1], l->in[2], l->in[3], state, l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_svdf = {CFUB_OP_SVDF, prepare_svdf, eval_svdf};
