/* Reference AVERAGE_POOL_2D and MAX_POOL_2D, int8 and int16 (TFLM reference_integer_ops pooling):
 * one body, instantiated per element type, so the int8 kernels compile exactly as before. */
#include "cfub_kernels.h"

#define CFUB_POOL_KERNELS(SUFFIX, T, TMIN) \
bool cfub_ref_average_pool##SUFFIX(const cfub_pool_params *p, const T *input, T *output) {               \
    const int32_t in_h = p->in_h, in_w = p->in_w, depth = p->channels;                                   \
    for (int32_t b = 0; b < p->batches; ++b) {                                                           \
        for (int32_t out_y = 0; out_y < p->out_h; ++out_y) {                                             \
            for (int32_t out_x = 0; out_x < p->out_w; ++out_x) {                                         \
                for (int32_t c = 0; c < depth; ++c) {                                                    \
                    const int32_t in_x_origin = out_x * p->stride_w - p->pad_w;                          \
                    const int32_t in_y_origin = out_y * p->stride_h - p->pad_h;                          \
                    const int32_t fx_start = cfub_max32(0, -in_x_origin);                                \
                    const int32_t fx_end = cfub_min32(p->k_w, in_w - in_x_origin);                       \
                    const int32_t fy_start = cfub_max32(0, -in_y_origin);                                \
                    const int32_t fy_end = cfub_min32(p->k_h, in_h - in_y_origin);                       \
                    int32_t acc = 0;                                                                     \
                    int32_t count = 0;                                                                   \
                    for (int32_t fy = fy_start; fy < fy_end; ++fy) {                                     \
                        for (int32_t fx = fx_start; fx < fx_end; ++fx) {                                 \
                            const int32_t in_x = in_x_origin + fx;                                       \
                            const int32_t in_y = in_y_origin + fy;                                       \
                            acc += input[((b * in_h + in_y) * in_w + in_x) * depth + c];                 \
                            count++;                                                                     \
                        }                                                                                \
                    }                                                                                    \
                    if (count == 0) return false;                                                        \
                    acc = cfub_clamp(cfub_avg_pool_divide(acc, count), p->act_min, p->act_max);          \
                    output[((b * p->out_h + out_y) * p->out_w + out_x) * depth + c] = (T)acc;            \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
    }                                                                                                    \
    return true;                                                                                         \
}                                                                                                        \
                                                                                                         \
void cfub_ref_max_pool##SUFFIX(const cfub_pool_params *p, const T *input, T *output) {                   \
    const int32_t in_h = p->in_h, in_w = p->in_w, depth = p->channels;                                   \
    for (int32_t b = 0; b < p->batches; ++b) {                                                           \
        for (int32_t out_y = 0; out_y < p->out_h; ++out_y) {                                             \
            for (int32_t out_x = 0; out_x < p->out_w; ++out_x) {                                         \
                for (int32_t c = 0; c < depth; ++c) {                                                    \
                    const int32_t in_x_origin = out_x * p->stride_w - p->pad_w;                          \
                    const int32_t in_y_origin = out_y * p->stride_h - p->pad_h;                          \
                    const int32_t fx_start = cfub_max32(0, -in_x_origin);                                \
                    const int32_t fx_end = cfub_min32(p->k_w, in_w - in_x_origin);                       \
                    const int32_t fy_start = cfub_max32(0, -in_y_origin);                                \
                    const int32_t fy_end = cfub_min32(p->k_h, in_h - in_y_origin);                       \
                    int32_t max = TMIN;                                                                  \
                    for (int32_t fy = fy_start; fy < fy_end; ++fy) {                                     \
                        for (int32_t fx = fx_start; fx < fx_end; ++fx) {                                 \
                            const int32_t in_x = in_x_origin + fx;                                       \
                            const int32_t in_y = in_y_origin + fy;                                       \
                            max = cfub_max32(max, input[((b * in_h + in_y) * in_w + in_x) * depth + c]); \
                        }                                                                                \
                    }                                                                                    \
                    max = cfub_clamp(max, p->act_min, p->act_max);                                       \
                    output[((b * p->out_h + out_y) * p->out_w + out_x) * depth + c] = (T)max;            \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
    }                                                                                                    \
}

CFUB_POOL_KERNELS(, int8_t, INT8_MIN)
CFUB_POOL_KERNELS(_i16, int16_t, INT16_MIN)
