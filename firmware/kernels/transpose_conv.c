/* Reference TRANSPOSE_CONV, int8 and int16x8 (TFLM reference_integer_ops::TransposeConv).
 *
 * TFLM scatters every input pixel into an output-sized int32 (int64 for int16) scratch buffer,
 * then requantizes. We gather instead: each output element sums the same products, and
 * integer sums do not depend on their order (int32 wraps modulo 2^32 either way), so the bytes
 * are TFLM's without an output-sized scratch buffer in the arena. */
#include "cfub_kernels.h"

/* The filter taps (f = first, first + stride, ... < k) and input positions (i = i0, i0 - 1, ...)
 * feeding output position o: i * stride - pad + f == o. No division per tap. */
typedef struct { int32_t first, i0; } tconv_taps;
static inline tconv_taps taps_for(int32_t o, int32_t stride, int32_t pad) {
    const int32_t base = o + pad; /* >= 0 */
    tconv_taps t = {base % stride, base / stride};
    return t;
}

/* The raw int8 accumulator of one output element: sum of (input + input_offset) * filter,
 * wrapping in int32 as TFLM's scratch buffer does. */
static int32_t tconv_acc8(const cfub_tconv_params *p, const int8_t *input, const int8_t *filter,
                          int32_t b, int32_t oy, int32_t ox, int32_t oc) {
    const tconv_taps ty = taps_for(oy, p->stride_h, p->pad_h), tx = taps_for(ox, p->stride_w, p->pad_w);
    int32_t acc = 0;
    for (int32_t fy = ty.first, iy = ty.i0; fy < p->k_h && iy >= 0; fy += p->stride_h, --iy) {
        if (iy >= p->in_h) continue;
        for (int32_t fx = tx.first, ix = tx.i0; fx < p->k_w && ix >= 0; fx += p->stride_w, --ix) {
            if (ix >= p->in_w) continue;
            const int8_t *in_px = input + ((b * p->in_h + iy) * p->in_w + ix) * p->in_c;
            const int8_t *f_px = filter + ((oc * p->k_h + fy) * p->k_w + fx) * p->in_c;
            for (int32_t ic = 0; ic < p->in_c; ++ic)
                acc = cfub_wrap_add(acc, ((int32_t)in_px[ic] + p->input_offset) * (int32_t)f_px[ic]);
        }
    }
    return acc;
}

void cfub_ref_transpose_conv(const cfub_tconv_params *p, const int8_t *input, const int8_t *filter,
                             const int32_t *bias, int8_t *output) {
    for (int32_t b = 0; b < p->batches; ++b)
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox)
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    int32_t acc = tconv_acc8(p, input, filter, b, oy, ox, oc);
                    if (bias) acc = cfub_wrap_add(acc, bias[oc]);
                    acc = cfub_mbqm(acc, p->out_mult[oc], p->out_shift[oc]);
                    acc += p->output_offset;
                    acc = cfub_clamp(acc, p->act_min, p->act_max);
                    output[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] = (int8_t)acc;
                }
}

void cfub_ref_transpose_conv_i16(const cfub_tconv_params *p, const int16_t *input, const int8_t *filter,
                                 const void *bias, int16_t *output) {
    for (int32_t b = 0; b < p->batches; ++b)
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const tconv_taps ty = taps_for(oy, p->stride_h, p->pad_h), tx = taps_for(ox, p->stride_w, p->pad_w);
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    int64_t acc = 0;
                    for (int32_t fy = ty.first, iy = ty.i0; fy < p->k_h && iy >= 0; fy += p->stride_h, --iy) {
                        if (iy >= p->in_h) continue;
                        for (int32_t fx = tx.first, ix = tx.i0; fx < p->k_w && ix >= 0; fx += p->stride_w, --ix) {
                            if (ix >= p->in_w) continue;
                            const int16_t *in_px = input + ((b * p->in_h + iy) * p->in_w + ix) * p->in_c;
                            const int8_t *f_px = filter + ((oc * p->k_h + fy) * p->k_w + fx) * p->in_c;
                            for (int32_t ic = 0; ic < p->in_c; ++ic) acc += (int32_t)in_px[ic] * (int32_t)f_px[ic];
                        }
                    }
                    /* TFLM widens an int16 bias to int64 before adding it */
                    if (p->bias_type == CFUB_BIAS_I64) acc = (int64_t)((uint64_t)acc + (uint64_t)cfub_load_i64(bias, oc));
                    else if (p->bias_type == CFUB_BIAS_I16) acc += ((const int16_t *)bias)[oc];
                    const int32_t scaled = cfub_mbqm64(acc, p->out_mult[oc], p->out_shift[oc]);
                    output[((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc] =
                        (int16_t)cfub_clamp(scaled, p->act_min, p->act_max);
                }
            }
}
