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

static void stream_fc(const int8_t *even, const int8_t *odd, int32_t words) {
    if (aligned4(even) && (odd == NULL || aligned4(odd))) {
        const uint32_t *e = (const uint32_t *)even, *o = (const uint32_t *)odd;
        if (o) {
            int32_t i = 0;
            for (; i + 2 <= words; i += 2) {
                const uint32_t e0 = e[i], o0 = o[i], e1 = e[i + 1], o1 = o[i + 1];
                LOADS_DONE4(e0, o0, e1, o1);
                mac8_op(MAC8_MAC, MAC8_FC, e0, o0);
                mac8_op(MAC8_MAC, MAC8_FC, e1, o1);
            }
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
        for (int32_t i = 0; i < words; i++) mac8_op(MAC8_WLOAD, MAC8_W_STREAM, x[i], 0);
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
