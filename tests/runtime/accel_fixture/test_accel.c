/* A stand-in CFU design's kernels, exercising the acceleration hook on the host: a 1x1
 * convolution that folds the input offset into per-channel constants at prepare time (the
 * usual trick of accelerated kernels), a 3x3 depthwise that defers to the reference, and a
 * per-tensor fully connected with its own loop. All must stay bit-exact. */
#include "cfub_accel.h"

static bool conv1x1_prepare(const cfub_conv_params *p, const cfub_layer_data *d, cfub_alloc *alloc,
                            void **state) {
    if (p->k_h != 1 || p->k_w != 1 || p->stride_h != 1 || p->stride_w != 1 || p->pad_h || p->pad_w ||
        p->filter_in_c != p->in_c)
        return false;
    int32_t *folded = cfub_alloc_persistent(alloc, (size_t)p->out_c * sizeof(int32_t));
    if (!folded) return false;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
        int32_t sum = d->bias ? d->bias[oc] : 0;
        for (int32_t ic = 0; ic < p->in_c; ic++)
            sum = cfub_wrap_add(sum, d->filter[oc * p->in_c + ic] * p->input_offset);
        folded[oc] = sum;
    }
    *state = folded;
    return true;
}

static void conv1x1_eval(const cfub_conv_params *p, const cfub_layer_data *d, void *state) {
    const int32_t *folded = state;
    const int32_t pixels = p->batches * p->in_h * p->in_w;
    for (int32_t px = 0; px < pixels; px++) {
        const int8_t *in = d->input + px * p->in_c;
        for (int32_t oc = 0; oc < p->out_c; oc++) {
            const int8_t *f = d->filter + oc * p->in_c;
            int32_t acc = 0;
            for (int32_t ic = 0; ic < p->in_c; ic++) acc += f[ic] * in[ic];
            acc = cfub_mbqm(cfub_wrap_add(acc, folded[oc]), p->out_mult[oc], p->out_shift[oc]);
            d->output[px * p->out_c + oc] = (int8_t)cfub_clamp(acc + p->output_offset, p->act_min, p->act_max);
        }
    }
}

static bool dw3x3_prepare(const cfub_dw_params *p, const cfub_layer_data *d, cfub_alloc *alloc, void **state) {
    (void)d;
    (void)alloc;
    (void)state;
    return p->k_h == 3 && p->k_w == 3;
}

static void dw3x3_eval(const cfub_dw_params *p, const cfub_layer_data *d, void *state) {
    (void)state;
    cfub_ref_depthwise(p, d->input, d->filter, d->bias, d->output);
}

static bool fc_prepare(const cfub_fc_params *p, const cfub_layer_data *d, cfub_alloc *alloc, void **state) {
    (void)d;
    (void)alloc;
    (void)state;
    return !p->per_channel;
}

static void fc_eval(const cfub_fc_params *p, const cfub_layer_data *d, void *state) {
    (void)state;
    for (int32_t b = 0; b < p->batches; b++)
        for (int32_t oc = 0; oc < p->out_c; oc++) {
            int32_t acc = d->bias ? d->bias[oc] : 0;
            for (int32_t i = 0; i < p->accum_depth; i++)
                acc += (d->filter[oc * p->accum_depth + i] + p->filter_offset) *
                       (d->input[b * p->accum_depth + i] + p->input_offset);
            acc = cfub_mbqm(acc, p->out_mult[0], p->out_shift[0]) + p->output_offset;
            d->output[b * p->out_c + oc] = (int8_t)cfub_clamp(acc, p->act_min, p->act_max);
        }
}

static const cfub_conv_kernel conv1x1 = {"test_conv1x1", conv1x1_prepare, conv1x1_eval};
static const cfub_dw_kernel dw3x3 = {"test_dw3x3", dw3x3_prepare, dw3x3_eval};
static const cfub_fc_kernel fc = {"test_fc", fc_prepare, fc_eval};

const cfub_conv_kernel *const cfub_accel_conv[] = {&conv1x1, NULL};
const cfub_dw_kernel *const cfub_accel_depthwise[] = {&dw3x3, NULL};
const cfub_fc_kernel *const cfub_accel_fc[] = {&fc, NULL};
