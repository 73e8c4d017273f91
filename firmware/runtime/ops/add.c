/* ADD and SUB, int8 and int16: TFLM add_common.cc / sub_common.cc Prepare arithmetic (left
 * shift 20 for int8, 15 for int16, three multipliers below one, broadcasting) and the
 * reference kernels. SUB differs from ADD only in the sign of the second scaled input. (TFLM's
 * sub_common.cc on GitHub forms SUB's ratios in float; the tflite-micro build we check against
 * forms them in double, like ADD's: int16 cases tell the two apart.) */
#include "math_ops.h"

typedef struct {
    cfub_add_params p;
} add_state;

enum { KIND_ADD, KIND_SUB };

static int prepare_add_sub(cfub_interp *ip, cfub_node *n, int kind) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *a = cfub_op_input(ip, n, 0), *b = cfub_op_input(ip, n, 1), *out = &ip->tensors[n->out];
    if (out->type != TFL_INT8 && out->type != TFL_INT16) return cfub_fail_type(ip, n, "output", 0, out->type);
    if ((rc = cfub_need_type(ip, n, "input", 0, a, out->type)) || (rc = cfub_need_type(ip, n, "input", 1, b, out->type)) ||
        (rc = cfub_need_q(ip, n, "input 0 has no usable quantization", a)) ||
        (rc = cfub_need_q(ip, n, "input 1 has no usable quantization", b)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    int act = CFUB_ACT_NONE;
    const fb_table *o = cfub_op_options(ip, n, kind == KIND_ADD ? OPT_ADD : OPT_SUB);
    if (o) act = fb_u8(&ip->fb, o, 0, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    add_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_add_params *p = &s->p;
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    p->left_shift = out->type == TFL_INT16 ? 15 : 20;
    const double twice_max_input_scale = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    const double m1 = (double)a->scale / twice_max_input_scale;
    const double m2 = (double)b->scale / twice_max_input_scale;
    const double mo = twice_max_input_scale / ((double)(1 << p->left_shift) * (double)out->scale);
    if ((rc = cfub_smaller_than_one(ip, n, m1, &p->input1_multiplier, &p->input1_shift)) ||
        (rc = cfub_smaller_than_one(ip, n, m2, &p->input2_multiplier, &p->input2_shift)) ||
        (rc = cfub_smaller_than_one(ip, n, mo, &p->output_multiplier, &p->output_shift)) ||
        (rc = cfub_op_activation_q(ip, n, act, out, &p->act_min, &p->act_max)))
        return rc;
    cfub_bcast bc;
    if ((rc = cfub_op_broadcast(ip, n, a, b, out, CFUB_MAX_DIMS, &bc))) return rc;
    p->size = bc.size;
    p->broadcast = bc.broadcast;
    if (p->broadcast) {
        for (int i = 0; i < CFUB_MAX_DIMS; i++) {
            p->out_dims[i] = bc.out_dims[i];
            p->in1_strides[i] = bc.in1_strides[i];
            p->in2_strides[i] = bc.in2_strides[i];
        }
    }
    n->macs = (uint64_t)p->size;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int prepare_add(cfub_interp *ip, cfub_node *n) { return prepare_add_sub(ip, n, KIND_ADD); }
static int prepare_sub(cfub_interp *ip, cfub_node *n) { return prepare_add_sub(ip, n, KIND_SUB); }

static int eval_add(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    if (ip->tensors[n->out].type == TFL_INT16) cfub_ref_add_i16(l->params, l->in[0], l->in[1], l->out);
    else cfub_ref_add(l->params, l->in[0], l->in[1], l->out);
    return CFUB_OK;
}

static int eval_sub(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    cfub_ref_sub(l->params, l->in[0], l->in[1], l->out, cfub_width(&ip->tensors[n->out]));
    return CFUB_OK;
}

const cfub_opdef cfub_op_add = {CFUB_OP_ADD, prepare_add, eval_add};
const cfub_opdef cfub_op_sub = {CFUB_OP_SUB, prepare_sub, eval_sub};
