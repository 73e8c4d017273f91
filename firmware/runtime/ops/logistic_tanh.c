/* LOGISTIC and TANH, int8 and int16: TFLM logistic_common.cc / tanh.cc Prepare arithmetic and
 * the reference kernels. */
#include "math_ops.h"

/* TFLM CheckedLog2: log2(x) rounded, true when x is within 2^+-0.001 of that power of two.
 * Decided from the float's mantissa against 2^0.001 and 2^0.999 rather than with logf (no libm
 * on the target); only scales within float rounding of those two thresholds could decide
 * differently. */
static bool checked_log2(float x, int *log2_rounded) {
    if (!cfub_finite_positive(x)) return false;
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 23) & 0xff);
    if (e == 0) return false; /* subnormal: far from any scale TFLM accepts */
    e -= 127;
    bits = (bits & 0x007fffffu) | 0x3f800000u; /* mantissa in [1, 2) */
    float m;
    memcpy(&m, &bits, sizeof m);
    if (m < 1.00069338f) {
        *log2_rounded = e;
        return true;
    }
    if (m > 1.99861425f) {
        *log2_rounded = e + 1;
        return true;
    }
    return false;
}

static int prepare_sigmoid(cfub_interp *ip, cfub_node *n, bool is_tanh) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type != TFL_INT8 && in->type != TFL_INT16) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = cfub_need_type(ip, n, "output", 0, out, in->type)) ||
        (rc = cfub_need_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    cfub_sigmoid_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->size = (int32_t)cfub_elements(in);
    p->input_zero_point = in->zero_point;
    if (in->type == TFL_INT8) {
        if (!is_tanh && out->zero_point != -128)
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int8 LOGISTIC output zero point must be -128");
        /* input scale in Q4.27: frexp, the fraction rounded to Q31 */
        int shift;
        if (!cfub_frexp_q31((double)in->scale * (double)(1 << (31 - 4)), &p->input_multiplier, &shift))
            return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "input scale gives no usable Q31 multiplier");
        if (shift < 0 || shift > 62)
            return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "input scale out of range, shift", shift);
        p->input_left_shift = shift;
        /* CalculateInputRadius(4, shift, 31): floor(15 * 2^27 / 2^shift) */
        p->input_range_radius = (int32_t)(((int64_t)15 << 27) >> shift);
    } else {
        if (in->zero_point || out->zero_point) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 needs zero points 0");
        int log2_in;
        bool pot = checked_log2(in->scale, &log2_in);
        p->input_left_shift = (15 - 3) + log2_in;
        pot = pot && (p->input_left_shift == 0 || (is_tanh && p->input_left_shift == 1));
        if (pot) {
            p->input_multiplier = 0;
        } else {
            /* the input rescaled to 1/(3 * 4096), the table's scale */
            double multiplier = (double)in->scale * 4096.0 * 3.0;
            p->input_left_shift = 0;
            while (multiplier <= 32767.0 / 2.0 && p->input_left_shift <= 30) {
                p->input_left_shift++;
                multiplier = multiplier * 2.0;
            }
            if (!(multiplier <= 32767.0))
                return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "int16 input scale too large for the table");
            p->input_multiplier = (int32_t)multiplier;
        }
        int log2_out;
        if (!checked_log2(out->scale, &log2_out) || log2_out != -15)
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int16 output scale must be 2^-15");
    }
    n->macs = (uint64_t)p->size;
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int prepare_logistic(cfub_interp *ip, cfub_node *n) { return prepare_sigmoid(ip, n, false); }
static int prepare_tanh(cfub_interp *ip, cfub_node *n) { return prepare_sigmoid(ip, n, true); }

static int eval_logistic(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    if (ip->tensors[n->out].type == TFL_INT16) cfub_ref_logistic_i16(l->params, l->in[0], l->out);
    else cfub_ref_logistic_i8(l->params, l->in[0], l->out);
    return CFUB_OK;
}

static int eval_tanh(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    if (ip->tensors[n->out].type == TFL_INT16) cfub_ref_tanh_i16(l->params, l->in[0], l->out);
    else cfub_ref_tanh_i8(l->params, l->in[0], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_logistic = {CFUB_OP_LOGISTIC, prepare_logistic, eval_logistic};
const cfub_opdef cfub_op_tanh = {CFUB_OP_TANH, prepare_tanh, eval_tanh};
