/* Reference int16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (TFLM
 * reference_integer_ops' int16 ConvPerChannel, DepthwiseConvPerChannel, FullyConnected and
 * FullyConnectedPerChannel). Same loops as the int8 kernels; the convolutions without offsets. */
#include "cfub_kernels.h"

void cfub_ref_conv_i16(const cfub_conv_params *p, const int16_t *input, const int8_t *filter,
                       const void *bias, int16_t *output) {
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t out_h = p->out_h, out_w = p->out_w, out_c = p->out_c;
    const int32_t k_h = p->k_h, k_w = p->k_w, filter_in_c = p->filter_in_c;
    const int32_t groups = in_c / filter_in_c;
    const int32_t filters_per_group = out_c / groups;
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t out_y = 0; out_y < out_h; ++out_y) {
            const int32_t in_y_origin = out_y * p->stride_h - p->pad_h;
            for (int32_t out_x = 0; out_x < out_w; ++out_x) {
                const int32_t in_x_origin = out_x * p->stride_w - p->pad_w;
                for (int32_t oc = 0; oc < out_c; ++oc) {
                    const int32_t group = oc / filters_per_group;
                    int64_t acc = 0;
                    for (int32_t fy = 0; fy < k_h; ++fy) {
                        const int32_t in_y = in_y_origin + p->dil_h * fy;
                        for (int32_t fx = 0; fx < k_w; ++fx) {
                            const int32_t in_x = in_x_origin + p->dil_w * fx;
                            const bool inside = in_x >= 0 && in_x < in_w && in_y >= 0 && in_y < in_h;
                            if (!inside) continue;
                            const int16_t *in_px = input + ((b * in_h + in_y) * in_w + in_x) * in_c
                                                   + group * filter_in_c;
                            const int8_t *f_px = filter + ((oc * k_h + fy) * k_w + fx) * filter_in_c;
                            for (int32_t ic = 0; ic < filter_in_c; ++ic)
                                acc += (int32_t)f_px[ic] * (int32_t)in_px[ic];
                        }
                    }
                    output[((b * out_h + out_y) * out_w + out_x) * out_c + oc] = cfub_i16x8_output(
                        acc, bias, p->bias64, oc, p->out_mult[oc], p->out_shift[oc], p->act_min, p->act_max, 0);
                }
            }
        }
    }
}

void cfub_ref_depthwise_i16(const cfub_dw_params *p, const int16_t *input, const int8_t *filter,
                            const void *bias, int16_t *output) {
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t out_h = p->out_h, out_w = p->out_w, out_c = p->out_c;
    const int32_t k_h = p->k_h, k_w = p->k_w, depth_multiplier = p->depth_multiplier;
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t out_y = 0; out_y < out_h; ++out_y) {
            for (int32_t out_x = 0; out_x < out_w; ++out_x) {
                for (int32_t ic = 0; ic < in_c; ++ic) {
                    for (int32_t m = 0; m < depth_multiplier; ++m) {
                        const int32_t oc = m + ic * depth_multiplier;
                        const int32_t in_x_origin = out_x * p->stride_w - p->pad_w;
                        const int32_t in_y_origin = out_y * p->stride_h - p->pad_h;
                        int64_t acc = 0;
                        for (int32_t fy = 0; fy < k_h; ++fy) {
                            for (int32_t fx = 0; fx < k_w; ++fx) {
                                const int32_t in_x = in_x_origin + p->dil_w * fx;
                                const int32_t in_y = in_y_origin + p->dil_h * fy;
                                const bool inside = in_x >= 0 && in_x < in_w && in_y >= 0 && in_y < in_h;
                                if (inside)
                                    acc += (int32_t)filter[(fy * k_w + fx) * out_c + oc]
                                           * (int32_t)input[((b * in_h + in_y) * in_w + in_x) * in_c + ic];
                            }
                        }
                        output[((b * out_h + out_y) * out_w + out_x) * out_c + oc] = cfub_i16x8_output(
                            acc, bias, p->bias64, oc, p->out_mult[oc], p->out_shift[oc], p->act_min, p->act_max, 0);
                    }
                }
            }
        }
    }
}

void cfub_ref_fully_connected_i16(const cfub_fc_params *p, const int16_t *input, const int8_t *filter,
                                  const void *bias, int16_t *output) {
    const int32_t accum_depth = p->accum_depth, out_c = p->out_c;
    const int32_t input_offset = p->input_offset, filter_offset = p->filter_offset;
    const int32_t step = p->per_channel ? 1 : 0;
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t oc = 0; oc < out_c; ++oc) {
            int64_t acc = 0;
            for (int32_t d = 0; d < accum_depth; ++d)
                acc += (int64_t)((int32_t)filter[oc * accum_depth + d] + filter_offset)
                       * ((int32_t)input[b * accum_depth + d] + input_offset);
            output[oc + out_c * b] = cfub_i16x8_output(acc, bias, p->bias64, oc, p->out_mult[oc * step],
                                                       p->out_shift[oc * step], p->act_min, p->act_max,
                                                       p->output_offset);
        }
    }
}
