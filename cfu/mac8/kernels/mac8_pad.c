/* Padded copies of a layer's input in one shared scratch buffer (see mac8_stream.h). */
#include "mac8_stream.h"

uint32_t mac8_scratch[MAC8_SCRATCH_BYTES / 4 + 2];

bool mac8_pad_plan(mac8_pad_geometry *g, int32_t in_h, int32_t in_w, int32_t in_c, int32_t c,
                   int32_t out_h, int32_t out_w, int32_t k_h, int32_t k_w, int32_t stride_h,
                   int32_t stride_w, int32_t pad_h, int32_t pad_w, int32_t input_offset) {
    const int32_t pad = -input_offset;
    if (pad < -128 || pad > 127 || c < in_c) return false;
    g->in_h = in_h;
    g->in_w = in_w;
    g->in_c = in_c;
    g->c = c;
    /* the rows and columns the windows reach, from the first padding row on */
    g->h = (out_h - 1) * stride_h + k_h;
    g->w = (out_w - 1) * stride_w + k_w;
    g->top = pad_h;
    g->left = pad_w;
    g->pad = pad;
    const int64_t bytes = (int64_t)g->h * g->w * c;
    return bytes + 8 <= MAC8_SCRATCH_BYTES;
}

/* Pixels of 3 bytes to words, 4 at a time from 3 aligned words; the 4th byte is padding. */
static void widen3(uint32_t *restrict dst, const int8_t *restrict src, int32_t pixels, uint32_t top_byte) {
    int32_t i = 0;
    if (aligned4(src)) {
        const uint32_t *s = (const uint32_t *)src;
        for (; i + 4 <= pixels; i += 4, s += 3, dst += 4) {
            const uint32_t a = s[0], b = s[1], c = s[2];
            dst[0] = (a & 0xffffffu) | top_byte;
            dst[1] = ((a >> 24) | (b << 8)) & 0xffffffu;
            dst[1] |= top_byte;
            dst[2] = ((b >> 16) | (c << 16)) & 0xffffffu;
            dst[2] |= top_byte;
            dst[3] = (c >> 8) | top_byte;
        }
    }
    for (; i < pixels; i++, dst++) {
        const uint8_t *b = (const uint8_t *)src + 3 * i;
        *dst = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | top_byte;
    }
}

/* The geometry of the copy last written: the same geometry means the same border, which
 * then needs no rewriting (the image's own bytes are copied every time). */
static mac8_pad_geometry last_geometry;
static bool have_last;

/* (no memcmp: the firmware takes only memcpy, memmove and memset from the C library) */
static bool same_geometry(const mac8_pad_geometry *a, const mac8_pad_geometry *b) {
    return a->in_h == b->in_h && a->in_w == b->in_w && a->in_c == b->in_c && a->h == b->h && a->w == b->w &&
           a->c == b->c && a->top == b->top && a->left == b->left && a->pad == b->pad;
}

const int8_t *mac8_pad_image(const mac8_pad_geometry *g, const int8_t *image) {
    uint8_t *const base = (uint8_t *)mac8_scratch;
    const bool border_done = have_last && same_geometry(&last_geometry, g);
    last_geometry = *g;
    have_last = true;
    const int pad = (uint8_t)g->pad;
    const int32_t c = g->c, row_bytes = g->w * c;
    const int32_t x0 = g->left, x1 = min32(g->w, g->left + g->in_w);  /* image columns in the copy */
    for (int32_t y = 0; y < g->h; y++) {
        uint8_t *row = base + y * row_bytes;
        const int32_t sy = y - g->top;
        if (sy < 0 || sy >= g->in_h || x1 <= x0) {
            if (!border_done) memset(row, pad, (size_t)row_bytes);
            continue;
        }
        if (!border_done) memset(row, pad, (size_t)(x0 * c));
        uint8_t *mid = row + x0 * c;
        const int8_t *src = image + (sy * g->in_w) * g->in_c;
        const int32_t pixels = x1 - x0;
        if (c == g->in_c)
            memcpy(mid, src, (size_t)(pixels * c));
        else if (g->in_c == 3 && c == 4 && aligned4(mid))
            widen3((uint32_t *)mid, src, pixels, (uint32_t)pad << 24);
        else
            for (int32_t x = 0; x < pixels; x++)
                for (int32_t ch = 0; ch < c; ch++)
                    *mid++ = ch < g->in_c ? (uint8_t)src[x * g->in_c + ch] : (uint8_t)pad;
        if (!border_done) memset(row + x1 * c, pad, (size_t)(row_bytes - x1 * c));
    }
    if (!border_done) memset(base + g->h * row_bytes, pad, 8);  /* word-wise readers may read one word past */
    return (const int8_t *)base;
}
