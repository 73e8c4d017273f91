/* RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (int8 integer path), TFLM's reference kernels. */
#include "cfub_shape_kernels.h"
#include "cfub_string.h"

int32_t cfub_nearest_neighbor(int32_t value, int32_t in_size, int32_t out_size, bool align_corners,
                              bool half_pixel_centers) {
    const float scale = (align_corners && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                                        : (float)in_size / (float)out_size;
    const float offset = half_pixel_centers ? 0.5f : 0.0f;
    const float x = ((float)value + offset) * scale;  /* >= 0: truncation is floor */
    int32_t v = align_corners ? cfub_f32_to_i32(cfub_roundf(x)) : cfub_f32_to_i32(x);
    if (v > in_size - 1) v = in_size - 1;
    if (half_pixel_centers && v < 0) v = 0;
    return v;
}

int32_t cfub_bilinear_scale_10(int32_t in_size, int32_t out_size, bool align_corners) {
    if (align_corners && out_size > 1) return ((1 << 10) * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1);
    return ((1 << 10) * in_size + out_size / 2) / out_size;
}

void cfub_ref_resize_nearest(const cfub_resize_nn_params *p, const void *input, void *output) {
    const uint8_t *in = input;
    uint8_t *out = output;
    const size_t px = (size_t)p->depth * p->esize;
    const size_t row = (size_t)p->in_w * px, batch = (size_t)p->in_h * row;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t y = 0; y < p->out_h; y++) {
            const uint8_t *src_row = in + (size_t)b * batch + (size_t)p->src_y[y] * row;
            for (int32_t x = 0; x < p->out_w; x++) {
                memcpy(out, src_row + (size_t)p->src_x[x] * px, px);
                out += px;
            }
        }
    }
}

static void interpolation_values(int32_t value, int32_t scale_10, bool half_pixel_centers, int32_t in_size,
                                 int32_t *scaled, int32_t *lower, int32_t *upper) {
    *scaled = half_pixel_centers ? value * scale_10 + scale_10 / 2 - (1 << 9) : value * scale_10;
    *lower = cfub_max32(*scaled / (1 << 10), 0);
    *upper = cfub_min32((*scaled + (1 << 10) - 1) / (1 << 10), in_size - 1);
}

void cfub_ref_resize_bilinear_i8(const cfub_resize_bilinear_params *p, const int8_t *input, int8_t *output) {
    const int32_t d = p->depth, w = p->in_w, h = p->in_h;
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *in = input + (size_t)b * h * w * d;
        for (int32_t y = 0; y < p->out_h; y++) {
            int32_t iy, y0, y1;
            interpolation_values(y, p->height_scale_10, p->half_pixel_centers, h, &iy, &y0, &y1);
            const int64_t fy = iy - (1 << 10) * y0;
            for (int32_t x = 0; x < p->out_w; x++) {
                int32_t ix, x0, x1;
                interpolation_values(x, p->width_scale_10, p->half_pixel_centers, w, &ix, &x0, &x1);
                const int64_t fx = ix - (1 << 10) * x0;
                const int8_t *ll = in + ((size_t)y0 * w + x0) * d, *lu = in + ((size_t)y1 * w + x0) * d;
                const int8_t *rl = in + ((size_t)y0 * w + x1) * d, *ru = in + ((size_t)y1 * w + x1) * d;
                for (int32_t c = 0; c < d; c++) {
                    const int64_t v = (int64_t)ll[c] * ((1 << 10) - fy) * ((1 << 10) - fx) +
                                      (int64_t)lu[c] * fy * ((1 << 10) - fx) +
                                      (int64_t)rl[c] * ((1 << 10) - fy) * fx + (int64_t)ru[c] * fy * fx;
                    /* double rounding build: half away from zero, truncating division */
                    const int64_t round = v > 0 ? (1 << 19) : -(1 << 19);
                    *output++ = (int8_t)((v + round) / (1 << 20));
                }
            }
        }
    }
}
