/* L2_NORMALIZATION int8: TFLM l2norm.cc's checks (rank at most 4, no fused activation) and
 * the reference kernel. The output is on the 1/128 scale whatever the output tensor says, as
 * in TFLM. */
#include "math_ops.h"

static int prepare_l2norm(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if ((rc = cfub_need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = cfub_need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)))
        return rc;
    if (in->ndim < 1 || in->ndim > 4) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "input rank must be 1 to 4, not", in->ndim);
    if (!cfub_same_shape(in, out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output shapes differ");
    const fb_table *o = cfub_op_options(ip, n, OPT_L2_NORM);
    const int act = o ? fb_u8(&ip->fb, o, 0, 0) : 0;
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (act != CFUB_ACT_NONE) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "fused activation (TFLM refuses it)");
    cfub_l2norm_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->depth = in->dims[in->ndim - 1];
    p->outer = p->depth ? (int32_t)(cfub_elements(in) / p->depth) : 0;
    p->input_zero_point = in->zero_point;
    /* the int32 sum of squares: 255^2 per element */
    if ((rc = cfub_accumulator_fits(ip, n, p->depth, 255 * 255))) return rc;
    n->macs = (uint64_t)cfub_elements(in);
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int eval_l2norm(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_l2norm(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_l2norm = {CFUB_OP_L2_NORMALIZATION, prepare_l2norm, eval_l2norm};
