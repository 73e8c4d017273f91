/* FULLY_CONNECTED on mac8 (`mac8_fc`). */
#include "mac8_stream.h"

/* A fully connected layer is a 1x1 convolution of one pixel: a block of LANES output rows is
 * fetched into the lane buffers by the CFU itself (W_FETCH: the weights, used once each, never
 * pass through the CPU or its D-cache), then the input vector streams through MAC CONV,
 * 32 MACs per word. */

static bool fc_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    if (l->type != CFUB_TYPE_INT8) return false; /* int8 datapath only */
    const cfub_fc_params *p = l->params;
    const mac8_data data = mac8_layer_data(l), *d = &data;
    (void)alloc;
    if (!mac8_cfu_matches()) return false;
    if (p->int16x8) return false; /* int8 datapath only */
    const int32_t step = p->per_channel ? 1 : 0;
    if (p->filter_offset != 0 || p->accum_depth % 4 != 0 || p->accum_depth / 4 > DEPTH) return false;
    if (!aligned4(d->input)) return false;
    if (!quantization_fits(p->input_offset, p->output_offset, p->act_min, p->act_max,
                           p->out_shift, p->out_c, step))
        return false;
    *state = NULL;
    return true;
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
        int8_t *out = d->output + batch * out_c;
        for (int32_t first = 0; first < out_c; first += LANES) {
            /* More channels than the parameter table holds: refill it as the blocks advance. */
            if (first % MAC8_CHANNELS == 0 && (batch == 0 || out_c > MAC8_CHANNELS))
                load_params(d->bias, p->out_mult, p->out_shift, first, min32(MAC8_CHANNELS, out_c - first), step);
            const int32_t block = (first / LANES) % (MAC8_CHANNELS / LANES);
            const int32_t rows = min32(LANES, out_c - first);
            load_rows(filter + first * depth, words, rows, 0);   /* lanes past rows: never stored */
            mac8_op(MAC8_SETPTR, 0, 0, block);
            stream_conv(x, words);
            q = commit(q, out + first, rows);
        }
    }
    flush(q);
}

const cfub_kernel mac8_fc = {CFUB_OP_FULLY_CONNECTED, "mac8_fc", fc_prepare, fc_eval};
