/* TRANSPOSE (perm a constant int32 permutation), DEPTH_TO_SPACE and SPACE_TO_DEPTH (TFLite's
 * DCR order): each is one strided copy, the output walked in order and the input addressed
 * through permuted strides. */
#include "ops_shape.h"

static cfub_copy_params *copy_state(cfub_interp *ip, cfub_node *n, const cfub_tensor *in) {
    cfub_copy_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return NULL;
    p->esize = (int32_t)cfub_type_size(in->type);
    n->state = p;
    n->layer.params = p;
    return p;
}

static void contiguous_dst(cfub_copy_params *p) {
    int32_t s = 1;
    for (int i = p->ndim - 1; i >= 0; i--) {
        p->dst_strides[i] = s;
        s *= p->dims[i];
    }
}

static int prepare_transpose(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, 0};
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0);
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    const int32_t *perm;
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kTypes)) || (rc = cfub_need_same_type(ip, n, in, out)) ||
        (rc = cfub_need_max_rank(ip, n, in, 5)) || (rc = cfub_need_const_i32(ip, n, 1, in->ndim, &perm)))
        return rc;
    int32_t st[CFUB_MAX_DIMS], shape[CFUB_MAX_DIMS];
    bool seen[CFUB_MAX_DIMS] = {false};
    cfub_strides(in, st);
    cfub_copy_params *p = copy_state(ip, n, in);
    if (!p) return CFUB_ERR_ARENA;
    p->ndim = in->ndim;
    for (int i = 0; i < in->ndim; i++) {
        const int32_t a = perm[i];
        if (a < 0 || a >= in->ndim || seen[a]) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "perm is not a permutation of the input's axes");
        seen[a] = true;
        shape[i] = p->dims[i] = in->dims[a];
        p->src_strides[i] = st[a];
    }
    contiguous_dst(p);
    return cfub_need_out_shape(ip, n, out, shape, in->ndim);
}

static int block_size(cfub_interp *ip, cfub_node *n, int opt, int32_t *bs) {
    const fb_table *o = cfub_op_options(ip, n, opt);
    *bs = o ? fb_i32(&ip->fb, o, 0, 0) : 0;
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (*bs < 1 || *bs > 0x7fff) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "block size out of range:", *bs);
    return CFUB_OK;
}

static int prepare_space_depth(cfub_interp *ip, cfub_node *n, bool to_space) {
    static const int kTypes[] = {TFL_INT8, 0};
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0);
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    int32_t bs;
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kTypes)) || (rc = cfub_need_same_type(ip, n, in, out)) ||
        (rc = cfub_need_rank(ip, n, in, 4)) ||
        (rc = block_size(ip, n, to_space ? OPT_DEPTH_TO_SPACE : OPT_SPACE_TO_DEPTH, &bs)))
        return rc;
    const int32_t b = in->dims[0], h = in->dims[1], w = in->dims[2], c = in->dims[3];
    cfub_copy_params *p = copy_state(ip, n, in);
    if (!p) return CFUB_ERR_ARENA;
    p->ndim = 6;
    if (to_space) {
        if (c % (bs * bs)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "depth is not a multiple of block_size squared");
        const int32_t oc = c / (bs * bs), shape[4] = {b, h * bs, w * bs, oc};
        if ((rc = cfub_need_out_shape(ip, n, out, shape, 4))) return rc;
        /* output viewed as [b, h, by, w, bx, oc]; input channel (by * bs + bx) * oc + c */
        const int32_t dims[6] = {b, h, bs, w, bs, oc}, src[6] = {h * w * c, w * c, bs * oc, c, oc, 1};
        memcpy(p->dims, dims, sizeof dims);
        memcpy(p->src_strides, src, sizeof src);
    } else {
        if (h % bs || w % bs) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "height or width not a multiple of block_size");
        const int32_t shape[4] = {b, h / bs, w / bs, c * bs * bs};
        if ((rc = cfub_need_out_shape(ip, n, out, shape, 4))) return rc;
        /* output viewed as [b, oh, ow, by, bx, c]; input pixel (oh * bs + by, ow * bs + bx) */
        const int32_t dims[6] = {b, h / bs, w / bs, bs, bs, c}, src[6] = {h * w * c, bs * w * c, bs * c, w * c, c, 1};
        memcpy(p->dims, dims, sizeof dims);
        memcpy(p->src_strides, src, sizeof src);
    }
    contiguous_dst(p);
    return CFUB_OK;
}

static int prepare_depth_to_space(cfub_interp *ip, cfub_node *n) { return prepare_space_depth(ip, n, true); }
static int prepare_space_to_depth(cfub_interp *ip, cfub_node *n) { return prepare_space_depth(ip, n, false); }

static int eval_copy(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_copy_nd(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_transpose = {CFUB_OP_TRANSPOSE, prepare_transpose, eval_copy};
const cfub_opdef cfub_op_depth_to_space = {CFUB_OP_DEPTH_TO_SPACE, prepare_depth_to_space, eval_copy};
const cfub_opdef cfub_op_space_to_depth = {CFUB_OP_SPACE_TO_DEPTH, prepare_space_to_depth, eval_copy};
