/* Reference AVERAGE_POOL_2D and MAX_POOL_2D int8 (TFLM reference_integer_ops pooling). */
#include "cfub_kernels.h"

bool cfub_ref_average_pool(const cfub_pool_params *p, const int8_t *input, int8_t *output) {
    const int32_t in_h = p->in_h, in_w = p->in_w, depth = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t out_y = 0; out_y < p->out_h; ++out_y) {
            for (int32_t out_x = 0; out_x < p->out_w; ++out_x) {
                for (int32_t c = 0; c < depth; ++c) {
                    const int32_t in_x_origin = out_x * p->stride_w - p->pad_w;
                    const int32_t in_y_origin = out_y * p->stride_h - p->pad_h;
                    const int32_t fx_start = cfub_max32(0, -in_x_origin);
                    const int32_t fx_end = cfub_min32(p->k_w, in_w - in_x_origin);
                    const int32_t fy_start = cfub_max32(0, -in_y_origin);
                    const int32_t fy_end = cfub_min32(p->k_h, in_h - in_y_origin);
                    int32_t acc = 0;
                    int32_t count = 0;
                    for (int32_t fy = fy_start; fy < fy_end; ++fy) {
                        for (int32_t fx = fx_start; fx < fx_end; ++fx) {
                            const int32_t in_x = in_x_origin + fx;
                            const int32_t in_y = in_y_origin + fy;
                            acc += input[((b * in_h + in_y) * in_w + in_x) * depth + c];
                            count++;
                        }
                    }
                    if (count == 0) return false;
                    acc = cfub_clamp(cfub_avg_pool_divide(acc, count), p->act_min, p->act_max);
                    output[((b * p->out_h + out_y) * p->out_w + out_x) * depth + c] = (int8_t)acc;
                }
            }
        }
    }
    return true;
}

void cfub_ref_max_pool(const cfub_pool_params *p, const int8_t *input, int8_t *output) {
    const int32_t in_h = p->in_h, in_w = p->in_w, depth = p->channels;
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t out_y = 0; out_y < p->out_h; ++out_y) {
            for (int32_t out_x = 0; out_x < p->out_w; ++out_x) {
                for (int32_t c = 0; c < depth; ++c) {
                    const int32_t in_x_origin = out_x * p->stride_w - p->pad_w;
                    const int32_t in_y_origin = out_y * p->stride_h - p->pad_h;
                    const int32_t fx_start = cfub_max32(0, -in_x_origin);
                    const int32_t fx_end = cfub_min32(p->k_w, in_w - in_x_origin);
                    const int32_t fy_start = cfub_max32(0, -in_y_origin);
                    const int32_t fy_end = cfub_min32(p->k_h, in_h - in_y_origin);
                    int32_t max = -128;
                    for (int32_t fy = fy_start; fy < fy_end; ++fy) {
                        for (int32_t fx = fx_start; fx < fx_end; ++fx) {
                            const int32_t in_x = in_x_origin + fx;
                            const int32_t in_y = in_y_origin + fy;
                            max = cfub_max32(max, input[((b * in_h + in_y) * in_w + in_x) * depth + c]);
                        }
                    }
                    max = cfub_clamp(max, p->act_min, p->act_max);
                    output[((b * p->out_h + out_y) * p->out_w + out_x) * depth + c] = (int8_t)max;
                }
            }
        }
    }
}
