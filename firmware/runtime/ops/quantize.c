/* QUANTIZE (float32 -> int8/int16; int8 -> int8/int16/int32; int16 -> int8/int16/int32;
 * int32 -> int8/int16) and DEQUANTIZE (int8, int16 -> float32): TFLM quantize_common.cc and
 * dequantize_common.cc. */
#include "../op_common.h"

typedef struct {
    cfub_quant_params p;
} quant_state;

static uint32_t int_bytes(int type) {
    return type == TFL_INT8 ? 1u : type == TFL_INT16 ? 2u : type == TFL_INT32 ? 4u : 0u;
}

static int prepare_quantize(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type != TFL_FLOAT32 && !int_bytes(in->type)) return cfub_fail_type(ip, n, "input", 0, in->type);
    /* the pairs TFLM's QUANTIZE evaluates */
    const bool ok = (in->type == TFL_FLOAT32 && (out->type == TFL_INT8 || out->type == TFL_INT16)) ||
                    ((in->type == TFL_INT8 || in->type == TFL_INT16) &&
                     (out->type == TFL_INT8 || out->type == TFL_INT16 || out->type == TFL_INT32)) ||
                    (in->type == TFL_INT32 && (out->type == TFL_INT8 || out->type == TFL_INT16));
    if (!ok) return cfub_fail_type(ip, n, "output", 0, out->type);
    if (!out->has_quant || !cfub_finite_positive(out->scale))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output has no usable quantization");
    if (out->type != TFL_INT32 && (rc = cfub_need_q(ip, n, "output has no usable quantization", out))) return rc;
    if (out->n_scales != 1) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "per-channel quantize output");
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    quant_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    s->p.size = (int32_t)cfub_elements(out);
    s->p.scale = out->scale;
    s->p.zero_point = out->zero_point;
    s->p.in_bytes = (int32_t)int_bytes(in->type);
    s->p.out_bytes = (int32_t)int_bytes(out->type);
    if (in->type != TFL_FLOAT32) {
        if (!in->has_quant || !cfub_finite_positive(in->scale))
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input has no usable quantization");
        if (in->type != TFL_INT32 && (rc = cfub_need_q(ip, n, "input has no usable quantization", in))) return rc;
        s->p.input_zero_point = in->zero_point;
        if ((rc = cfub_op_requant(ip, n, (double)in->scale / (double)out->scale, &s->p.multiplier, &s->p.shift))) return rc;
    }
    n->macs = (uint64_t)s->p.size;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int prepare_dequantize(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type != TFL_INT8 && in->type != TFL_INT16) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = cfub_need_type(ip, n, "output", 0, out, TFL_FLOAT32)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)))
        return rc;
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    quant_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    s->p.size = (int32_t)cfub_elements(out);
    s->p.scale = in->scale;
    s->p.zero_point = in->zero_point;
    s->p.in_bytes = (int32_t)int_bytes(in->type);
    n->macs = (uint64_t)s->p.size;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_quantize(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    const int in_type = ip->tensors[n->in[0]].type, out_type = ip->tensors[n->out].type;
    if (in_type == TFL_FLOAT32 && out_type == TFL_INT8) cfub_ref_quantize_f32(l->params, l->in[0], l->out);
    else if (in_type == TFL_FLOAT32) cfub_ref_quantize_f32_i16(l->params, l->in[0], l->out);
    else if (in_type == TFL_INT8 && out_type == TFL_INT8) cfub_ref_requantize_i8(l->params, l->in[0], l->out);
    else cfub_ref_requantize(l->params, l->in[0], l->out);
    return CFUB_OK;
}

static int eval_dequantize(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    if (ip->tensors[n->in[0]].type == TFL_INT16) cfub_ref_dequantize_i16(l->params, l->in[0], l->out);
    else cfub_ref_dequantize(l->params, l->in[0], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_quantize = {CFUB_OP_QUANTIZE, prepare_quantize, eval_quantize};
const cfub_opdef cfub_op_dequantize = {CFUB_OP_DEQUANTIZE, prepare_dequantize, eval_dequantize};
