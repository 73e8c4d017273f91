/* BATCH_MATMUL: TFLM batch_matmul.cc's Prepare checks and arithmetic; the reference kernel.
 * int8 and int16 (zero points 0), ranks 2 to 5, broadcast batch dimensions, adj_x / adj_y;
 * a constant RHS (as converters emit) is read in place. No fused activation. */
#include "../op_common.h"

enum { OPT_BATCH_MATMUL = 101 };

typedef struct {
    cfub_bmm_params p;
} bmm_state;

/* dims of t right-aligned into 5 (leading 1s), as TFLM's RuntimeShape::ExtendedShape */
static void extend5(const cfub_tensor *t, int32_t out[5]) {
    for (int i = 0; i < 5; i++) out[i] = 1;
    for (int i = 0; i < t->ndim; i++) out[5 - t->ndim + i] = t->dims[i];
}

/* elements between consecutive entries of batch dimension i, or 0 when it is broadcast */
static int32_t batch_stride(const int32_t d[5], int i) {
    if (d[i] == 1) return 0;
    int32_t s = 1;
    for (int j = i + 1; j < 5; j++) s *= d[j];
    return s;
}

static int prepare_bmm(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc || (rc = cfub_need_outputs(ip, n, 1, 1))) return rc;
    const cfub_tensor *lhs = cfub_op_input(ip, n, 0), *rhs = cfub_op_input(ip, n, 1);
    const cfub_tensor *out = &ip->tensors[n->out];
    const uint32_t ints = (1u << TFL_INT8) | (1u << TFL_INT16);
    if ((rc = cfub_need_type_in(ip, n, "input", 0, lhs, ints)) || (rc = cfub_need_type(ip, n, "input", 1, rhs, lhs->type)) ||
        (rc = cfub_need_type(ip, n, "output", 0, out, lhs->type)))
        return rc;
    const bool i16 = lhs->type == TFL_INT16;
    if (lhs->ndim < 2 || lhs->ndim > 5 || rhs->ndim < 2 || rhs->ndim > 5)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "operands must have rank 2 to 5");
    if ((rc = cfub_need_act_q(ip, n, "input 0 has no usable quantization", lhs)) ||
        (rc = cfub_need_act_q(ip, n, "input 1 has no usable quantization", rhs)) ||
        (rc = cfub_need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (i16 && (lhs->zero_point != 0 || rhs->zero_point != 0 || out->zero_point != 0))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 zero points must be 0");
    bmm_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_bmm_params *p = &s->p;
    const fb_table *o = cfub_op_options(ip, n, OPT_BATCH_MATMUL);
    if (o) {
        p->adj_x = fb_u8(&ip->fb, o, 0, 0) != 0;
        p->adj_y = fb_u8(&ip->fb, o, 1, 0) != 0;
        if (ip->fb.err) return cfub_fail_fb(ip);
    }
    int32_t l5[5], r5[5];
    extend5(lhs, l5);
    extend5(rhs, r5);
    int64_t out_elems = 1;
    for (int i = 0; i < 3; i++) {
        if (l5[i] != r5[i] && l5[i] != 1 && r5[i] != 1)
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "batch dimensions do not broadcast");
        p->batch[i] = l5[i] == 1 ? r5[i] : l5[i];
        p->lhs_stride[i] = batch_stride(l5, i);
        p->rhs_stride[i] = batch_stride(r5, i);
        out_elems *= p->batch[i];
    }
    p->rows = p->adj_x ? l5[4] : l5[3];
    p->depth = p->adj_x ? l5[3] : l5[4];
    const int32_t rhs_depth = p->adj_y ? r5[4] : r5[3];
    p->cols = p->adj_y ? r5[3] : r5[4];
    if (p->depth != rhs_depth) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "operands' inner dimensions differ");
    out_elems *= (int64_t)p->rows * p->cols;
    /* TFLM rewrites the output's dims and only checks its element count and rank */
    const int out_rank = lhs->ndim > rhs->ndim ? lhs->ndim : rhs->ndim;
    if (out->ndim < out_rank || cfub_elements(out) != out_elems)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match the product");
    /* GetQuantizedConvolutionMultipler without bias: the product of scales in double */
    const double product_scale = (double)lhs->scale * (double)rhs->scale;
    if ((rc = cfub_op_requant(ip, n, product_scale / (double)out->scale, &p->out_mult, &p->out_shift))) return rc;
    if ((rc = cfub_int16x8_shifts(ip, n, &p->out_shift, 1, i16))) return rc;
    p->int16 = i16;
    p->lhs_offset = -lhs->zero_point;
    p->rhs_offset = -rhs->zero_point;
    p->output_offset = out->zero_point;
    p->act_min = i16 ? -32768 : -128;
    p->act_max = i16 ? 32767 : 127;
    n->macs = (uint64_t)out_elems * (uint64_t)p->depth;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_bmm(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const cfub_layer *l = &n->layer;
    const cfub_bmm_params *p = l->params;
    if (p->int16) cfub_ref_batch_matmul_i16(p, l->in[0], l->in[1], l->out);
    else cfub_ref_batch_matmul(p, l->in[0], l->in[1], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_batch_matmul = {CFUB_OP_BATCH_MATMUL, prepare_bmm, eval_bmm};
