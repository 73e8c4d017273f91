/* Reference MUL, MAXIMUM and MINIMUM, int8 and int16, with broadcasting (TFLM
 * reference_integer_ops::Mul / BroadcastMul4DSlow, reference_ops::MaximumMinimumBroadcastSlow). */
#include "cfub_kernels.h"

void cfub_ref_mul(const cfub_mul_params *p, const void *input1, const void *input2, void *output) {
    const int w = p->width;
    CFUB_BCAST_FOR(&p->bc, i1, i2, o, {
        const int32_t input1_val = p->input1_offset + cfub_ld(input1, i1, w);
        const int32_t input2_val = p->input2_offset + cfub_ld(input2, i2, w);
        const int32_t unclamped =
            p->output_offset + cfub_mbqm(input1_val * input2_val, p->output_multiplier, p->output_shift);
        cfub_st(output, o, w, cfub_clamp(unclamped, p->act_min, p->act_max));
    });
}

void cfub_ref_minmax(const cfub_minmax_params *p, const void *input1, const void *input2, void *output) {
    const int w = p->width;
    CFUB_BCAST_FOR(&p->bc, i1, i2, o, {
        const int32_t a = cfub_ld(input1, i1, w), b = cfub_ld(input2, i2, w);
        cfub_st(output, o, w, p->is_max ? (a > b ? a : b) : (a < b ? a : b));
    });
}
