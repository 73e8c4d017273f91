/* RESIZE_NEAREST_NEIGHBOR (f32, int8, int16) and RESIZE_BILINEAR (int8: TFLM's integer path):
 * rank-4 input, a constant int32 size [2] equal to the output's height and width. */
#include "ops_shape.h"

static int check_resize(cfub_interp *ip, cfub_node *n, const int *types, int opt, int align_id,
                        bool *align, bool *half) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0);
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    const int32_t *size;
    if ((rc = cfub_need_rank(ip, n, in, 4)) || (rc = cfub_need_type_of(ip, n, "input", 0, in, opt == OPT_RESIZE_NEAREST_NEIGHBOR, types)) ||
        (rc = cfub_need_same_type(ip, n, in, out)) || (rc = cfub_need_const_i32(ip, n, 1, 2, &size)))
        return rc;
    if (cfub_op_input(ip, n, 1)->ndim != 1) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "size is not 1-D");
    const int32_t shape[4] = {in->dims[0], size[0], size[1], in->dims[3]};
    if ((rc = cfub_need_out_shape(ip, n, out, shape, 4))) return rc;
    const fb_table *o = cfub_op_options(ip, n, opt);
    *align = o && fb_u8(&ip->fb, o, (unsigned)align_id, 0);
    *half = o && fb_u8(&ip->fb, o, (unsigned)align_id + 1, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    return CFUB_OK;
}

static int prepare_nearest(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, 0};
    bool align, half;
    int rc = check_resize(ip, n, kTypes, OPT_RESIZE_NEAREST_NEIGHBOR, 0, &align, &half);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = cfub_op_output(ip, n, 0);
    cfub_resize_nn_params *p = cfub_op_state(ip, sizeof *p);
    int32_t *ys = p ? cfub_persistent(ip, (size_t)out->dims[1] * sizeof(int32_t)) : NULL;
    int32_t *xs = ys ? cfub_persistent(ip, (size_t)out->dims[2] * sizeof(int32_t)) : NULL;
    if (!xs) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    p->esize = (int32_t)cfub_type_size(in->type);
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->depth = in->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    for (int32_t y = 0; y < p->out_h; y++) ys[y] = cfub_nearest_neighbor(y, p->in_h, p->out_h, align, half);
    for (int32_t x = 0; x < p->out_w; x++) xs[x] = cfub_nearest_neighbor(x, p->in_w, p->out_w, align, half);
    p->src_y = ys;
    p->src_x = xs;
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int prepare_bilinear(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, 0};
    bool align, half;
    int rc = check_resize(ip, n, kTypes, OPT_RESIZE_BILINEAR, 2, &align, &half);
    if (rc) return rc;
    if (align && half) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "half_pixel_centers and align_corners both set");
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = cfub_op_output(ip, n, 0);
    /* keeps TFLM's int32 intermediates (scale x index, 2^10 x size) from overflowing */
    if (in->dims[1] > 0x10000 || in->dims[2] > 0x10000 || out->dims[1] > 0x10000 || out->dims[2] > 0x10000)
        return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "resize dimension above 65536");
    cfub_resize_bilinear_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->depth = in->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    p->height_scale_10 = cfub_bilinear_scale_10(p->in_h, p->out_h, align);
    p->width_scale_10 = cfub_bilinear_scale_10(p->in_w, p->out_w, align);
    p->half_pixel_centers = half;
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int eval_nearest(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_resize_nearest(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

static int eval_bilinear(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_resize_bilinear_i8(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_resize_nearest_neighbor = {CFUB_OP_RESIZE_NEAREST_NEIGHBOR, prepare_nearest, eval_nearest};
const cfub_opdef cfub_op_resize_bilinear = {CFUB_OP_RESIZE_BILINEAR, prepare_bilinear, eval_bilinear};
