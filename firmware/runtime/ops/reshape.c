/* RESHAPE: a copy (or nothing, when the planner gave both tensors the same bytes). Like TFLM's
 * it moves bytes, so it takes any type of known element size (int16x8 models reshape int16). */
#include "../op_common.h"

static int prepare_reshape(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 2);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *shape = cfub_op_input(ip, n, 1), *out = &ip->tensors[n->out];
    if (!cfub_type_size(in->type)) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = cfub_need_type(ip, n, "output", 0, out, in->type))) return rc;
    if (shape && (rc = cfub_need_type(ip, n, "input", 1, shape, TFL_INT32))) return rc;
    if (cfub_elements(in) != cfub_elements(out))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    n->macs = 0;
    return CFUB_OK;
}

static int eval_reshape(cfub_interp *ip, cfub_node *n) {
    const cfub_tensor *out = &ip->tensors[n->out];
    if (n->layer.in[0] != n->layer.out) memmove(n->layer.out, n->layer.in[0], out->bytes);
    return CFUB_OK;
}

const cfub_opdef cfub_op_reshape = {CFUB_OP_RESHAPE, prepare_reshape, eval_reshape};

