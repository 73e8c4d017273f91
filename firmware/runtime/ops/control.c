/* Control ops of streaming models: CALL_ONCE runs an initialisation subgraph on the first
 * invoke; IF runs one of two subgraphs on copies of its inputs; VAR_HANDLE, READ_VARIABLE and ASSIGN_VARIABLE keep resource variables (a tf.Variable
 * converted with resource variables on) across invokes, as TFLM's MicroResourceVariables. */
#include "../op_common.h"

typedef struct {
    int32_t subgraph;
    bool done;
} call_once_state;

static int prepare_call_once(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 0, 0);
    if (!rc) rc = cfub_need_outputs(ip, n, 0, 0);
    if (rc) return rc;
    const fb_table *o = cfub_op_options(ip, n, OPT_CALL_ONCE);
    const int32_t k = o ? fb_i32(&ip->fb, o, 0, 0) : 0;
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (k <= 0 || k >= ip->n_subgraphs || k == ip->current)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "init subgraph index out of range:", k);
    const cfub_subgraph *g = &ip->subgraphs[k];
    if (g->n_inputs || g->n_outputs)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "init subgraph has inputs or outputs");
    call_once_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    s->subgraph = k;
    n->state = s;
    return CFUB_OK;
}

static int eval_call_once(cfub_interp *ip, cfub_node *n) {
    call_once_state *s = n->state;
    if (s->done) return CFUB_OK;
    s->done = true; /* first, so that a subgraph calling back cannot recurse */
    return cfub_run_subgraph(ip, s->subgraph);
}

void cfub_control_reset(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    if (n->builtin == OP_CALL_ONCE && n->def && n->state) ((call_once_state *)n->state)->done = false;
}

/* ---- IF ------------------------------------------------------------------------------------ */

typedef struct {
    int32_t then_subgraph, else_subgraph;
} if_state;

/* caller tensors a[0..count) and tensors b[0..count) of subgraph k must have the same type and
 * bytes: the copies between them are then exact (TFLM checks this at eval time) */
static int same_tensors(cfub_interp *ip, cfub_node *n, const int32_t *a, int32_t k, const int32_t *b, int32_t count) {
    for (int32_t i = 0; i < count; i++) {
        if (a[i] < 0) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "omitted input passed to a subgraph");
        const cfub_tensor *x = &ip->tensors[a[i]], *y = &ip->subgraphs[k].tensors[b[i]];
        if (x->type != y->type || x->bytes != y->bytes)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "tensor differs in type or size from subgraph", k);
    }
    return CFUB_OK;
}

static void copy_into_subgraph(cfub_interp *ip, const int32_t *from, int32_t k, const int32_t *to, int32_t count) {
    for (int32_t i = 0; i < count; i++)
        memcpy(ip->subgraphs[k].tensors[to[i]].data, ip->tensors[from[i]].data, ip->tensors[from[i]].bytes);
}

static void copy_from_subgraph(cfub_interp *ip, int32_t k, const int32_t *from, const int32_t *to, int32_t count) {
    for (int32_t i = 0; i < count; i++)
        memcpy(ip->tensors[to[i]].data, ip->subgraphs[k].tensors[from[i]].data, ip->tensors[to[i]].bytes);
}

static int prepare_if(cfub_interp *ip, cfub_node *n) {
    if (n->n_in < 1) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "no condition input");
    const cfub_tensor *cond = cfub_op_input(ip, n, 0);
    if (!cond) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "no condition input");
    int rc = cfub_need_type(ip, n, "input", 0, cond, TFL_BOOL);
    if (rc) return rc;
    if (cfub_elements(cond) != 1) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "condition is not one element");
    const fb_table *o = cfub_op_options(ip, n, OPT_IF);
    if_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    s->then_subgraph = o ? fb_i32(&ip->fb, o, 0, 0) : 0;
    s->else_subgraph = o ? fb_i32(&ip->fb, o, 1, 0) : 0;
    if (ip->fb.err) return cfub_fail_fb(ip);
    /* both branches checked (TFLM checks the then branch at prepare, the taken one at eval) */
    const int32_t branches[2] = {s->then_subgraph, s->else_subgraph};
    for (int b = 0; b < 2; b++) {
        const int32_t k = branches[b];
        if (k <= 0 || k >= ip->n_subgraphs || k == ip->current)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "branch subgraph index out of range:", k);
        const cfub_subgraph *g = &ip->subgraphs[k];
        if (g->n_inputs != n->n_in - 1 || g->n_outputs != n->n_out)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "inputs or outputs differ from those of subgraph", k);
        if ((rc = same_tensors(ip, n, n->in + 1, k, g->inputs, g->n_inputs)) ||
            (rc = same_tensors(ip, n, n->outs, k, g->outputs, g->n_outputs)))
            return rc;
    }
    n->state = s;
    return CFUB_OK;
}

static int eval_if(cfub_interp *ip, cfub_node *n) {
    const if_state *s = n->state;
    const int32_t k = ip->tensors[n->in[0]].data[0] ? s->then_subgraph : s->else_subgraph;
    const cfub_subgraph *g = &ip->subgraphs[k];
    /* each subgraph's activations have their own part of the arena: plain copies are safe */
    copy_into_subgraph(ip, n->in + 1, k, g->inputs, g->n_inputs);
    const int rc = cfub_run_subgraph(ip, k);
    if (rc) return rc;
    copy_from_subgraph(ip, k, g->outputs, n->outs, g->n_outputs);
    return CFUB_OK;
}

/* ---- resource variables ------------------------------------------------------------------- */

typedef struct {
    int32_t id;
} var_state;

static int prepare_var_handle(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 0, 0);
    if (rc) return rc;
    const cfub_tensor *out = &ip->tensors[n->out];
    if ((rc = cfub_need_type(ip, n, "output", 0, out, TFL_RESOURCE))) return rc;
    const fb_table *o = cfub_op_options(ip, n, OPT_VAR_HANDLE);
    fb_vec container = {0, 0}, name = {0, 0};
    if (o) {
        fb_vector(&ip->fb, o, 0, 1, &container);
        fb_vector(&ip->fb, o, 1, 1, &name);
    }
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (!o || !fb_has(&ip->fb, o, 1)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "variable has no shared_name");
    var_state *s = cfub_op_state(ip, sizeof *s);
    if (!s) return CFUB_ERR_ARENA;
    s->id = cfub_resource_id(ip, &container, &name);
    if (s->id < 0) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "too many resource variables");
    n->state = s;
    return CFUB_OK;
}

static int eval_var_handle(cfub_interp *ip, cfub_node *n) {
    const var_state *s = n->state;
    memcpy(ip->tensors[n->out].data, &s->id, sizeof s->id);
    return CFUB_OK;
}

/* The variable a resource input names: fixed at prepare time, since the handle must come from
 * a VAR_HANDLE of the same subgraph (as the converter writes them). */
static cfub_resource *resource_of(cfub_interp *ip, cfub_node *n, int k) {
    const cfub_tensor *h = cfub_op_input(ip, n, k);
    if (!h || h->type != TFL_RESOURCE) {
        cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input 0 is not a resource handle");
        return NULL;
    }
    if (h->producer < 0 || ip->nodes[h->producer].builtin != OP_VAR_HANDLE || !ip->nodes[h->producer].state) {
        cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "resource handle not from a VAR_HANDLE of this subgraph");
        return NULL;
    }
    return &ip->resources[((const var_state *)ip->nodes[h->producer].state)->id];
}

static int prepare_assign_variable(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 2, 2);
    if (!rc) rc = cfub_need_outputs(ip, n, 0, 0);
    if (rc) return rc;
    cfub_resource *v = resource_of(ip, n, 0);
    if (!v) return ip->st->code;
    const cfub_tensor *value = cfub_op_input(ip, n, 1);
    if (!cfub_type_size(value->type) || value->type == TFL_RESOURCE) return cfub_fail_type(ip, n, "input", 1, value->type);
    if (!v->buf) {
        /* MicroResourceVariables::Allocate: sized by the first value, filled with its int8
         * zero point */
        v->bytes = value->bytes;
        v->default_value = value->has_quant ? (uint8_t)(int8_t)value->zero_point : 0;
        v->buf = cfub_alloc_persistent(ip, v->bytes ? v->bytes : 1);
        if (!v->buf) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for a resource variable");
        memset(v->buf, v->default_value, v->bytes);
    } else if (v->bytes != value->bytes) {
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "value size differs from the variable's:", value->bytes);
    }
    n->state = v;
    return CFUB_OK;
}

static int eval_assign_variable(cfub_interp *ip, cfub_node *n) {
    cfub_resource *v = n->state;
    memcpy(v->buf, ip->tensors[n->in[1]].data, v->bytes);
    return CFUB_OK;
}

static int prepare_read_variable(cfub_interp *ip, cfub_node *n) {
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    cfub_resource *v = resource_of(ip, n, 0);
    if (!v) return ip->st->code;
    if (ip->tensors[n->out].type == TFL_RESOURCE) return cfub_fail_type(ip, n, "output", 0, TFL_RESOURCE);
    n->state = v;
    return CFUB_OK;
}

static int eval_read_variable(cfub_interp *ip, cfub_node *n) {
    const cfub_resource *v = n->state;
    const cfub_tensor *out = &ip->tensors[n->out];
    /* TFLM only DCHECKs these: a read before any assignment or of another size is an error */
    if (!v->buf || v->bytes != out->bytes)
        return cfub_fail_op(ip, CFUB_ERR_EVAL, n, "reads a variable never assigned or of another size");
    memcpy(out->data, v->buf, v->bytes);
    return CFUB_OK;
}

const cfub_opdef cfub_op_if = {OP_IF, prepare_if, eval_if};
const cfub_opdef cfub_op_call_once = {OP_CALL_ONCE, prepare_call_once, eval_call_once};
const cfub_opdef cfub_op_var_handle = {OP_VAR_HANDLE, prepare_var_handle, eval_var_handle};
const cfub_opdef cfub_op_read_variable = {OP_READ_VARIABLE, prepare_read_variable, eval_read_variable};
const cfub_opdef cfub_op_assign_variable = {OP_ASSIGN_VARIABLE, prepare_assign_variable, eval_assign_variable};
