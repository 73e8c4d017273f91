/* STRIDED_SLICE (TFLM strided_slice.cc + strided_slice_logic.h) and SLICE (slice.cc): begin,
 * end/size and strides are constant int32 tensors; the slice is one strided copy.
 *
 * TFLM builds its params with ellipsis_mask = new_axis_mask = 0 and offset = false, so those
 * fields are ignored here too (a model relying on them fails TFLM's output-shape check, and
 * ours). A shrunk axis whose start lies outside the axis, or shrinking with a negative stride,
 * makes TFLM's Eval copy nothing (the output is left unwritten): refused. */
#include "ops_shape.h"

typedef struct {
    int32_t start, stop, stride;
} axis_range;

static int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* StridedSliceStartForAxis / EndForAxis (offset = false) */
static axis_range strided_axis(int32_t size, int32_t begin, int32_t end, int32_t stride, bool begin_mask,
                               bool end_mask, bool shrink) {
    axis_range r = {begin, end, stride};
    if (r.start < 0) r.start += size;
    r.start = stride > 0 ? clamp(r.start, 0, size) : clamp(r.start, -1, size - 1);
    if (begin_mask) r.start = stride > 0 ? 0 : size - 1;
    if (shrink) {
        r.stop = r.start >= size ? r.start : r.start + 1;
        return r;
    }
    if (r.stop < 0) r.stop += size;
    r.stop = stride > 0 ? clamp(r.stop, 0, size) : clamp(r.stop, -1, size - 1);
    if (end_mask) r.stop = stride > 0 ? size : -1;
    return r;
}

/* ceil((stop - start) / stride), at least 0 (64-bit: strides may be huge) */
static int32_t iterations(axis_range r) {
    const int64_t span = (int64_t)r.stop - r.start, stride = r.stride;
    if (stride > 0) return span > 0 ? (int32_t)((span + stride - 1) / stride) : 0;
    return span < 0 ? (int32_t)((-span - stride - 1) / -stride) : 0;
}

static int set_slice(cfub_interp *ip, cfub_node *n, const cfub_tensor *in, const axis_range *r) {
    cfub_copy_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    int32_t st[CFUB_MAX_DIMS];
    cfub_strides(in, st);
    p->esize = (int32_t)cfub_type_size(in->type);
    p->ndim = in->ndim;
    int32_t dst = 1;
    for (int i = in->ndim - 1; i >= 0; i--) {
        p->dims[i] = iterations(r[i]);
        p->src_offset += r[i].start * st[i];
        /* a single step leaves the stride unused (and a huge one would overflow); otherwise
         * |stride| x (count - 1) lies inside the axis */
        p->src_strides[i] = p->dims[i] > 1 ? r[i].stride * st[i] : 0;
        p->dst_strides[i] = dst;
        dst *= p->dims[i];
    }
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int prepare_strided_slice(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, TFL_INT32, TFL_BOOL, 0};
    int rc = cfub_need_inputs(ip, n, 4, 4);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0);
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    const int32_t *begin, *end, *strides;
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kTypes)) || (rc = cfub_need_same_type(ip, n, in, out)) ||
        (rc = cfub_need_max_rank(ip, n, in, 4)) || (rc = cfub_need_const_i32(ip, n, 1, in->ndim, &begin)) ||
        (rc = cfub_need_const_i32(ip, n, 2, in->ndim, &end)) || (rc = cfub_need_const_i32(ip, n, 3, in->ndim, &strides)))
        return rc;
    int32_t begin_mask = 0, end_mask = 0, shrink_mask = 0;
    const fb_table *o = cfub_op_options(ip, n, OPT_STRIDED_SLICE);
    if (o) {
        begin_mask = fb_i32(&ip->fb, o, 0, 0);
        end_mask = fb_i32(&ip->fb, o, 1, 0);
        shrink_mask = fb_i32(&ip->fb, o, 4, 0);
    }
    if (ip->fb.err) return cfub_fail_fb(ip);
    axis_range r[CFUB_MAX_DIMS];
    int32_t shape[CFUB_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < in->ndim; i++) {
        if (strides[i] == 0) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "stride value has to be non-zero");
        const bool shrink = (shrink_mask >> i) & 1;
        r[i] = strided_axis(in->dims[i], begin[i], end[i], strides[i], (begin_mask >> i) & 1, (end_mask >> i) & 1, shrink);
        const int32_t count = iterations(r[i]);
        if (shrink && count != 1)
            return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "shrinks an axis TFLM would leave unwritten:", i);
        if (!shrink) shape[nd++] = count;
    }
    if ((rc = cfub_need_out_shape(ip, n, out, shape, nd))) return rc;
    return set_slice(ip, n, in, r);
}

/* SLICE's begin and size: constant int32 or int64 tensors of one element per input axis */
static int slice_vector(cfub_interp *ip, cfub_node *n, int k, int rank, int64_t *out) {
    const cfub_tensor *t = cfub_op_input(ip, n, k);
    if (t->type != TFL_INT32 && t->type != TFL_INT64) return cfub_fail_type(ip, n, "input", k, t->type);
    if (!t->is_const) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "needs a constant tensor (as TFLM does) at input", k);
    if (cfub_elements(t) != rank) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of elements in input", k);
    for (int i = 0; i < rank; i++) out[i] = cfub_tensor_int(t, i);
    return CFUB_OK;
}

static int prepare_slice(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, TFL_INT32, TFL_BOOL, 0};
    int rc = cfub_need_inputs(ip, n, 3, 3);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0);
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    int64_t begin[CFUB_MAX_DIMS], size[CFUB_MAX_DIMS];
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kTypes)) || (rc = cfub_need_same_type(ip, n, in, out)) ||
        (rc = cfub_need_max_rank(ip, n, in, 5)) || (rc = slice_vector(ip, n, 1, in->ndim, begin)) ||
        (rc = slice_vector(ip, n, 2, in->ndim, size)))
        return rc;
    axis_range r[CFUB_MAX_DIMS];
    int32_t shape[CFUB_MAX_DIMS];
    for (int i = 0; i < in->ndim; i++) {
        const int64_t b = begin[i], s = size[i] == -1 ? in->dims[i] - b : size[i];
        if (b < 0 || b > in->dims[i] || s < 0 || s > in->dims[i] - b)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "begin/size outside the input along axis", i);
        r[i] = (axis_range){(int32_t)b, (int32_t)(b + s), 1};
        shape[i] = (int32_t)s;
    }
    if ((rc = cfub_need_out_shape(ip, n, out, shape, in->ndim))) return rc;
    return set_slice(ip, n, in, r);
}

static int eval_copy(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_copy_nd(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_strided_slice = {CFUB_OP_STRIDED_SLICE, prepare_strided_slice, eval_copy};
const cfub_opdef cfub_op_slice = {CFUB_OP_SLICE, prepare_slice, eval_copy};
