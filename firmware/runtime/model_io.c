/* cfub_model_io(): the model's input and output tensors as the public API sees them. Kept in
 * its own file so the runtime's internals can move without touching the callers. */
#include "internal.h"

int cfub_model_io(const cfub_interp *ip, bool is_output, int k, cfub_io_tensor *out) {
    const int32_t n = is_output ? ip->n_outputs : ip->n_inputs;
    if (k < 0 || k >= n) return -1;
    const cfub_tensor *t = &ip->tensors[(is_output ? ip->outputs : ip->inputs)[k]];
    out->data = t->data;
    out->bytes = t->bytes;
    out->type = t->type;
    out->quantized = t->has_quant != 0;
    out->scale = t->scale;
    out->zero_point = t->zero_point;
    return 0;
}
