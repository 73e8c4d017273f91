/* MUL int8 and int16: TFLM mul_common.cc's Prepare (one multiplier s1 * s2 / s_out; int16
 * requires zero points 0) and the reference kernel, broadcasting over up to 4 dimensions
 * (TFLM's BroadcastMul4DSlow). */
#include "math_ops.h"

typedef struct {
    cfub_mul_params p;
} mul_state;

static int prepare_mul(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *a = cfub_op_input(ip, n, 0), *b = cfub_op_input(ip, n, 1), *out = &ip->tensors[n->out];
    if (a->type != TFL_INT8 && a->type != TFL_INT16) return cfub_fail_type(ip, n, "input", 0, a->type);
    if ((rc = cfub_need_type(ip, n, "input", 1, b, a->type)) || (rc = cfub_need_type(ip, n, "output", 0, out, a->type)) ||
        (rc = cfub_need_q(ip, n, "input 0 has no usable quantization", a)) ||
        (rc = cfub_need_q(ip, n, "input 1 has no usable quantization", b)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (a->type == TFL_INT16 && (a->zero_point || b->zero_point || out->zero_point))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 MUL needs zero points 0");
    int act = CFUB_ACT_NONE;
    const fb_table *o = cfub_op_options(ip, n, OPT_MUL);
    if (o) act = fb_u8(&ip->fb, o, 0, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    mul_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_mul_params *p = &s->p;
    p->width = cfub_width(a);
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    if ((rc = cfub_op_activation_q(ip, n, act, out, &p->act_min, &p->act_max)) ||
        (rc = cfub_op_requant(ip, n, cfub_scale_ratio(a->scale, b->scale, out->scale), &p->output_multiplier,
                              &p->output_shift)) ||
        (rc = cfub_op_broadcast(ip, n, a, b, out, 4, &p->bc)))
        return rc;
    n->macs = (uint64_t)p->bc.size;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_mul(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const cfub_layer *l = &n->layer;
    cfub_ref_mul(l->params, l->in[0], l->in[1], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_mul = {CFUB_OP_MUL, prepare_mul, eval_mul};
