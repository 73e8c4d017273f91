/* Reference QUANTIZE (float32 -> int8, int8 -> int8) and DEQUANTIZE (int8 -> float32),
 * TFLM reference_ops::AffineQuantize / Requantize / Dequantize. */
#include "cfub_kernels.h"

void cfub_ref_quantize_f32(const cfub_quant_params *p, const float *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t unclamped = cfub_wrap_add(cfub_f32_to_i32(cfub_roundf(input[i] / p->scale)), p->zero_point);
        output[i] = (int8_t)cfub_clamp(unclamped, -128, 127);
    }
}

void cfub_ref_requantize_i8(const cfub_quant_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = input[i] - p->input_zero_point;
        const int32_t out = cfub_mbqm(v, p->multiplier, p->shift) + p->zero_point;
        output[i] = (int8_t)cfub_clamp(out, -128, 127);
    }
}

void cfub_ref_dequantize(const cfub_quant_params *p, const int8_t *input, float *output) {
    const double scale = (double)p->scale;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t val = input[i];
        output[i] = (float)(scale * (double)(val - p->zero_point));
    }
}
