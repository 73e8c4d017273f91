/* Reference SVDF, int8 input and output with an int8 or int16 state (TFLM
 * EvalIntegerSvdfReference<T>): shift the state left by one step, write the feature
 * projection of this input into its newest column, then the time filter, rank reduction,
 * bias and requantization. Sums wrap in int32 as TFLM's do; TFLM keeps the per-filter sums in
 * a scratch buffer and adds them to the bias afterwards, we add them as they are made, which is
 * the same sum. */
#include "cfub_kernels.h"
#include "cfub_string.h"

static inline int32_t state_at(const cfub_svdf_params *p, const void *state, int32_t i) {
    return p->state16 ? ((const int16_t *)state)[i] : ((const int8_t *)state)[i];
}

static inline int32_t time_weight_at(const cfub_svdf_params *p, const void *w, int32_t i) {
    return p->state16 ? ((const int16_t *)w)[i] : ((const int8_t *)w)[i];
}

void cfub_ref_svdf(const cfub_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
                   const void *weights_time, const int32_t *bias, void *state, int8_t *output) {
    const int32_t n_state = p->batches * p->filters * p->memory;
    const size_t esize = p->state16 ? 2 : 1;
    /* the whole state one element to the left; each filter's newest slot is rewritten below */
    if (n_state > 1) memmove(state, (uint8_t *)state + esize, (size_t)(n_state - 1) * esize);

    const int32_t smin = p->state16 ? -32768 : -128, smax = p->state16 ? 32767 : 127;
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *x = input + b * p->input_size;
        for (int32_t f = 0; f < p->filters; f++) {
            const int8_t *w = weights_feature + f * p->input_size;
            int32_t dot = 0;
            for (int32_t c = 0; c < p->input_size; c++)
                dot = cfub_wrap_add(dot, (int32_t)w[c] * ((int32_t)x[c] - p->input_zero_point));
            dot = cfub_mbqm(dot, p->scale1_mult, p->scale1_shift);
            /* clamp, then add the zero point and narrow to the state's type with wrap-around:
             * the tflite-micro build we check against does it in this order (newer TFLM adds
             * the zero point before the clamp) */
            dot = cfub_wrap_add(p->state_zero_point, cfub_clamp(dot, smin, smax));
            const int32_t at = (b * p->filters + f) * p->memory + p->memory - 1;
            if (p->state16) ((int16_t *)state)[at] = (int16_t)(uint16_t)dot;
            else ((int8_t *)state)[at] = (int8_t)(uint8_t)dot;
        }
    }

    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t u = 0; u < p->units; u++) {
            int32_t acc = bias ? bias[u] : 0;
            for (int32_t r = 0; r < p->rank; r++) {
                const int32_t f = u * p->rank + r;
                const int32_t s0 = (b * p->filters + f) * p->memory, w0 = f * p->memory;
                int32_t sum = 0;
                for (int32_t j = 0; j < p->memory; j++)
                    sum = cfub_wrap_add(sum, (int32_t)((uint32_t)time_weight_at(p, weights_time, w0 + j)
                                             * (uint32_t)(state_at(p, state, s0 + j) - p->state_zero_point)));
                acc = cfub_wrap_add(acc, sum);
            }
            const int32_t scaled = cfub_mbqm(acc, p->scale2_mult, p->scale2_shift) + p->output_zero_point;
            output[b * p->units + u] = (int8_t)cfub_clamp(scaled, -128, 127);
        }
    }
}
