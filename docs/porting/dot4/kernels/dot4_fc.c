/* FULLY_CONNECTED on the dot4 CFU, in the runtime's acceleration table: what a TFLM kernel
 * overlay (CFU Playground's src/tensorflow/lite/kernels/...) becomes in cfu-bench.
 *
 * The CFU multiplies raw int8 bytes; TFLite adds the input offset to every activation. So
 *   sum_i (x_i + offset) * w_i  =  sum_i x_i * w_i  +  offset * sum_i w_i
 * and the second term, with the bias, is one constant per output channel: prepare() folds
 * it once into memory from the arena, and eval() starts each channel's accumulator there.
 * Requantization is the reference's own (cfub_mbqm), so the bytes are TFLM's. Layers it
 * cannot do exactly (a weight zero point, depths that are not whole words) are declined. */
#include "cfub_accel.h"
#include "cfub_string.h"
#include "dot4_emu.h"

#if defined(__riscv)
#include "cfu.h"
#define dot4(a, b) ((int32_t)cfu_op(dot4_dot, 0, a, b))
#else
static dot4_emu_state dot4_emulated;
#define dot4(a, b) ((int32_t)dot4_emu_op(&dot4_emulated, dot4_dot, 0, (uint32_t)(a), (uint32_t)(b)))
#endif

static uint32_t dot4_word(const int8_t *p) {
    uint32_t w;
    memcpy(&w, p, 4);   /* weights in a model need not be word aligned */
    return w;
}

static bool dot4_fc_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    const cfub_fc_params *p = l->params;
    if (p->filter_offset != 0 || p->accum_depth % 4 != 0 || ((uintptr_t)l->in[0] & 3) != 0)
        return false;
    int32_t *fold = cfub_alloc_persistent(alloc, (size_t)p->out_c * sizeof(int32_t));
    if (!fold)
        return false;
    const int8_t *filter = l->in[1];
    const int32_t *bias = l->in[2];
    for (int32_t oc = 0; oc < p->out_c; oc++) {
        uint32_t wsum = 0;   /* unsigned: wraps like the int32 accumulator of the reference */
        for (int32_t i = 0; i < p->accum_depth; i++)
            wsum += (uint32_t)(int32_t)filter[oc * p->accum_depth + i];
        fold[oc] = (int32_t)((uint32_t)(bias ? bias[oc] : 0) + (uint32_t)p->input_offset * wsum);
    }
    *state = fold;
    return true;
}

static void dot4_fc_eval(const cfub_layer *l, void *state) {
    const cfub_fc_params *p = l->params;
    const int32_t *fold = state;
    const int8_t *const filter = l->in[1];
    int8_t *const output = l->out;
    const int32_t words = p->accum_depth / 4, step = p->per_channel ? 1 : 0;
    for (int32_t b = 0; b < p->batches; b++) {
        const uint32_t *x = (const uint32_t *)((const int8_t *)l->in[0] + b * p->accum_depth);
        for (int32_t oc = 0; oc < p->out_c; oc++) {
            const int8_t *w = filter + oc * p->accum_depth;
            uint32_t acc = (uint32_t)fold[oc];
            if (((uintptr_t)w & 3) == 0) {   /* the usual case: whole-word loads */
                const uint32_t *ww = (const uint32_t *)w;
                for (int32_t i = 0; i < words; i++) acc += (uint32_t)dot4(x[i], ww[i]);
            } else {
                for (int32_t i = 0; i < words; i++) acc += (uint32_t)dot4(x[i], dot4_word(w + 4 * i));
            }
            const int32_t v = cfub_mbqm((int32_t)acc, p->out_mult[oc * step], p->out_shift[oc * step]);
            output[b * p->out_c + oc] = (int8_t)cfub_clamp(v + p->output_offset, p->act_min, p->act_max);
        }
    }
}

static const cfub_kernel dot4_fc = {CFUB_OP_FULLY_CONNECTED, "dot4_fc", dot4_fc_prepare, dot4_fc_eval};

const cfub_kernel *const cfub_accel[] = {&dot4_fc, NULL};
