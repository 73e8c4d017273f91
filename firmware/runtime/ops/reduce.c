/* MEAN, SUM (int8, int16) and REDUCE_MAX (int8): TFLM reduce_common.cc. MEAN and SUM
 * requantize the int32 sums (MEAN with 1/count folded into the multiplier); REDUCE_MAX needs
 * equal input and output quantization. The axis tensor must be constant. */
#include "math_ops.h"

enum { KIND_MEAN, KIND_SUM, KIND_MAX };

static int prepare_reduce(cfub_interp *ip, cfub_node *n, int kind) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *axis = cfub_op_input(ip, n, 1), *out = &ip->tensors[n->out];
    if (in->type != TFL_INT8 && !(kind != KIND_MAX && in->type == TFL_INT16)) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = cfub_need_type(ip, n, "output", 0, out, in->type)) || (rc = cfub_need_type(ip, n, "input", 1, axis, TFL_INT32)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (!axis->is_const) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "axis tensor is not constant");
    /* TFLM's MEAN and SUM keep the input index and the resolved axes in fixed stack arrays */
    if (kind != KIND_MAX && in->ndim > 5) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "input rank above 5:", in->ndim);
    for (int d = 0; d < in->ndim; d++)
        if (in->dims[d] == 0) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "empty input");

    bool reduced[CFUB_MAX_DIMS] = {false};
    int n_reduced = 0;
    const int64_t n_axis = cfub_elements(axis);
    for (int64_t k = 0; k < n_axis && in->ndim > 0; k++) {
        int32_t a;
        memcpy(&a, axis->data + 4 * k, sizeof a);
        const int32_t resolved = a < 0 ? a + in->ndim : a;
        if (resolved < 0 || resolved >= in->ndim) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "axis out of range:", a);
        if (!reduced[resolved]) n_reduced++;
        reduced[resolved] = true;
    }
    if (kind != KIND_MAX && n_reduced > 2)
        return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "more than 2 reduced axes (TFLM's MEAN/SUM hold 2):", n_reduced);

    cfub_reduce_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->width = cfub_width(in);
    p->rank = in->ndim;
    int64_t out_size = 1;
    for (int d = in->ndim - 1; d >= 0; d--) {
        p->in_dims[d] = in->dims[d];
        p->out_strides[d] = reduced[d] ? 0 : (int32_t)out_size;
        if (!reduced[d]) out_size *= in->dims[d];
    }
    if (cfub_elements(out) != out_size)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "output size does not match the reduction, expected", out_size);
    p->out_size = (int32_t)out_size;
    p->count = (int32_t)(cfub_elements(in) / out_size);
    p->input_zero_point = in->zero_point;
    p->output_zero_point = out->zero_point;
    if (kind == KIND_MAX) {
        if (in->scale != out->scale || in->zero_point != out->zero_point)
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output quantization differ");
        p->mode = CFUB_REDUCE_MAX;
    } else {
        /* every int8/int16 MEAN requantizes, equal quantization or not: reduce_common.cc on
         * GitHub sends equal quantization to a truncating integer mean, the tflite-micro
         * build we check against does not (random cases with equal quantization tell) */
        p->mode = kind == KIND_SUM ? CFUB_REDUCE_SUM : CFUB_REDUCE_MEAN;
        if ((rc = cfub_op_requant(ip, n, (double)in->scale / (double)out->scale, &p->multiplier, &p->shift))) return rc;
        if (kind == KIND_MEAN) {
            /* fold 1/count into the multiplier, losing as few bits as TFLM does */
            int shift = 31 - cfub_clz32((uint32_t)p->count); /* floor(log2(count)), count > 0 */
            shift = cfub_min32(shift, 32);
            shift = cfub_min32(shift, 31 + p->shift);
            p->multiplier = (int32_t)(((int64_t)p->multiplier << shift) / p->count);
            p->shift -= shift;
        }
    }
    p->temp = cfub_persistent(ip, (size_t)out_size * sizeof(int32_t));
    if (!p->temp) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for reduction accumulators");
    n->macs = (uint64_t)cfub_elements(in);
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int prepare_mean(cfub_interp *ip, cfub_node *n) { return prepare_reduce(ip, n, KIND_MEAN); }
static int prepare_sum(cfub_interp *ip, cfub_node *n) { return prepare_reduce(ip, n, KIND_SUM); }
static int prepare_max(cfub_interp *ip, cfub_node *n) { return prepare_reduce(ip, n, KIND_MAX); }

static int eval_reduce(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_reduce(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_mean = {CFUB_OP_MEAN, prepare_mean, eval_reduce};
const cfub_opdef cfub_op_sum = {CFUB_OP_SUM, prepare_sum, eval_reduce};
const cfub_opdef cfub_op_reduce_max = {CFUB_OP_REDUCE_MAX, prepare_max, eval_reduce};
