/* Data-movement kernels (see cfub_shape_kernels.h): value-blind copies of esize-byte elements. */
#include "cfub_shape_kernels.h"
#include "cfub_string.h"

static void copy_element(uint8_t *dst, const uint8_t *src, int32_t esize) {
    switch (esize) {
    case 1: *dst = *src; break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    default: memcpy(dst, src, (size_t)esize); break;
    }
}

void cfub_ref_copy_nd(const cfub_copy_params *p, const void *src, void *dst) {
    const uint8_t *s = src;
    uint8_t *d = dst;
    const int32_t es = p->esize, nd = p->ndim;
    if (nd == 0) {
        copy_element(d + (size_t)p->dst_offset * es, s + (size_t)p->src_offset * es, es);
        return;
    }
    for (int k = 0; k < nd; k++)
        if (p->dims[k] == 0) return;
    int32_t idx[CFUB_MAX_DIMS] = {0};
    const int32_t last = nd - 1, n_last = p->dims[last];
    const int32_t s_last = p->src_strides[last], d_last = p->dst_strides[last];
    for (;;) {
        int32_t so = p->src_offset, doff = p->dst_offset;
        for (int k = 0; k < last; k++) {
            so += idx[k] * p->src_strides[k];
            doff += idx[k] * p->dst_strides[k];
        }
        if (s_last == 1 && d_last == 1) {
            memcpy(d + (size_t)doff * es, s + (size_t)so * es, (size_t)n_last * es);
        } else {
            for (int32_t i = 0; i < n_last; i++)
                copy_element(d + (size_t)(doff + i * d_last) * es, s + (size_t)(so + i * s_last) * es, es);
        }
        int k = last - 1;
        for (; k >= 0; k--) {
            if (++idx[k] < p->dims[k]) break;
            idx[k] = 0;
        }
        if (k < 0) return;
    }
}

void cfub_ref_pad(const cfub_pad_params *p, const void *input, void *output) {
    uint8_t *out = output;
    const int32_t es = p->copy.esize;
    if (es == 1) {
        memset(out, p->pad_value[0], (size_t)p->out_elements);
    } else {
        for (int32_t i = 0; i < p->out_elements; i++) memcpy(out + (size_t)i * es, p->pad_value, (size_t)es);
    }
    cfub_ref_copy_nd(&p->copy, input, output);
}

void cfub_ref_concatenation(const cfub_concat_params *p, const void *const *inputs, void *output) {
    /* TFLM's reference Concatenation: for each outer index, each input's block in turn */
    uint8_t *out = output;
    const int32_t es = p->esize;
    for (int32_t o = 0; o < p->outer; o++) {
        for (int32_t k = 0; k < p->n_parts; k++) {
            const size_t n = (size_t)p->copy_size[k] * es;
            memcpy(out, (const uint8_t *)inputs[k] + (size_t)o * n, n);
            out += n;
        }
    }
}

void cfub_ref_split(const cfub_concat_params *p, const void *input, void *const *outputs) {
    /* TFLM's SplitImpl / UnpackImpl: the input walked once, each block to its output */
    const uint8_t *in = input;
    const int32_t es = p->esize;
    for (int32_t o = 0; o < p->outer; o++) {
        for (int32_t k = 0; k < p->n_parts; k++) {
            const size_t n = (size_t)p->copy_size[k] * es;
            memcpy((uint8_t *)outputs[k] + (size_t)o * n, in, n);
            in += n;
        }
    }
}

bool cfub_ref_gather(const cfub_gather_params *p, const void *input, const int32_t *coords, void *output) {
    const uint8_t *in = input;
    uint8_t *out = output;
    const size_t block = (size_t)p->inner_size * p->esize;
    for (int32_t b = 0; b < p->batch_size; b++) {
        for (int32_t o = 0; o < p->outer_size; o++) {
            for (int32_t c = 0; c < p->coord_size; c++) {
                const int32_t v = coords[b * p->coord_size + c];
                if (v < 0 || v >= p->axis_size) return false;
                const size_t src = ((size_t)(b * p->outer_size + o) * p->axis_size + (size_t)v) * block;
                const size_t dst = ((size_t)(b * p->outer_size + o) * p->coord_size + (size_t)c) * block;
                memcpy(out + dst, in + src, block);
            }
        }
    }
    return true;
}

void cfub_ref_cast(const cfub_cast_params *p, const void *input, void *output) {
    for (int32_t i = 0; i < p->size; i++) {
        /* read as the widest exact type of the input, then convert as C's static_cast does on
         * TFLM's build host (float to integer through a truncating int32 conversion) */
        int64_t iv = 0;
        float fv = 0.0f;
        bool is_float = false;
        switch (p->in_type) {
        case 9: iv = ((const int8_t *)input)[i]; break;
        case 7: iv = ((const int16_t *)input)[i]; break;
        case 2: iv = ((const int32_t *)input)[i]; break;
        case 6: iv = ((const uint8_t *)input)[i] != 0; break;
        default: fv = ((const float *)input)[i]; is_float = true; break;
        }
        switch (p->out_type) {
        case 0: ((float *)output)[i] = is_float ? fv : (float)(int32_t)iv; break;
        case 9: ((int8_t *)output)[i] = (int8_t)(uint8_t)(uint32_t)(is_float ? cfub_f32_to_i32(fv) : (int32_t)iv); break;
        case 7: ((int16_t *)output)[i] = (int16_t)(uint16_t)(uint32_t)(is_float ? cfub_f32_to_i32(fv) : (int32_t)iv); break;
        default: ((int32_t *)output)[i] = is_float ? cfub_f32_to_i32(fv) : (int32_t)iv; break;
        }
    }
}
