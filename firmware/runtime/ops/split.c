/* SPLIT (axis, input), SPLIT_V (input, size_splits, axis) and UNPACK (UnpackOptions num, axis):
 * TFLM's split.cc, split_v.cc, unpack.cc. TFLM sizes the parts from the output tensors' shapes
 * (SPLIT_V never reads size_splits, SPLIT never reads num_splits); the axis is a constant.
 * The shapes TFLM only DCHECKs (parts adding up to the input, other dimensions equal) are
 * checked here, since a mismatch would copy outside the tensors. */
#include "ops_shape.h"

static const int kSplitTypes[] = {TFL_INT8, TFL_INT16, TFL_INT32, 0};

static int set_split(cfub_interp *ip, cfub_node *n, const cfub_tensor *in, int axis, bool unpack) {
    cfub_concat_params *p = cfub_op_state(ip, sizeof *p);
    int32_t *sizes = p ? cfub_persistent(ip, (size_t)n->n_out * sizeof(int32_t)) : NULL;
    if (!p || !sizes) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    int64_t outer = 1, inner = 1, along_sum = 0;
    for (int i = 0; i < axis; i++) outer *= in->dims[i];
    for (int i = axis + 1; i < in->ndim; i++) inner *= in->dims[i];
    for (int k = 0; k < n->n_out; k++) {
        const cfub_tensor *t = cfub_op_output(ip, n, k);
        int rc = cfub_need_type(ip, n, "output", k, t, in->type);
        if (rc) return rc;
        /* UNPACK's outputs lack the axis; SPLIT's keep it, with their own size along it */
        if (t->ndim + (unpack ? 1 : 0) != in->ndim)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "rank does not match the input at output", k);
        for (int i = 0, j = 0; i < in->ndim; i++) {
            if (i == axis && unpack) continue;
            if (i != axis && t->dims[j] != in->dims[i])
                return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "shape does not match the input at output", k);
            j++;
        }
        const int32_t along = unpack ? 1 : t->dims[axis];
        along_sum += along;
        sizes[k] = (int32_t)(along * inner);
    }
    if (along_sum != in->dims[axis]) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "outputs do not add up to the input along the axis");
    p->esize = (int32_t)cfub_type_size(in->type);
    p->n_parts = n->n_out;
    p->outer = (int32_t)outer;
    p->row = (int32_t)(along_sum * inner);
    p->copy_size = sizes;
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int split_common(cfub_interp *ip, cfub_node *n, int input_k, int axis_k) {
    const cfub_tensor *in = cfub_op_input(ip, n, input_k);
    const int32_t *axis;
    int rc = cfub_need_outputs(ip, n, 1, CFUB_MAX_OP_IO);
    if (rc || (rc = cfub_need_type_of(ip, n, "input", input_k, in, true, kSplitTypes)) ||
        (rc = cfub_need_const_i32(ip, n, axis_k, 1, &axis)))
        return rc;
    int32_t a = axis[0];
    if (a < 0) a += in->ndim;
    if (a < 0 || a >= in->ndim) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "axis out of range:", axis[0]);
    return set_split(ip, n, in, a, false);
}

static int prepare_split(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    return rc ? rc : split_common(ip, n, 1, 0);
}

static int prepare_split_v(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 3, 3);
    return rc ? rc : split_common(ip, n, 0, 2);
}

static int prepare_unpack(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc || (rc = cfub_need_outputs(ip, n, 1, CFUB_MAX_OP_IO))) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0);
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kSplitTypes))) return rc;
    int32_t num = 0, axis = 0;
    const fb_table *o = cfub_op_options(ip, n, OPT_UNPACK);
    if (o) {
        num = fb_i32(&ip->fb, o, 0, 0);
        axis = fb_i32(&ip->fb, o, 1, 0);
    }
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (axis < 0) axis += in->ndim;
    if (axis < 0 || axis >= in->ndim) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "axis out of range:", axis);
    /* TFLM copies num blocks, strided by num: it must be the outputs and the axis size */
    if (num != n->n_out) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "num differs from the outputs:", num);
    return set_split(ip, n, in, axis, true);
}

static int eval_split(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_split(n->layer.params, n->layer.in[n->builtin == CFUB_OP_SPLIT ? 1 : 0], n->layer.outs);
    return CFUB_OK;
}

const cfub_opdef cfub_op_split = {CFUB_OP_SPLIT, prepare_split, eval_split};
const cfub_opdef cfub_op_split_v = {CFUB_OP_SPLIT_V, prepare_split_v, eval_split};
const cfub_opdef cfub_op_unpack = {CFUB_OP_UNPACK, prepare_unpack, eval_split};
