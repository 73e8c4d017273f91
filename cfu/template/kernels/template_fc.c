/* FULLY_CONNECTED on the template CFU (`template_fc`), through the runtime's acceleration
 * table (firmware/runtime/cfub_accel.h): a starting point for a design's own kernels.
 *
 * Per output channel, LOAD_ACC puts the bias in the accumulator and MAC4 adds four
 * (input + offset) x weight products per instruction; the CPU then requantizes with the same
 * cfub_mbqm the reference kernel uses. Layers the CFU cannot do exactly are declined (the
 * reference kernel runs them): a weight zero point (MAC4 offsets rs1 only), depths that are
 * not whole words, an input offset outside the 9-bit register. */
#include "cfub_accel.h"
#include "cfub_string.h"
#include "template_emu.h"

#if defined(__riscv)
#include "cfu.h"
#define template_op(funct3, funct7, a, b) cfu_op(funct3, funct7, a, b)
#else
/* off the target (host builds of the runtime) the kernel runs on the C model */
static template_emu_state template_emulated_cfu;
#define template_op(funct3, funct7, a, b) \
    template_emu_op(&template_emulated_cfu, funct3, funct7, (uint32_t)(a), (uint32_t)(b))
#endif

static bool template_fc_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    const cfub_fc_params *p = l->params;
    (void)alloc;
    *state = NULL;
    return !p->int16x8 && p->filter_offset == 0 && p->accum_depth % 4 == 0 && p->input_offset >= -256 &&
           p->input_offset <= 255 && ((uintptr_t)l->in[0] & 3) == 0;
}

static uint32_t template_word(const int8_t *p) {
    uint32_t w;
    memcpy(&w, p, 4);   /* weights in a model need not be word aligned */
    return w;
}

static void template_fc_eval(const cfub_layer *l, void *state) {
    const cfub_fc_params *p = l->params;
    const int8_t *const filter = l->in[1];
    const int32_t *const bias = l->in[2];
    int8_t *const output = l->out;
    const int32_t words = p->accum_depth / 4, step = p->per_channel ? 1 : 0;
    (void)state;
    template_op(template_set_offset, 0, p->input_offset, 0);
    for (int32_t b = 0; b < p->batches; b++) {
        const uint32_t *x = (const uint32_t *)((const int8_t *)l->in[0] + b * p->accum_depth);
        for (int32_t oc = 0; oc < p->out_c; oc++) {
            const int8_t *w = filter + oc * p->accum_depth;
            template_op(template_acc, template_acc_load, bias ? bias[oc] : 0, 0);
            uint32_t acc = 0;
            if (((uintptr_t)w & 3) == 0) {   /* the usual case: whole-word loads */
                const uint32_t *ww = (const uint32_t *)w;
                for (int32_t i = 0; i < words; i++) acc = template_op(template_acc, template_acc_add, x[i], ww[i]);
            } else {
                for (int32_t i = 0; i < words; i++)
                    acc = template_op(template_acc, template_acc_add, x[i], template_word(w + 4 * i));
            }
            const int32_t v = cfub_mbqm((int32_t)acc, p->out_mult[oc * step], p->out_shift[oc * step]);
            output[b * p->out_c + oc] = (int8_t)cfub_clamp(v + p->output_offset, p->act_min, p->act_max);
        }
    }
}

static const cfub_kernel template_fc = {CFUB_OP_FULLY_CONNECTED, "template_fc", template_fc_prepare,
                                        template_fc_eval};

const cfub_kernel *const cfub_accel[] = {&template_fc, NULL};
