/* Reference MEAN, SUM and REDUCE_MAX, int8 and int16 (TFLM reference_ops::QuantizedMeanOrSum
 * and ReduceGeneric): int32 accumulators per output element, the input
 * walked in row-major order. */
#include "cfub_kernels.h"

void cfub_ref_reduce(const cfub_reduce_params *p, const void *input, void *output) {
    const int w = p->width;
    const int32_t qmin = w == CFUB_I16 ? INT16_MIN : INT8_MIN, qmax = w == CFUB_I16 ? INT16_MAX : INT8_MAX;
    int32_t *acc = p->temp;
    const bool is_max = p->mode == CFUB_REDUCE_MAX;
    for (int32_t o = 0; o < p->out_size; ++o) acc[o] = is_max ? qmin : 0;

    int32_t idx[CFUB_BCAST_DIMS] = {0};
    int32_t in_index = 0, out_index = 0;
    const int32_t rank = p->rank;
    for (;;) {
        const int32_t v = cfub_ld(input, in_index, w);
        acc[out_index] = is_max ? cfub_max32(acc[out_index], v) : cfub_wrap_add(acc[out_index], v);
        ++in_index;
        int d = rank - 1;
        for (; d >= 0; --d) { /* odometer: the last dimension runs fastest */
            out_index += p->out_strides[d];
            if (++idx[d] < p->in_dims[d]) break;
            out_index -= p->out_strides[d] * idx[d];
            idx[d] = 0;
        }
        if (d < 0) break;
    }

    for (int32_t o = 0; o < p->out_size; ++o) {
        int32_t r;
        switch (p->mode) {
        case CFUB_REDUCE_MAX:
            r = acc[o];
            break;
        default: {
            /* TFLM forms sum - zp * count in 64 bits and narrows it to int32 */
            const int32_t shifted_sum = (int32_t)(uint32_t)((int64_t)acc[o] - (int64_t)p->input_zero_point * p->count);
            r = cfub_clamp(cfub_mbqm(shifted_sum, p->multiplier, p->shift) + p->output_zero_point, qmin, qmax);
        }
        }
        cfub_st(output, o, w, r);
    }
}
