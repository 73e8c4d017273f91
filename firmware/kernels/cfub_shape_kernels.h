/* Data-movement and resize kernels: PAD, CONCATENATION/PACK, SLICE/STRIDED_SLICE, TRANSPOSE,
 * DEPTH_TO_SPACE/SPACE_TO_DEPTH, GATHER, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, CAST.
 *
 * Data movement never looks at values, so these kernels work on elements of `esize` bytes
 * (1, 2, 4 or 8) and serve every tensor type TFLM accepts for the op. Offsets and strides
 * are in elements. Every index is checked at prepare time; the kernels trust their params. */
#ifndef CFUB_SHAPE_KERNELS_H
#define CFUB_SHAPE_KERNELS_H

#include "cfub_kernels.h"

/* dst[dst_offset + sum i_k * dst_strides[k]] = src[src_offset + sum i_k * src_strides[k]]
 * for every index i in dims (row-major order). Strides may be negative (reversed slices).
 * Slices, transposes and depth/space rearrangements are all this one loop nest. */
typedef struct cfub_copy_params {
    int32_t esize;
    int32_t ndim;
    int32_t dims[CFUB_MAX_DIMS];
    int32_t src_offset;
    int32_t src_strides[CFUB_MAX_DIMS];
    int32_t dst_offset;
    int32_t dst_strides[CFUB_MAX_DIMS];
} cfub_copy_params;

typedef struct cfub_pad_params {
    cfub_copy_params copy;  /* the input block into its place in the output */
    int32_t out_elements;
    uint8_t pad_value[8];   /* one element's bytes */
} cfub_pad_params;

/* CONCATENATION and PACK join parts (their inputs), SPLIT, SPLIT_V and UNPACK cut one
 * (their outputs): each part holds blocks of copy_size[k] elements, `outer` times, and the
 * joined tensor is, per outer index, every part's block in turn (rows of `row` elements). */
typedef struct cfub_concat_params {
    int32_t esize;
    int32_t n_parts;
    int32_t outer;
    int32_t row;
    const int32_t *copy_size;  /* [n_parts] */
} cfub_concat_params;

typedef struct cfub_gather_params {
    int32_t esize;
    int32_t batch_size, outer_size, coord_size, inner_size, axis_size;
} cfub_gather_params;

/* The source row/column of every output row/column, computed at prepare time with TFLM's
 * float arithmetic (it depends on the output index only). */
typedef struct cfub_resize_nn_params {
    int32_t esize;
    int32_t batches, in_h, in_w, depth, out_h, out_w;
    const int32_t *src_y;  /* [out_h] */
    const int32_t *src_x;  /* [out_w] */
} cfub_resize_nn_params;

typedef struct cfub_resize_bilinear_params {
    int32_t batches, in_h, in_w, depth, out_h, out_w;
    int32_t height_scale_10, width_scale_10;  /* TFLM's 10-bit fixed-point scales */
    int32_t half_pixel_centers;
} cfub_resize_bilinear_params;

typedef struct cfub_cast_params {
    int32_t size;
    int32_t in_type, out_type;  /* tflite TensorType codes */
} cfub_cast_params;

void cfub_ref_copy_nd(const cfub_copy_params *p, const void *src, void *dst);
void cfub_ref_pad(const cfub_pad_params *p, const void *input, void *output);
void cfub_ref_concatenation(const cfub_concat_params *p, const void *const *inputs, void *output);
void cfub_ref_split(const cfub_concat_params *p, const void *input, void *const *outputs);
/* Returns false when an index is outside the axis (TFLM fails the op there too). */
bool cfub_ref_gather(const cfub_gather_params *p, const void *input, const int32_t *coords, void *output);
void cfub_ref_resize_nearest(const cfub_resize_nn_params *p, const void *input, void *output);
void cfub_ref_resize_bilinear_i8(const cfub_resize_bilinear_params *p, const int8_t *input, int8_t *output);
void cfub_ref_cast(const cfub_cast_params *p, const void *input, void *output);

/* TFLM GetNearestNeighbor (reference resize_nearest_neighbor.h), float arithmetic included. */
int32_t cfub_nearest_neighbor(int32_t value, int32_t in_size, int32_t out_size, bool align_corners,
                              bool half_pixel_centers);
/* TFLM ResizeBilinearInteger's scale: round(2^10 * in / out), align_corners using (n - 1). */
int32_t cfub_bilinear_scale_10(int32_t in_size, int32_t out_size, bool align_corners);

#endif /* CFUB_SHAPE_KERNELS_H */
