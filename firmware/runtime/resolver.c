/* The resolver: which ops the runtime runs (each in ops/<op>.c), and which kernel runs each
 * layer: after planning, when every data pointer is final, the layer is offered to the CFU
 * kernels of cfub_accel[] registered for its op, in order; the first whose prepare() accepts
 * it runs it, and layers nobody accepts run the op's reference kernel. */
#include "internal.h"

/* one op per line, sorted, so that adding an op touches one line */
static const cfub_opdef *const kOps[] = {
    &cfub_op_add,
    &cfub_op_assign_variable,
    &cfub_op_average_pool,
    &cfub_op_batch_matmul,
    &cfub_op_call_once,
    &cfub_op_cast,
    &cfub_op_concatenation,
    &cfub_op_conv,
    &cfub_op_depth_to_space,
    &cfub_op_depthwise,
    &cfub_op_dequantize,
    &cfub_op_expand_dims,
    &cfub_op_fully_connected,
    &cfub_op_gather,
    &cfub_op_hard_swish,
    &cfub_op_if,
    &cfub_op_l2norm,
    &cfub_op_leaky_relu,
    &cfub_op_logistic,
    &cfub_op_max_pool,
    &cfub_op_maximum,
    &cfub_op_mean,
    &cfub_op_minimum,
    &cfub_op_mul,
    &cfub_op_pack,
    &cfub_op_pad,
    &cfub_op_padv2,
    &cfub_op_prelu,
    &cfub_op_quantize,
    &cfub_op_read_variable,
    &cfub_op_reduce_max,
    &cfub_op_relu,
    &cfub_op_relu6,
    &cfub_op_reshape,
    &cfub_op_resize_bilinear,
    &cfub_op_resize_nearest_neighbor,
    &cfub_op_slice,
    &cfub_op_softmax,
    &cfub_op_space_to_depth,
    &cfub_op_split,
    &cfub_op_split_v,
    &cfub_op_squeeze,
    &cfub_op_strided_slice,
    &cfub_op_sub,
    &cfub_op_sum,
    &cfub_op_svdf,
    &cfub_op_tanh,
    &cfub_op_transpose,
    &cfub_op_transpose_conv,
    &cfub_op_unidirectional_sequence_lstm,
    &cfub_op_unpack,
    &cfub_op_var_handle,
};

const cfub_opdef *cfub_find_op(int32_t builtin) {
    for (size_t i = 0; i < sizeof kOps / sizeof kOps[0]; i++)
        if (kOps[i]->builtin == builtin) return kOps[i];
    return NULL;
}

int cfub_bind_kernel(cfub_interp *ip, cfub_node *n) {
    cfub_layer *l = &n->layer;
    l->op = n->builtin;
    const int32_t in_slots = n->n_in > CFUB_MAX_OP_INPUTS ? n->n_in : CFUB_MAX_OP_INPUTS;
    /* the input and output pointers in one allocation */
    void **ptrs = cfub_persistent(ip, (size_t)(in_slots + (n->n_out ? n->n_out : 1)) * sizeof(void *));
    if (!ptrs) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the model's tables");
    const void **in = (const void **)ptrs;
    void **outs = ptrs + in_slots;
    for (int32_t k = 0; k < in_slots; k++)
        in[k] = (k < n->n_in && n->in[k] >= 0) ? ip->tensors[n->in[k]].data : NULL;
    for (int32_t k = 0; k < n->n_out; k++) outs[k] = ip->tensors[n->outs[k]].data;
    l->in = in;
    l->n_in = n->n_in;
    l->out = n->n_out ? outs[0] : NULL;
    l->outs = outs;
    l->n_out = n->n_out;
    l->type = n->n_out ? ip->tensors[n->outs[0]].type : -1;
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
