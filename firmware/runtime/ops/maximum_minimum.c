/* MAXIMUM and MINIMUM int8 and int16: TFLM compares the raw values (no requantization, no
 * quantization checks) with broadcasting over up to 5 dimensions. */
#include "math_ops.h"

typedef struct {
    cfub_minmax_params p;
} minmax_state;

static int prepare_minmax(cfub_interp *ip, cfub_node *n, int is_max) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *a = cfub_op_input(ip, n, 0), *b = cfub_op_input(ip, n, 1), *out = &ip->tensors[n->out];
    if (out->type != TFL_INT8 && out->type != TFL_INT16) return cfub_fail_type(ip, n, "output", 0, out->type);
    if ((rc = cfub_need_type(ip, n, "input", 0, a, out->type)) || (rc = cfub_need_type(ip, n, "input", 1, b, out->type)))
        return rc;
    minmax_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    s->p.width = cfub_width(out);
    s->p.is_max = is_max;
    if ((rc = cfub_op_broadcast(ip, n, a, b, out, 5, &s->p.bc))) return rc;
    n->macs = (uint64_t)s->p.bc.size;
    n->state = s;
    n->layer.params = &s->p;
    return CFUB_OK;
}

static int prepare_maximum(cfub_interp *ip, cfub_node *n) { return prepare_minmax(ip, n, 1); }
static int prepare_minimum(cfub_interp *ip, cfub_node *n) { return prepare_minmax(ip, n, 0); }

static int eval_minmax(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const cfub_layer *l = &n->layer;
    cfub_ref_minmax(l->params, l->in[0], l->in[1], l->out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_maximum = {CFUB_OP_MAXIMUM, prepare_maximum, eval_minmax};
const cfub_opdef cfub_op_minimum = {CFUB_OP_MINIMUM, prepare_minimum, eval_minmax};
