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

void cfub_ref_quantize_f32_i16(const cfub_quant_params *p, const float *input, int16_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t unclamped = cfub_wrap_add(cfub_f32_to_i32(cfub_roundf(input[i] / p->scale)), p->zero_point);
        output[i] = (int16_t)cfub_clamp(unclamped, INT16_MIN, INT16_MAX);
    }
}

static inline int32_t load_int(const void *d, int32_t i, int32_t bytes) {
    return bytes == 4 ? ((const int32_t *)d)[i] : bytes == 2 ? ((const int16_t *)d)[i] : ((const int8_t *)d)[i];
}

void cfub_ref_requantize(const cfub_quant_params *p, const void *input, void *output) {
    const int32_t qmin = p->out_bytes == 4 ? INT32_MIN : p->out_bytes == 2 ? INT16_MIN : INT8_MIN;
    const int32_t qmax = p->out_bytes == 4 ? INT32_MAX : p->out_bytes == 2 ? INT16_MAX : INT8_MAX;
    for (int32_t i = 0; i < p->size; ++i) {
        /* int32 inputs may wrap here and at the output offset, as in TFLM's int32 arithmetic */
        const int32_t v = (int32_t)((uint32_t)load_int(input, i, p->in_bytes) - (uint32_t)p->input_zero_point);
        const int32_t q = cfub_clamp(cfub_wrap_add(cfub_mbqm(v, p->multiplier, p->shift), p->zero_point), qmin, qmax);
        if (p->out_bytes == 4) ((int32_t *)output)[i] = q;
        else if (p->out_bytes == 2) ((int16_t *)output)[i] = (int16_t)q;
        else ((int8_t *)output)[i] = (int8_t)q;
    }
}

void cfub_ref_dequantize_i16(const cfub_quant_params *p, const int16_t *input, float *output) {
    const double scale = (double)p->scale;
    for (int32_t i = 0; i < p->size; ++i) output[i] = (float)(scale * (double)(input[i] - p->zero_point));
}
