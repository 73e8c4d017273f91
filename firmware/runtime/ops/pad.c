/* PAD and PADV2 (one Prepare in TFLM, pad_common.cc): paddings a constant int32 [rank, 2]; the
 * pad value is the output zero point for int8 without a constant_values input, else 0 or that
 * scalar. The kernel fills the output with it, then copies the input block into place. */
#include "ops_shape.h"

static int prepare_pad(cfub_interp *ip, cfub_node *n) {
    static const int kTypes[] = {TFL_INT8, TFL_INT16, TFL_INT32, 0};
    int rc = cfub_need_inputs(ip, n, 2, 3);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *cv = cfub_op_input(ip, n, 2);
    const cfub_tensor *out = cfub_op_output(ip, n, 0);
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kTypes)) || (rc = cfub_need_same_type(ip, n, in, out)) ||
        (rc = cfub_need_max_rank(ip, n, in, 5)))
        return rc;
    const int32_t *pads;
    if ((rc = cfub_need_const_i32(ip, n, 1, 2 * (int64_t)out->ndim, &pads))) return rc;
    if (in->ndim != out->ndim) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output ranks differ");
    cfub_pad_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    const int32_t es = (int32_t)cfub_type_size(in->type);
    p->copy.esize = es;
    p->copy.ndim = in->ndim;
    int32_t out_strides[CFUB_MAX_DIMS], in_strides[CFUB_MAX_DIMS];
    cfub_strides(out, out_strides);
    cfub_strides(in, in_strides);
    for (int i = 0; i < in->ndim; i++) {
        const int32_t before = pads[2 * i], after = pads[2 * i + 1];
        if (before < 0 || after < 0) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "negative paddings");
        if ((int64_t)in->dims[i] + before + after != out->dims[i])
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match input plus paddings");
        p->copy.dims[i] = in->dims[i];
        p->copy.src_strides[i] = in_strides[i];
        p->copy.dst_strides[i] = out_strides[i];
        p->copy.dst_offset += before * out_strides[i];
    }
    p->out_elements = (int32_t)cfub_elements(out);
    if (cv) {
        if ((rc = cfub_need_type(ip, n, "input", 2, cv, in->type))) return rc;
        if (cfub_elements(cv) != 1) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "constant_values is not a scalar");
        if (!cv->is_const) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "non-constant constant_values");
        if (in->type == TFL_INT8 && (cv->zero_point != out->zero_point || cv->scale != out->scale))
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "constant_values quantization differs from the output's");
        memcpy(p->pad_value, cv->data, (size_t)es);
    } else if (in->type == TFL_INT8) {
        if (out->zero_point < -128 || out->zero_point > 127)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "zero point outside int8:", out->zero_point);
        p->pad_value[0] = (uint8_t)(int8_t)out->zero_point;
    }
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int eval_pad(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_pad(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_pad = {CFUB_OP_PAD, prepare_pad, eval_pad};
const cfub_opdef cfub_op_padv2 = {CFUB_OP_PADV2, prepare_pad, eval_pad};
