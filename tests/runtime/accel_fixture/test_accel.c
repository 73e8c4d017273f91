/* A stand-in CFU design's kernels, exercising the acceleration hook on the host: a 1x1
 * convolution that folds the input offset into per-channel constants at prepare time (the
 * usual trick of accelerated kernels), a 3x3 depthwise that defers to the reference, and a
 * per-tensor fully connected with its own loop, and a same-shape ADD. All must stay bit-exact. */
#include "cfub_accel.h"

static bool conv1x1_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    const cfub_conv_params *p = l->params;
    const int8_t *filter = l->in[1];
    const int32_t *bias = l->in[2];
    if (p->k_h != 1 || p->k_w != 1 || p->stride_h != 1 || p->stride_w != 1 || p->pad_h || p->pad_w ||
        p->filter_in_c != p->in_c)
        return false;
    int32_t *folded = cfub_alloc_persistent(alloc, (size_t)p->out_c * sizeof(int32_t));
    if (!folded) return false;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
        int32_t sum = bias ? bias[oc] : 0;
        for (int32_t ic = 0; ic < p->in_c; ic++)
            sum = cfub_wrap_add(sum, filter[oc * p->in_c + ic] * p->input_offset);
        folded[oc] = sum;
    }
    *state = folded;
    return true;
}

static void conv1x1_eval(const cfub_layer *l, void *state) {
    const cfub_conv_params *p = l->params;
    const int8_t *input = l->in[0], *filter = l->in[1];
    int8_t *output = l->out;
    const int32_t *folded = state;
    const int32_t pixels = p->batches * p->in_h * p->in_w;
    for (int32_t px = 0; px < pixels; px++) {
        const int8_t *in = input + px * p->in_c;
        for (int32_t oc = 0; oc < p->out_c; oc++) {
            const int8_t *f = filter + oc * p->in_c;
            int32_t acc = 0;
            for (int32_t ic = 0; ic < p->in_c; ic++) acc += f[ic] * in[ic];
            acc = cfub_mbqm(cfub_wrap_add(acc, folded[oc]), p->out_mult[oc], p->out_shift[oc]);
            output[px * p->out_c + oc] = (int8_t)cfub_clamp(acc + p->output_offset, p->act_min, p->act_max);
        }
    }
}

static bool dw3x3_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    const cfub_dw_params *p = l->params;
    (void)alloc;
    (void)state;
    return p->k_h == 3 && p->k_w == 3;
}

static void dw3x3_eval(const cfub_layer *l, void *state) {
    (void)state;
    cfub_ref_depthwise(l->params, l->in[0], l->in[1], l->in[2], l->out);
}

static bool fc_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    const cfub_fc_params *p = l->params;
    (void)alloc;
    (void)state;
    return !p->per_channel;
}

static void fc_eval(const cfub_layer *l, void *state) {
    const cfub_fc_params *p = l->params;
    const int8_t *input = l->in[0], *filter = l->in[1];
    const int32_t *bias = l->in[2];
    int8_t *output = l->out;
    (void)state;
    for (int32_t b = 0; b < p->batches; b++)
        for (int32_t oc = 0; oc < p->out_c; oc++) {
            int32_t acc = bias ? bias[oc] : 0;
            for (int32_t i = 0; i < p->accum_depth; i++)
                acc += (filter[oc * p->accum_depth + i] + p->filter_offset) *
                       (input[b * p->accum_depth + i] + p->input_offset);
            acc = cfub_mbqm(acc, p->out_mult[0], p->out_shift[0]) + p->output_offset;
            output[b * p->out_c + oc] = (int8_t)cfub_clamp(acc, p->act_min, p->act_max);
        }
}

/* ADD taken over, then declined for broadcasting: the reference runs those. */
static bool add_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    (void)alloc;
    (void)state;
    return !((const cfub_add_params *)l->params)->broadcast;
}

static void add_eval(const cfub_layer *l, void *state) {
    (void)state;
    cfub_ref_add(l->params, l->in[0], l->in[1], l->out);
}

static const cfub_kernel conv1x1 = {CFUB_OP_CONV_2D, "test_conv1x1", conv1x1_prepare, conv1x1_eval};
static const cfub_kernel dw3x3 = {CFUB_OP_DEPTHWISE_CONV_2D, "test_dw3x3", dw3x3_prepare, dw3x3_eval};
static const cfub_kernel fc = {CFUB_OP_FULLY_CONNECTED, "test_fc", fc_prepare, fc_eval};
static const cfub_kernel add = {CFUB_OP_ADD, "test_add", add_prepare, add_eval};

const cfub_kernel *const cfub_accel[] = {&conv1x1, &dw3x3, &fc, &add, NULL};
