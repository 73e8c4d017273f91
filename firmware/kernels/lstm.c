/* Reference UNIDIRECTIONAL_SEQUENCE_LSTM, int8 or int16 activations x int8 weights -> int16
 * cell (TFLM lstm_eval.h EvalLstm<int8_t, int8_t, int16_t, int32_t> and <int16_t, int8_t, int16_t,
 * int64_t>: LstmStep
 * and lstm_eval.cc: FullyConnected into Q3.12, AddElementWise, the int16 table Logistic and
 * Tanh, MulElementwise, Clipping, LstmStepManager's offsets). */
#include "cfub_kernels.h"
#include "cfub_string.h"

/* TFLM's sigmoid(i/24) in 0.16 format (kernels/internal/common.h sigmoid_table_uint16), shared
 * by the int16 logistic and tanh (tanh(x) = 2 sigmoid(2x) - 1). The values are not exactly
 * any rounding of the formula, so they are listed. */
static const uint16_t kSigmoid[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

/* x on the table's scale: x * multiplier / 2^shift rounded; multiplier 0 means 3 << shift */
static inline int32_t table_input(int32_t x, int32_t multiplier, int32_t left_shift) {
    if (multiplier == 0) {
        multiplier = 3 << left_shift;
        left_shift = 0;
    }
    const int32_t round = left_shift > 0 ? INT32_C(1) << (left_shift - 1) : 0;
    return (x * multiplier + round) >> left_shift;
}

/* Q3.12 in, Q0.15 out (reference_integer_ops::Logistic with multiplier 0, shift 0) */
static void logistic_i16(int32_t n, const int16_t *in, int16_t *out) {
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = table_input(in[i], 0, 0);
        const uint32_t ax = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
        const uint32_t uh = ax >> 9;
        uint32_t r;
        if (uh >= 255) {
            r = 0x7FFFu << 10;
        } else {
            const uint32_t ua = kSigmoid[uh], ub = kSigmoid[uh + 1];
            r = (ua << 9) + (ax & 0x1ffu) * (ub - ua);
        }
        r = x >= 0 ? r + (1u << 9) : (1u << (16 + 9)) - r + (1u << 9) - 1u;
        out[i] = (int16_t)(uint16_t)(r >> 10);
    }
}

/* reference_integer_ops::Tanh on int16 */
static void tanh_i16(int32_t multiplier, int32_t left_shift, int32_t n, const int16_t *in, int16_t *out) {
    for (int32_t i = 0; i < n; ++i) {
        const int32_t x = table_input(in[i], multiplier, left_shift);
        const uint32_t ax = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
        const uint32_t uh = ax >> 8;
        int32_t r;
        if (uh >= 255) {
            r = 0xFFFF << 8;
        } else {
            const uint32_t ua = kSigmoid[uh], ub = kSigmoid[uh + 1];
            r = (int32_t)((ua << 8) + (ax & 0xffu) * (ub - ua));
        }
        r = x >= 0 ? r - (1 << (14 + 9)) + (1 << (9 - 2)) : -r + (1 << (14 + 9)) + (1 << (9 - 2)) - 1;
        out[i] = (int16_t)(r >> (9 - 1));
    }
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
