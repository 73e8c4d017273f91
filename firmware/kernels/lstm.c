/* Reference UNIDIRECTIONAL_SEQUENCE_LSTM, int8 or int16 activations x int8 weights -> int16
 * cell (TFLM lstm_eval.h EvalLstm<int8_t, int8_t, int16_t, int32_t> and <int16_t, int8_t, int16_t,
 * int64_t>: LstmStep, and lstm_eval.cc's FullyConnected into Q3.12, AddElementWise, the int16
 * table Logistic and Tanh, MulElementwise, Clipping and LstmStepManager's offsets). */
#include "cfub_kernels.h"
#include "cfub_string.h"

/* The gates' non-linearities are the int16 LOGISTIC and TANH kernels (sigmoid.c: TFLM's table
 * interpolation); both work in place. Q3.12 in, Q0.15 out: multiplier 0 (power-of-two scale). */
static void logistic_i16(int32_t n, const int16_t *in, int16_t *out) {
    const cfub_sigmoid_params sp = {.size = n, .input_multiplier = 0, .input_left_shift = 0};
    cfub_ref_logistic_i16(&sp, in, out);
}

static void tanh_i16(int32_t multiplier, int32_t left_shift, int32_t n, const int16_t *in, int16_t *out) {
    const cfub_sigmoid_params sp = {.size = n, .input_multiplier = multiplier, .input_left_shift = left_shift};
    cfub_ref_tanh_i16(&sp, in, out);
}

/* lstm_eval.cc Tanh(cell_state_scale_power, ...): a Q(x).(-power) input to tanh */
static void tanh_scaled(int32_t scale_power, int32_t n, const int16_t *in, int16_t *out) {
    int32_t left_shift = 15 + scale_power - 3, multiplier = 0;
    if (left_shift < 0) {
        left_shift = -left_shift;
        multiplier = 3;
    }
    tanh_i16(multiplier, left_shift, n, in, out);
}

static inline int16_t sat16(int32_t x) { return (int16_t)cfub_clamp(x, -32768, 32767); }

static inline int32_t act_at(const void *v, int32_t i, int32_t act16) {
    return act16 ? ((const int16_t *)v)[i] : ((const int8_t *)v)[i];
}

/* FullyConnected into Q3.12, output offset 0. int8 activations: TFLM's int32 accumulator
 * (wrapping) and bias; int16 activations: int64 accumulator and bias, cfub_mbqm64. */
static void gate_fc(int32_t act16, int32_t rows, int32_t depth, int32_t units, const void *x, int32_t x_offset,
                    const int8_t *w, int32_t w_offset, const void *bias, int32_t mult, int32_t shift,
                    int16_t *out) {
    for (int32_t b = 0; b < rows; ++b)
        for (int32_t u = 0; u < units; ++u) {
            int64_t acc = 0;
            for (int32_t d = 0; d < depth; ++d)
                acc += (int64_t)((int32_t)w[u * depth + d] + w_offset) * (act_at(x, b * depth + d, act16) + x_offset);
            int32_t scaled;
            if (act16) {
                if (bias) acc = (int64_t)((uint64_t)acc + (uint64_t)cfub_load_i64(bias, u));
                scaled = cfub_mbqm64(acc, mult, shift);
            } else {
                int32_t acc32 = (int32_t)(uint32_t)(uint64_t)acc;
                if (bias) acc32 = cfub_wrap_add(acc32, ((const int32_t *)bias)[u]);
                scaled = cfub_mbqm(acc32, mult, shift);
            }
            out[b * units + u] = sat16(scaled);
        }
}

/* MulElementwise with symmetric inputs */
static inline int32_t mul_q(const cfub_lstm_mul *m, int32_t a, int32_t b) {
    return cfub_clamp(m->output_offset + cfub_mbqm(a * b, m->mult, m->shift), m->act_min, m->act_max);
}

static void gate(const cfub_lstm_params *p, int g, int32_t rows, const void *x, const void *h,
                 int16_t *out, int16_t *scratch) {
    const cfub_lstm_gate *q = &p->gate[g];
    const int32_t n = rows * p->state_size;
    gate_fc(p->act16, rows, p->input_size, p->state_size, x, p->input_offset, q->input_weights,
            q->input_weights_offset, q->bias, q->input_mult, q->input_shift, out);
    gate_fc(p->act16, rows, p->state_size, p->state_size, h, p->hidden_offset, q->recurrent_weights,
            q->recurrent_weights_offset, NULL, q->recurrent_mult, q->recurrent_shift, scratch);
    for (int32_t i = 0; i < n; ++i) out[i] = sat16((int32_t)out[i] + scratch[i]);
    if (g == CFUB_LSTM_CELL) tanh_scaled(-12, n, out, out); /* TFLM: "scale power -12 to avoid shift" */
    else logistic_i16(n, out, out);
}

/* one time step over `rows` batch rows whose data start at the given pointers */
static void step(const cfub_lstm_params *p, int32_t rows, const void *x, void *h, int16_t *c, void *y) {
    const int32_t n = rows * p->state_size;
    int16_t *forget = p->buffer[0], *in_gate = p->buffer[1], *cell_gate = p->buffer[2], *scratch = p->buffer[3];
    gate(p, CFUB_LSTM_FORGET, rows, x, h, forget, scratch);
    gate(p, CFUB_LSTM_INPUT, rows, x, h, in_gate, scratch);
    gate(p, CFUB_LSTM_CELL, rows, x, h, cell_gate, scratch);
    for (int32_t i = 0; i < n; ++i) {
        const int32_t kept = mul_q(&p->forget_cell_mul, forget[i], c[i]);
        const int32_t added = mul_q(&p->input_mul, in_gate[i], cell_gate[i]);
        int32_t v = sat16(kept + added);
        if (p->cell_clip > 0) v = cfub_clamp(v, -p->cell_clip, p->cell_clip);
        c[i] = (int16_t)v;
    }
    int16_t *out_gate = p->buffer[1], *tanh_cell = p->buffer[0]; /* TFLM reuses the buffers so */
    gate(p, CFUB_LSTM_OUTPUT, rows, x, h, out_gate, scratch);
    tanh_scaled(p->cell_scale_power, n, c, tanh_cell);
    for (int32_t i = 0; i < n; ++i) {
        const int32_t v = mul_q(&p->output_mul, tanh_cell[i], out_gate[i]);
        if (p->act16) ((int16_t *)h)[i] = (int16_t)v;
        else ((int8_t *)h)[i] = (int8_t)v;
    }
    memcpy(y, h, (size_t)n * (p->act16 ? 2u : 1u));
}

void cfub_ref_lstm(const cfub_lstm_params *p, const void *input, void *hidden, int16_t *cell, void *output) {
    const size_t e = p->act16 ? 2u : 1u; /* bytes per activation */
    const int32_t I = p->input_size, S = p->state_size;
    const uint8_t *x = input;
    uint8_t *h = hidden, *y = output;
    if (p->time_major) {
        for (int32_t t = 0; t < p->time_steps; ++t)
            step(p, p->batches, x + (size_t)t * p->batches * I * e, h, cell, y + (size_t)t * p->batches * S * e);
    } else {
        for (int32_t b = 0; b < p->batches; ++b)
            for (int32_t t = 0; t < p->time_steps; ++t) {
                const size_t k = (size_t)b * p->time_steps + t;
                step(p, 1, x + k * I * e, h + (size_t)b * S * e, cell + b * S, y + k * S * e);
            }
    }
}
