/* The resolver: which ops the runtime runs (each in ops/<op>.c), and which kernel runs each
 * layer: after planning, when every data pointer is final, the layer is offered to the CFU
 * kernels of cfub_accel[] registered for its op, in order; the first whose prepare() accepts
 * it runs it, and layers nobody accepts run the op's reference kernel. */
#include "internal.h"

/* one op per line, sorted, so that adding an op touches one line */
static const cfub_opdef *const kOps[] = {
    &cfub_op_add,
    &cfub_op_average_pool,
    &cfub_op_conv,
    &cfub_op_depthwise,
    &cfub_op_dequantize,
    &cfub_op_fully_connected,
    &cfub_op_hard_swish,
    &cfub_op_l2norm,
    &cfub_op_leaky_relu,
    &cfub_op_logistic,
    &cfub_op_max_pool,
    &cfub_op_maximum,
    &cfub_op_mean,
    &cfub_op_minimum,
    &cfub_op_mul,
    &cfub_op_prelu,
    &cfub_op_quantize,
    &cfub_op_reduce_max,
    &cfub_op_relu,
    &cfub_op_relu6,
    &cfub_op_reshape,
    &cfub_op_softmax,
    &cfub_op_sub,
    &cfub_op_sum,
    &cfub_op_tanh,
};

const cfub_opdef *cfub_find_op(int32_t builtin) {
    for (size_t i = 0; i < sizeof kOps / sizeof kOps[0]; i++)
        if (kOps[i]->builtin == builtin) return kOps[i];
    return NULL;
}

int cfub_bind_kernel(cfub_interp *ip, cfub_node *n) {
    cfub_layer *l = &n->layer;
    l->op = n->builtin;
    for (int k = 0; k < CFUB_MAX_OP_INPUTS; k++)
        l->in[k] = (k < n->n_in && n->in[k] >= 0) ? ip->tensors[n->in[k]].data : NULL;
    l->out = ip->tensors[n->out].data;
    l->type = ip->tensors[n->out].type;
    if (ip->opts.disable_accel) return CFUB_OK;
    for (int i = 0; cfub_accel[i]; i++) {
        const cfub_kernel *k = cfub_accel[i];
        if (k->op != n->builtin) continue;
        void *state = NULL;
        if (!k->prepare || k->prepare(l, ip, &state)) {
            n->accel = k;
            n->accel_state = state;
            n->kernel = k->name;
            break;
        }
    }
    return CFUB_OK;
}

int cfub_eval_node(cfub_interp *ip, cfub_node *n) {
    if (n->accel) {
        n->accel->eval(&n->layer, n->accel_state);
        return CFUB_OK;
    }
    return n->def->eval(ip, n);
}
