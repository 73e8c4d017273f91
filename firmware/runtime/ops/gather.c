/* GATHER (TFLM gather.cc): int32 positions, axis and batch_dims (negative ones counted from
 * the end); a position outside the axis fails the op at run time, as in TFLM. */
#include "ops_shape.h"

static int prepare_gather(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, 0};
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *pos = cfub_op_input(ip, n, 1);
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    if ((rc = cfub_need_type(ip, n, "input", 1, pos, TFL_INT32)) || (rc = cfub_need_type_of(ip, n, "input", 0, in, true, kTypes)) ||
        (rc = cfub_need_same_type(ip, n, in, out)))
        return rc;
    int32_t axis = 0, batch_dims = 0;
    const fb_table *o = cfub_op_options(ip, n, OPT_GATHER);
    if (o) {
        axis = fb_i32(&ip->fb, o, 0, 0);
        batch_dims = fb_i32(&ip->fb, o, 1, 0);
    }
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (axis < 0) axis += in->ndim;
    if (axis < 0 || axis >= in->ndim) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "axis out of range:", axis);
    if (batch_dims < 0) batch_dims += pos->ndim;
    if (batch_dims > axis || batch_dims < 0 || batch_dims >= in->ndim || batch_dims > pos->ndim)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "batch_dims out of range:", batch_dims);
    for (int i = 0; i < batch_dims; i++)
        if (in->dims[i] != pos->dims[i]) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "batch dimensions of input and positions differ");
    const int nd = in->ndim + pos->ndim - 1 - batch_dims;
    if (nd > CFUB_MAX_DIMS) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "output rank above 6");
    int32_t shape[CFUB_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < axis; i++) shape[k++] = in->dims[i];
    for (int i = batch_dims; i < pos->ndim; i++) shape[k++] = pos->dims[i];
    for (int i = axis + 1; i < in->ndim; i++) shape[k++] = in->dims[i];
    if ((rc = cfub_need_out_shape(ip, n, out, shape, nd))) return rc;
    cfub_gather_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->esize = (int32_t)cfub_type_size(in->type);
    p->batch_size = p->outer_size = p->coord_size = p->inner_size = 1;
    for (int i = 0; i < batch_dims; i++) p->batch_size *= in->dims[i];
    for (int i = batch_dims; i < axis; i++) p->outer_size *= in->dims[i];
    for (int i = axis + 1; i < in->ndim; i++) p->inner_size *= in->dims[i];
    for (int i = batch_dims; i < pos->ndim; i++) p->coord_size *= pos->dims[i];
    p->axis_size = in->dims[axis];
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int eval_gather(cfub_interp *ip, cfub_node *n) {
    if (!cfub_ref_gather(n->layer.params, n->layer.in[0], n->layer.in[1], n->layer.out))
        return cfub_fail_op(ip, CFUB_ERR_EVAL, n, "position outside the gathered axis");
    return CFUB_OK;
}

const cfub_opdef cfub_op_gather = {CFUB_OP_GATHER, prepare_gather, eval_gather};
