/* Reference DEPTHWISE_CONV_2D, per-channel int8 (TFLM DepthwiseConvPerChannel). */
#include "cfub_kernels.h"

void cfub_ref_depthwise(const cfub_dw_params *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, int8_t *output) {
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t out_h = p->out_h, out_w = p->out_w, out_c = p->out_c;
    const int32_t k_h = p->k_h, k_w = p->k_w, depth_multiplier = p->depth_multiplier;
    const int32_t input_offset = p->input_offset, output_offset = p->output_offset;
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t out_y = 0; out_y < out_h; ++out_y) {
            for (int32_t out_x = 0; out_x < out_w; ++out_x) {
                for (int32_t ic = 0; ic < in_c; ++ic) {
                    for (int32_t m = 0; m < depth_multiplier; ++m) {
                        const int32_t oc = m + ic * depth_multiplier;
                        const int32_t in_x_origin = out_x * p->stride_w - p->pad_w;
                        const int32_t in_y_origin = out_y * p->stride_h - p->pad_h;
                        int32_t acc = 0;
                        for (int32_t fy = 0; fy < k_h; ++fy) {
                            for (int32_t fx = 0; fx < k_w; ++fx) {
                                const int32_t in_x = in_x_origin + p->dil_w * fx;
                                const int32_t in_y = in_y_origin + p->dil_h * fy;
                                const bool inside = in_x >= 0 && in_x < in_w && in_y >= 0 && in_y < in_h;
                                if (inside) {
                                    const int32_t input_val = input[((b * in_h + in_y) * in_w + in_x) * in_c + ic];
                                    const int32_t filter_val = filter[(fy * k_w + fx) * out_c + oc];
                                    acc += filter_val * (input_val + input_offset);
                                }
                            }
                        }
                        if (bias) acc = cfub_wrap_add(acc, bias[oc]);
                        acc = cfub_mbqm(acc, p->out_mult[oc], p->out_shift[oc]);
                        acc += output_offset;
                        acc = cfub_clamp(acc, p->act_min, p->act_max);
                        output[((b * out_h + out_y) * out_w + out_x) * out_c + oc] = (int8_t)acc;
                    }
                }
            }
        }
    }
}
