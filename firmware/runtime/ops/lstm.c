/* UNIDIRECTIONAL_SEQUENCE_LSTM: TFLM unidirectional_sequence_lstm.cc's Prepare (LstmTensors
 * ValidateTensorStatus, ValidateTensorSize, PrepareGateParametersInteger) and the reference
 * kernel: int8 activations (int32 bias) or int16 activations (int64 bias), int8 weights, int16
 * cell. The standard LSTM only, as TFLM: no CIFG, peephole,
 * projection or layer norm; the cell gate's activation must be TANH. Input 18 (hidden state,
 * the activations' type) and 19 (cell state, int16) are variable tensors, updated in place. */
#include "../op_common.h"

enum { OPT_UNIDIRECTIONAL_SEQUENCE_LSTM = 71, LSTM_INPUTS = 24, LSTM_HIDDEN = 18, LSTM_CELL = 19 };
enum { ACT_TANH = 4 };

typedef struct {
    cfub_lstm_params p;
} lstm_state;

/* TFLM CheckedLog2's rounded exponent: round(log2(x)) for a positive normal float */
static int32_t rounded_log2(float x) {
    union { float f; uint32_t u; } v = {x};
    const int32_t e = (int32_t)((v.u >> 23) & 0xff) - 127;
    const double m = 1.0 + (double)(v.u & 0x7fffff) / 8388608.0;
    return m * m >= 2.0 ? e + 1 : e; /* log2(m) >= 1/2 */
}

/* FullyConnected's multiplier for x (scale sx) times weights w into Q3.12 (CreateGateParams) */
static int gate_fc_params(cfub_interp *ip, const cfub_node *n, float sx, const cfub_tensor *w,
                          int32_t *mult, int32_t *shift, int32_t *w_offset) {
    if (!w->has_quant) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "weights have no quantization");
    if (w->n_scales > 1) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "per-channel LSTM weights");
    if (w->zero_point < -128 || w->zero_point > 127) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "weight zero point outside int8");
    const double product = (double)sx * (double)w->scale;
    if (!(product >= 0)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "negative input x weight scale");
    *w_offset = -w->zero_point;
    return cfub_op_requant(ip, n, product / (1.0 / 4096.0), mult, shift);
}

/* CreateInterGateMulParams */
static int mul_params(cfub_interp *ip, const cfub_node *n, double s1, double s2, float out_scale,
                      bool int8_out, int32_t zp, cfub_lstm_mul *m) {
    m->act_min = int8_out ? -128 : -32768;
    m->act_max = int8_out ? 127 : 32767;
    m->output_offset = zp;
    return cfub_op_requant(ip, n, s1 * s2 / (double)out_scale, &m->mult, &m->shift);
}

static int prepare_lstm(cfub_interp *ip, cfub_node *n) {
    /* present: input, the 8 weights, the 4 biases, both states; absent: CIFG/peephole,
     * projection, layer norm (TFLM's ValidateTensorStatus) */
    const uint32_t optional = (7u << 9) | (3u << 16) | (15u << 20);
    int rc = cfub_need_inputs_opt(ip, n, LSTM_INPUTS, optional);
    if (rc || (rc = cfub_need_outputs(ip, n, 1, 1))) return rc;
    if (n->n_in != LSTM_INPUTS) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of inputs:", n->n_in);
    for (int k = 0; k < LSTM_INPUTS; k++)
        if (((optional >> k) & 1u) && n->in[k] >= 0)
            return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "LSTM variant (peephole, projection or layer norm) input", k);
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *h = cfub_op_input(ip, n, LSTM_HIDDEN), *c = cfub_op_input(ip, n, LSTM_CELL);
    const cfub_tensor *out = &ip->tensors[n->out];
    const uint32_t acts = (1u << TFL_INT8) | (1u << TFL_INT16);
    if ((rc = cfub_need_type_in(ip, n, "input", 0, in, acts))) return rc;
    /* int8 activations take int32 biases, int16 activations int64 ones (TFLM's EvalLstm pairs) */
    const bool act16 = in->type == TFL_INT16;
    if ((rc = cfub_need_type(ip, n, "input", LSTM_HIDDEN, h, in->type)) ||
        (rc = cfub_need_type(ip, n, "input", LSTM_CELL, c, TFL_INT16)) || (rc = cfub_need_type(ip, n, "output", 0, out, in->type)))
        return rc;
    for (int k = 1; k <= 8; k++)
        if ((rc = cfub_need_type(ip, n, "input", k, cfub_op_input(ip, n, k), TFL_INT8))) return rc;
    for (int k = 12; k <= 15; k++)
        if ((rc = cfub_need_type(ip, n, "input", k, cfub_op_input(ip, n, k), act16 ? TFL_INT64 : TFL_INT32))) return rc;
    if (!h->is_variable || !c->is_variable) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "hidden and cell states must be variable tensors");
    const fb_table *o = cfub_op_options(ip, n, OPT_UNIDIRECTIONAL_SEQUENCE_LSTM);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing UnidirectionalSequenceLSTMOptions");
    const int act = fb_u8(&ip->fb, o, 0, 0);
    const float cell_clip = fb_f32(&ip->fb, o, 1, 0.0f);
    const int time_major = fb_u8(&ip->fb, o, 3, 0) != 0;
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (act != ACT_TANH) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "cell gate activation must be TANH, not", act);
    if (!cfub_finite(cell_clip) || cell_clip < 0) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "negative or non-finite cell clip");

    lstm_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    cfub_lstm_params *p = &s->p;
    /* CreateLstmSizeInfo and ValidateTensorSize */
    if (in->ndim != 3 || out->ndim != 3) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output must have rank 3");
    if (h->ndim < 2) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "hidden state must have rank 2");
    p->time_major = time_major;
    p->batches = time_major ? in->dims[1] : in->dims[0];
    p->time_steps = time_major ? in->dims[0] : in->dims[1];
    p->input_size = in->dims[2];
    p->state_size = h->dims[1];
    const int32_t S = p->state_size, I = p->input_size;
    for (int k = 1; k <= 8; k++) {
        const cfub_tensor *w = cfub_op_input(ip, n, k);
        if (w->ndim != 2 || w->dims[0] != S || w->dims[1] != (k <= 4 ? I : S))
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "weights shape does not match the sizes, input", k);
    }
    for (int k = 12; k <= 15; k++) {
        const cfub_tensor *b = cfub_op_input(ip, n, k);
        if (b->ndim != 1 || b->dims[0] != S) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "bias shape does not match the state, input", k);
    }
    const int64_t states = (int64_t)p->batches * S;
    if (cfub_elements(h) != states || cfub_elements(c) != states)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "state sizes are not batches x state");
    if (out->dims[0] != in->dims[0] || out->dims[1] != in->dims[1] || out->dims[2] != S)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match the input and state");
    if ((rc = cfub_need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = cfub_need_act_q(ip, n, "hidden state has no usable quantization", h)))
        return rc;
    if (!c->has_quant || !cfub_finite_positive(c->scale)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "cell state has no usable quantization");

    /* PrepareGateParametersInteger; gate inputs 1-4 and 5-8 are ordered input, forget, cell, output */
    p->act16 = act16;
    p->input_offset = -in->zero_point;
    p->hidden_offset = -h->zero_point;
    for (int g = 0; g < 4; g++) {
        cfub_lstm_gate *q = &p->gate[g];
        const cfub_tensor *wi = cfub_op_input(ip, n, 1 + g), *wr = cfub_op_input(ip, n, 5 + g);
        q->input_weights = (const int8_t *)wi->data;
        q->recurrent_weights = (const int8_t *)wr->data;
        q->bias = cfub_op_input(ip, n, 12 + g)->data;
        if ((rc = gate_fc_params(ip, n, in->scale, wi, &q->input_mult, &q->input_shift, &q->input_weights_offset)) ||
            (rc = gate_fc_params(ip, n, h->scale, wr, &q->recurrent_mult, &q->recurrent_shift, &q->recurrent_weights_offset)) ||
            (rc = cfub_int16x8_shifts(ip, n, &q->input_shift, 1, act16)) ||
            (rc = cfub_int16x8_shifts(ip, n, &q->recurrent_shift, 1, act16)))
            return rc;
    }
    const double q15 = 1.0 / 32768.0; /* the gates' output scale */
    if ((rc = mul_params(ip, n, q15, (double)c->scale, c->scale, false, 0, &p->forget_cell_mul)) ||
        (rc = mul_params(ip, n, q15, q15, c->scale, false, 0, &p->input_mul)) ||
        (rc = mul_params(ip, n, q15, q15, h->scale, !act16, h->zero_point, &p->output_mul)))
        return rc;
    /* CreateLstmCellStateInfo */
    p->cell_scale_power = rounded_log2(c->scale);
    if (cell_clip > 0) {
        double q = (double)cell_clip / (double)c->scale;
        q = q < -32768.0 ? -32768.0 : (q > 32767.0 ? 32767.0 : q);
        p->cell_clip = (int32_t)q; /* static_cast<int16_t>: toward zero */
    }
    /* keeps tanh's input scaling (x * 3 << (12 + power), or a shift by -(12 + power)) in int32 */
    if (p->cell_scale_power < -40 || p->cell_scale_power > 2)
        return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "cell state scale out of range, 2 ^", p->cell_scale_power);
    for (int k = 0; k < 4; k++) {
        p->buffer[k] = cfub_persistent(ip, (size_t)states * sizeof(int16_t));
        if (!p->buffer[k]) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for LSTM buffers");
    }
    n->macs = (uint64_t)p->batches * (uint64_t)p->time_steps * 4u * (uint64_t)S * ((uint64_t)I + (uint64_t)S);
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int eval_lstm(cfub_interp *ip, cfub_node *n) {
    const cfub_layer *l = &n->layer;
    /* both states are written in place: take them from their tensors */
    void *hidden = ip->tensors[n->in[LSTM_HIDDEN]].data;
    int16_t *cell = (int16_t *)ip->tensors[n->in[LSTM_CELL]].data;
    cfub_ref_lstm(l->params, l->in[0], hidden, cell, l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_unidirectional_sequence_lstm = {CFUB_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, prepare_lstm, eval_lstm};
