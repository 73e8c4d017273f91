/* Reference FULLY_CONNECTED int8 (TFLM reference_integer_ops::FullyConnected and its
 * per-channel twin: same loop, the multiplier index is the only difference). */
#include "cfub_kernels.h"

void cfub_ref_fully_connected(const cfub_fc_params *p, const int8_t *input, const int8_t *filter,
                              const int32_t *bias, int8_t *output) {
    const int32_t accum_depth = p->accum_depth, out_c = p->out_c;
    const int32_t input_offset = p->input_offset, filter_offset = p->filter_offset;
    const int32_t output_offset = p->output_offset;
    const int32_t step = p->per_channel ? 1 : 0;
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t oc = 0; oc < out_c; ++oc) {
            int32_t acc = 0;
            for (int32_t d = 0; d < accum_depth; ++d) {
                const int32_t input_val = input[b * accum_depth + d];
                const int32_t filter_val = filter[oc * accum_depth + d];
                acc += (filter_val + filter_offset) * (input_val + input_offset);
            }
            if (bias) acc = cfub_wrap_add(acc, bias[oc]);
            acc = cfub_mbqm(acc, p->out_mult[oc * step], p->out_shift[oc * step]);
            acc += output_offset;
            acc = cfub_clamp(acc, p->act_min, p->act_max);
            output[oc + out_c * b] = (int8_t)acc;
        }
    }
}
