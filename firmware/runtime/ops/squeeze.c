/* SQUEEZE and EXPAND_DIMS: the bytes do not move, only the shape changes (a copy, as RESHAPE). */
#include "ops_shape.h"

static int same_bytes(cfub_interp *ip, cfub_node *n, const cfub_tensor *in, const cfub_tensor *out) {
    int rc = cfub_need_same_type(ip, n, in, out);
    if (rc) return rc;
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    return CFUB_OK;
}

static int prepare_squeeze(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = cfub_op_output(ip, n, 0);
    if (!cfub_type_size(in->type)) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = same_bytes(ip, n, in, out))) return rc;
    bool squeeze[CFUB_MAX_DIMS] = {false};
    fb_vec dims = {0, 0};
    const fb_table *o = cfub_op_options(ip, n, OPT_SQUEEZE);
    if (o) fb_vector(&ip->fb, o, 0, 4, &dims);
    if (ip->fb.err) return cfub_fail_fb(ip);
    for (uint32_t k = 0; k < dims.len; k++) {
        int32_t a = fb_vec_i32(&ip->fb, &dims, k);
        if (a < 0) a += in->ndim;
        if (a < 0 || a >= in->ndim || in->dims[a] != 1) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "cannot squeeze axis", a);
        squeeze[a] = true;
    }
    int32_t shape[CFUB_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < in->ndim; i++)
        if (!(dims.len ? squeeze[i] : in->dims[i] == 1)) shape[nd++] = in->dims[i];
    return cfub_need_out_shape(ip, n, out, shape, nd);
}

static int prepare_expand_dims(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, 0};
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = cfub_op_output(ip, n, 0);
    const int32_t *axis;
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kTypes)) || (rc = same_bytes(ip, n, in, out)) ||
        (rc = cfub_need_const_i32(ip, n, 1, 1, &axis)))
        return rc;
    int32_t a = axis[0];
    if (a < 0) a += in->ndim + 1;
    if (a < 0 || a > in->ndim || in->ndim >= CFUB_MAX_DIMS) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "axis out of range:", axis[0]);
    int32_t shape[CFUB_MAX_DIMS];
    for (int i = 0, j = 0; i <= in->ndim; i++) shape[i] = i == a ? 1 : in->dims[j++];
    return cfub_need_out_shape(ip, n, out, shape, in->ndim + 1);
}

static int eval_same_bytes(cfub_interp *ip, cfub_node *n) {
    const cfub_tensor *out = &ip->tensors[n->out];
    if (n->layer.in[0] != n->layer.out) memmove(n->layer.out, n->layer.in[0], out->bytes);
    return CFUB_OK;
}

const cfub_opdef cfub_op_squeeze = {CFUB_OP_SQUEEZE, prepare_squeeze, eval_same_bytes};
const cfub_opdef cfub_op_expand_dims = {CFUB_OP_EXPAND_DIMS, prepare_expand_dims, eval_same_bytes};
