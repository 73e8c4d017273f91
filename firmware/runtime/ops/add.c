/* ADD: TFLM add.cc's Prepare arithmetic (left shift 20, three multipliers below one,
 * broadcasting); the reference kernel. */
#include "../op_common.h"

typedef struct {
    cfub_add_params p;
} add_state;

static int prepare_add(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *a = cfub_op_input(ip, n, 0), *b = cfub_op_input(ip, n, 1), *out = &ip->tensors[n->out];
    if ((rc = cfub_need_type(ip, n, "input", 0, a, TFL_INT8)) || (rc = cfub_need_type(ip, n, "input", 1, b, TFL_INT8)) ||
        (rc = cfub_need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (rc = cfub_need_act_q(ip, n, "input 0 has no usable quantization", a)) ||
        (rc = cfub_need_act_q(ip, n, "input 1 has no usable quantization", b)) ||
        (rc = cfub_need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    int act = CFUB_ACT_NONE;
    const fb_table *o = cfub_op_options(ip, n, OPT_ADD);
    if (o) act = fb_u8(&ip->fb, o, 0, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    add_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_add_params *p = &s->p;
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    p->left_shift = 20;
    const double twice_max_input_scale = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    if ((rc = cfub_smaller_than_one(ip, n, (double)a->scale / twice_max_input_scale, &p->input1_multiplier, &p->input1_shift)) ||
        (rc = cfub_smaller_than_one(ip, n, (double)b->scale / twice_max_input_scale, &p->input2_multiplier, &p->input2_shift)) ||
        (rc = cfub_smaller_than_one(ip, n, twice_max_input_scale / ((double)(1 << p->left_shift) * (double)out->scale),
                               &p->output_multiplier, &p->output_shift)) ||
        (rc = cfub_op_activation(ip, n, act, out, &p->act_min, &p->act_max)))
        return rc;
    p->size = (int32_t)cfub_elements(out);
    if (cfub_same_shape(a, b)) {
        if (cfub_elements(a) != p->size) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output size does not match inputs");
    } else {
        /* numpy broadcasting, shapes right-aligned to CFUB_MAX_DIMS */
        p->broadcast = 1;
        int32_t da[CFUB_MAX_DIMS], db[CFUB_MAX_DIMS], dout[CFUB_MAX_DIMS];
        for (int i = 0; i < CFUB_MAX_DIMS; i++) da[i] = db[i] = dout[i] = 1;
        for (int i = 0; i < a->ndim; i++) da[CFUB_MAX_DIMS - a->ndim + i] = a->dims[i];
        for (int i = 0; i < b->ndim; i++) db[CFUB_MAX_DIMS - b->ndim + i] = b->dims[i];
        for (int i = 0; i < out->ndim; i++) dout[CFUB_MAX_DIMS - out->ndim + i] = out->dims[i];
        int32_t sa = 1, sb = 1;
        for (int i = CFUB_MAX_DIMS - 1; i >= 0; i--) {
            const int32_t want = da[i] > db[i] ? da[i] : db[i];
            if ((da[i] != want && da[i] != 1) || (db[i] != want && db[i] != 1) || dout[i] != want)
                return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input shapes do not broadcast to the output shape");
            p->out_dims[i] = want;
            p->in1_strides[i] = da[i] == 1 ? 0 : sa;
            p->in2_strides[i] = db[i] == 1 ? 0 : sb;
            sa *= da[i];
            sb *= db[i];
        }
    }
    n->macs = (uint64_t)p->size;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_add(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const cfub_layer *l = &n->layer;
    cfub_ref_add(l->params, l->in[0], l->in[1], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_add = {CFUB_OP_ADD, prepare_add, eval_add};
