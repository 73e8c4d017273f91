/* CONCATENATION (TFLM concatenation.cc: at most 10 inputs of rank <= 6, no fused activation;
 * int8 inputs must share the output's scale and zero point, int16 ones zero point 0, so the
 * bytes are copied as they are) and PACK (pack.cc: N equal shapes stacked along a new axis).
 * Both are the same copy: per outer index, each input's block in turn. */
#include "ops_shape.h"

static int set_concat(cfub_interp *ip, cfub_node *n, int axis, bool pack) {
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    cfub_concat_params *p = cfub_op_state(ip, sizeof *p);
    int32_t *sizes = p ? cfub_persistent(ip, (size_t)n->n_in * sizeof(int32_t)) : NULL;
    if (!p || !sizes) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    p->esize = (int32_t)cfub_type_size(out->type);
    p->n_parts = n->n_in;
    int64_t outer = 1, inner = 1, axis_sum = 0;
    for (int i = 0; i < axis; i++) outer *= out->dims[i];
    for (int i = axis + 1; i < out->ndim; i++) inner *= out->dims[i];
    for (int k = 0; k < n->n_in; k++) {
        const cfub_tensor *t = cfub_op_input(ip, n, k);
        /* every dimension but the axis equals the output's (PACK: the input lacks the axis) */
        if (t->ndim + (pack ? 1 : 0) != out->ndim)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "rank does not match the output at input", k);
        for (int i = 0, j = 0; i < out->ndim; i++) {
            if (i == axis && pack) continue;
            if (i != axis && t->dims[j] != out->dims[i])
                return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "shape does not match the output at input", k);
            j++;
        }
        const int32_t along = pack ? 1 : t->dims[axis];
        axis_sum += along;
        sizes[k] = (int32_t)(along * inner);
    }
    if (axis_sum != out->dims[axis]) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "inputs do not add up to the output along the axis");
    p->outer = (int32_t)outer;
    p->row = (int32_t)(axis_sum * inner);
    p->copy_size = sizes;
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int check_inputs(cfub_interp *ip, cfub_node *n, const int *types) {
    const cfub_tensor *in0 = cfub_op_input(ip, n, 0), *out = cfub_op_output(ip, n, 0);
    int rc = cfub_need_type_of(ip, n, "input", 0, in0, true, types);
    if (rc || (rc = cfub_need_same_type(ip, n, in0, out))) return rc;
    for (int k = 0; k < n->n_in; k++) {
        const cfub_tensor *t = cfub_op_input(ip, n, k);
        if (!t) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "missing required input", k);
        if ((rc = cfub_need_type(ip, n, "input", k, t, in0->type))) return rc;
    }
    return CFUB_OK;
}

static int prepare_concatenation(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, TFL_INT32, TFL_INT64, TFL_BOOL, 0};
    int rc = cfub_need_inputs(ip, n, 1, 10);
    if (rc || (rc = check_inputs(ip, n, kTypes))) return rc;
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    int axis = 0, act = CFUB_ACT_NONE;
    const fb_table *o = cfub_op_options(ip, n, OPT_CONCATENATION);
    if (o) {
        axis = fb_i32(&ip->fb, o, 0, 0);
        act = fb_u8(&ip->fb, o, 1, 0);
    }
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (act != CFUB_ACT_NONE) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "fused activation (TFLM refuses it):", act);
    for (int k = 0; k < n->n_in; k++) {
        const cfub_tensor *t = cfub_op_input(ip, n, k);
        if (t->type == TFL_INT8 && (t->scale != out->scale || t->zero_point != out->zero_point))
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "int8 input quantization differs from the output's (TFLM refuses it) at input", k);
        if (t->type == TFL_INT16 && t->zero_point != 0)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "int16 zero point is not 0 at input", k);
    }
    if (out->type == TFL_INT16 && out->zero_point != 0)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 output zero point is not 0");
    if (axis < 0) axis += out->ndim;
    if (axis < 0 || axis >= out->ndim) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "axis out of range:", axis);
    return set_concat(ip, n, axis, false);
}

static int prepare_pack(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, TFL_INT32, TFL_INT64, 0};
    int rc = cfub_need_inputs(ip, n, 1, CFUB_MAX_OP_IO);
    if (rc || (rc = check_inputs(ip, n, kTypes))) return rc;
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    int axis = 0, count = 0;
    const fb_table *o = cfub_op_options(ip, n, OPT_PACK);
    if (o) {
        count = fb_i32(&ip->fb, o, 0, 0);
        axis = fb_i32(&ip->fb, o, 1, 0);
    }
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (count != n->n_in) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "values_count differs from the inputs:", count);
    if (axis < 0) axis += out->ndim;
    if (axis < 0 || axis >= out->ndim) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "axis out of range:", axis);
    return set_concat(ip, n, axis, true);
}

static int eval_concat(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_concatenation(n->layer.params, n->layer.in, n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_concatenation = {CFUB_OP_CONCATENATION, prepare_concatenation, eval_concat};
const cfub_opdef cfub_op_pack = {CFUB_OP_PACK, prepare_pack, eval_concat};
