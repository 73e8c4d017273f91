/* Reference ADD and SUB, int8 and int16 (TFLM reference_integer_ops::AddElementwise,
 * reference_ops::Sub and the broadcasting variants): both inputs are shifted left (20 for
 * int8, 15 for int16), rescaled to a common scale, summed or subtracted and rescaled to the
 * output. */
#include "cfub_kernels.h"

/* One element of ADD or SUB, any type: the two scaled inputs summed or subtracted, the output
 * stage, clamped to the output type's bounds in p (int16 uses left shift 15, set by prepare). */
static inline int32_t add_sub_one(const cfub_add_params *p, int32_t a, int32_t b, bool subtract) {
    const int32_t scaled_input1_val =
        cfub_add_scaled_input(a, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t scaled_input2_val =
        cfub_add_scaled_input(b, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    const int32_t raw = subtract ? scaled_input1_val - scaled_input2_val : scaled_input1_val + scaled_input2_val;
    const int32_t raw_output = cfub_mbqm_lt1(raw, p->output_multiplier, p->output_shift) + p->output_offset;
    return cfub_clamp(raw_output, p->act_min, p->act_max);
}

static inline int8_t add_one(const cfub_add_params *p, int32_t a, int32_t b) {
    return (int8_t)add_sub_one(p, a, b, false);
}

void cfub_ref_add(const cfub_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output) {
    if (!p->broadcast) {
        for (int32_t i = 0; i < p->size; ++i) output[i] = add_one(p, input1[i], input2[i]);
        return;
    }
    const int32_t *d = p->out_dims;
    const int32_t *s1 = p->in1_strides, *s2 = p->in2_strides;
    int32_t out = 0;
    for (int32_t i0 = 0; i0 < d[0]; ++i0)
    for (int32_t i1 = 0; i1 < d[1]; ++i1)
    for (int32_t i2 = 0; i2 < d[2]; ++i2)
    for (int32_t i3 = 0; i3 < d[3]; ++i3)
    for (int32_t i4 = 0; i4 < d[4]; ++i4)
    for (int32_t i5 = 0; i5 < d[5]; ++i5) {
        const int32_t a = i0 * s1[0] + i1 * s1[1] + i2 * s1[2] + i3 * s1[3] + i4 * s1[4] + i5 * s1[5];
        const int32_t b = i0 * s2[0] + i1 * s2[1] + i2 * s2[2] + i3 * s2[3] + i4 * s2[4] + i5 * s2[5];
        output[out++] = add_one(p, input1[a], input2[b]);
    }
}

static void add_sub(const cfub_add_params *p, const void *input1, const void *input2, void *output, int width,
                    bool subtract) {
    if (!p->broadcast) {
        for (int32_t i = 0; i < p->size; ++i)
            cfub_st(output, i, width, add_sub_one(p, cfub_ld(input1, i, width), cfub_ld(input2, i, width), subtract));
        return;
    }
    const cfub_bcast bc = {
        p->size, 1,
        {p->out_dims[0], p->out_dims[1], p->out_dims[2], p->out_dims[3], p->out_dims[4], p->out_dims[5]},
        {p->in1_strides[0], p->in1_strides[1], p->in1_strides[2], p->in1_strides[3], p->in1_strides[4], p->in1_strides[5]},
        {p->in2_strides[0], p->in2_strides[1], p->in2_strides[2], p->in2_strides[3], p->in2_strides[4], p->in2_strides[5]},
    };
    CFUB_BCAST_FOR(&bc, i1, i2, o,
                   cfub_st(output, o, width,
                              add_sub_one(p, cfub_ld(input1, i1, width), cfub_ld(input2, i2, width), subtract)));
}

void cfub_ref_add_i16(const cfub_add_params *p, const int16_t *input1, const int16_t *input2, int16_t *output) {
    add_sub(p, input1, input2, output, CFUB_I16, false);
}

void cfub_ref_sub(const cfub_add_params *p, const void *input1, const void *input2, void *output, int width) {
    add_sub(p, input1, input2, output, width, true);
}
