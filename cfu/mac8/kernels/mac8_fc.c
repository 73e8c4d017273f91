/* FULLY_CONNECTED on mac8 (`mac8_fc`). */
#include "mac8_stream.h"

/* The input vector goes to lane 0's buffer; weights stream two output channels at a time
 * (lanes 2p and 2p+1), LANES / 2 pairs making a block of LANES outputs per commit. */

static bool fc_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    const cfub_fc_params *p = l->params;
    const mac8_data data = mac8_layer_data(l), *d = &data;
    (void)alloc;
    if (!mac8_cfu_matches()) return false;
    const int32_t step = p->per_channel ? 1 : 0;
    if (p->filter_offset != 0 || p->accum_depth % 4 != 0 || p->accum_depth / 4 > DEPTH) return false;
    if (!aligned4(d->input)) return false;
    if (!quantization_fits(p->input_offset, p->output_offset, p->act_min, p->act_max,
                           p->out_shift, p->out_c, step))
        return false;
    *state = NULL;
    return true;
}

#if defined(__riscv) && !defined(MAC8_EMULATED)
/* Eight words (a cache line) of each row per step, loaded first and then fed to MAC FC
 * (funct7 2) two instructions later, so no MAC waits for a load. steps >= 1. */
static inline __attribute__((always_inline)) void stream_fc_pairs8(const uint32_t *e, const uint32_t *o,
                                                                   int32_t steps) {
    __asm__ volatile(
        "1:\n"
        "  lw t0, 0(%[e])\n  lw t1, 0(%[o])\n  lw t2, 4(%[e])\n  lw t3, 4(%[o])\n"
        "  lw t4, 8(%[e])\n  lw t5, 8(%[o])\n  lw t6, 12(%[e])\n  lw a7, 12(%[o])\n"
        "  lw s2, 16(%[e])\n  lw s3, 16(%[o])\n  lw s4, 20(%[e])\n  lw s5, 20(%[o])\n"
        "  lw s6, 24(%[e])\n  lw s7, 24(%[o])\n  lw s8, 28(%[e])\n  lw s9, 28(%[o])\n"
        "  addi %[e], %[e], 32\n  addi %[o], %[o], 32\n"
        "  .insn r 0x0B, 0, 2, x0, t0, t1\n  .insn r 0x0B, 0, 2, x0, t2, t3\n"
        "  .insn r 0x0B, 0, 2, x0, t4, t5\n  .insn r 0x0B, 0, 2, x0, t6, a7\n"
        "  .insn r 0x0B, 0, 2, x0, s2, s3\n  .insn r 0x0B, 0, 2, x0, s4, s5\n"
        "  .insn r 0x0B, 0, 2, x0, s6, s7\n  .insn r 0x0B, 0, 2, x0, s8, s9\n"
        "  addi %[steps], %[steps], -1\n  bnez %[steps], 1b\n"
        : [e] "+r"(e), [o] "+r"(o), [steps] "+r"(steps)
        :
        : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
          "memory");
}
#else
static inline void stream_fc_pairs8(const uint32_t *e, const uint32_t *o, int32_t steps) {
    for (int32_t i = 0; i < 8 * steps; i++) mac8_op(MAC8_MAC, MAC8_FC, e[i], o[i]);
}
#endif

static void stream_fc(const int8_t *even, const int8_t *odd, int32_t words) {
    if (aligned4(even) && (odd == NULL || aligned4(odd))) {
        const uint32_t *e = (const uint32_t *)even, *o = (const uint32_t *)odd;
        if (o) {
            int32_t i = 8 * (words / 8);
            if (i) stream_fc_pairs8(e, o, words / 8);
            for (; i < words; i++) mac8_op(MAC8_MAC, MAC8_FC, e[i], o[i]);
        } else {
            for (int32_t i = 0; i < words; i++) mac8_op(MAC8_MAC, MAC8_FC, e[i], 0);
        }
        return;
    }
    for (int32_t i = 0; i < words; i++)
        mac8_op(MAC8_MAC, MAC8_FC, load_word(even + 4 * i), odd ? load_word(odd + 4 * i) : 0);
}

static void fc_eval(const cfub_layer *l, void *state) {
    const cfub_fc_params *p = l->params;
    const mac8_data data = mac8_layer_data(l), *d = &data;
    (void)state;
    const int32_t depth = p->accum_depth, words = depth / 4, out_c = p->out_c, batches = p->batches;
    const int32_t step = p->per_channel ? 1 : 0;
    const int8_t *const filter = d->filter;
    setup_layer(p->input_offset, p->output_offset, p->act_min, p->act_max);
    output_queue q = new_queue();
    for (int32_t batch = 0; batch < batches; batch++) {
        const uint32_t *x = (const uint32_t *)(d->input + batch * depth);
        mac8_op(MAC8_WLOAD, MAC8_W_SETUP, 0, words);
        stream_weights(x, words);
        int8_t *out = d->output + batch * out_c;
        for (int32_t first = 0; first < out_c; first += LANES) {
            /* More channels than the parameter table holds: refill it as the blocks advance. */
            if (first % MAC8_CHANNELS == 0 && (batch == 0 || out_c > MAC8_CHANNELS))
                load_params(d->bias, p->out_mult, p->out_shift, first, min32(MAC8_CHANNELS, out_c - first), step);
            const int32_t block = (first / LANES) % (MAC8_CHANNELS / LANES);
            for (int32_t pair = 0; pair < LANES / 2 && first + 2 * pair < out_c; pair++) {
                const int32_t oc = first + 2 * pair;
                mac8_op(MAC8_SETPTR, 0, 0, block | (pair << 8));
                stream_fc(filter + oc * depth, oc + 1 < out_c ? filter + (oc + 1) * depth : NULL, words);
            }
            q = commit(q, out + first, min32(LANES, out_c - first));
        }
    }
    flush(q);
}

const cfub_kernel mac8_fc = {CFUB_OP_FULLY_CONNECTED, "mac8_fc", fc_prepare, fc_eval};
