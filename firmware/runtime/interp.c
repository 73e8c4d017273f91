/* Load (parse, prepare, plan, bind kernels) and invoke with per-op profiling.
 *
 * Arena layout, low to high: planned activations [0, planned) ... free ... persistent data
 * [tail, end) growing down: the interpreter itself, tensor and node tables, op parameters
 * (per-channel multipliers and shifts), CFU kernel state. */
#include "../kernels/cfub_string.h"

#include "internal.h"
#include "names.h"

static void set_status(cfub_status *st, int code, const char *msg) {
    st->code = code;
    cfub_sb sb;
    cfub_sb_init(&sb, st->msg, sizeof st->msg);
    cfub_sb_str(&sb, msg);
}

/* ---- load ---------------------------------------------------------------------------------- */

/* Zero-size tensors are legal in a file (LSTM intermediates) but no kernel here handles one
 * as an input or output (shapes with a 0 would divide by zero in their prepare). */
static int zero_size_io(cfub_interp *ip, const cfub_node *n) {
    for (int32_t k = 0; k < n->n_in + n->n_out; k++) {
        const int32_t t = k < n->n_in ? n->in[k] : n->outs[k - n->n_in];
        if (t >= 0 && cfub_elements(&ip->tensors[t]) == 0)
            return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "zero-size tensor", t);
    }
    return CFUB_OK;
}

/* The builtins with several outputs or none, whose prepare checks n->n_out; every other op
 * has one (TFLM's kernels only ever write output 0, and the CRC covers them all). */
static bool several_outputs(int32_t builtin) {
    switch (builtin) {
    case 49:  /* SPLIT */
    case 88:  /* UNPACK */
    case 102: /* SPLIT_V */
    case OP_IF:
    case OP_WHILE:
    case OP_CALL_ONCE:
    case OP_ASSIGN_VARIABLE:
        return true;
    default:
        return false;
    }
}

/* The interpreter at the top of the arena, the model checked for alignment and size. */
static cfub_interp *start_load(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
                               const cfub_options *opts, cfub_status *st) {
    st->code = CFUB_OK;
    st->msg[0] = 0;
    const size_t adj = (size_t)((CFUB_ALIGN - ((uintptr_t)arena & (CFUB_ALIGN - 1))) & (CFUB_ALIGN - 1));
    if (!arena || arena_len < adj + sizeof(cfub_interp) + 2 * CFUB_ALIGN) {
        set_status(st, CFUB_ERR_ARENA, "arena too small");
        return NULL;
    }
    uint8_t *base = arena + adj;
    const size_t len = (arena_len - adj) & ~(size_t)(CFUB_ALIGN - 1);
    const size_t ip_off = (len - sizeof(cfub_interp)) & ~(size_t)(CFUB_ALIGN - 1);
    cfub_interp *ip = (cfub_interp *)(void *)(base + ip_off);
    memset(ip, 0, sizeof *ip);
    ip->arena = base;
    ip->arena_len = len;
    ip->tail = ip_off;
    ip->st = st;
    if (opts) ip->opts = *opts;

    if (!model || ((uintptr_t)model & 3u)) {
        cfub_fail(ip, CFUB_ERR_MALFORMED, "model buffer missing or not 4-byte aligned");
        return NULL;
    }
    if (model_len > 0x7fffffffu) {
        cfub_fail(ip, CFUB_ERR_MALFORMED, "model larger than 2 GiB");
        return NULL;
    }
    ip->model = model;
    ip->model_len = (uint32_t)model_len;
    fb_init(&ip->fb, model, model_len);
    return ip;
}

static int prepare_node(cfub_interp *ip, cfub_node *n) {
    if (n->n_out != 1 && !several_outputs(n->builtin))
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of outputs:", n->n_out);
    int rc = zero_size_io(ip, n);
    return rc ? rc : n->def->prepare(ip, n);
}

int cfub_survey(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
                cfub_survey_fn fn, void *ctx, cfub_status *st) {
    cfub_interp *ip = start_load(model, model_len, arena, arena_len, NULL, st);
    if (!ip) return st->code;
    ip->survey = true;
    if (cfub_parse_model(ip) || cfub_alloc_variables(ip)) return st->code;
    /* the other subgraphs first: a problem there stops the model as a whole */
    for (int32_t k = 1; k < ip->n_subgraphs; k++) {
        cfub_use_subgraph(ip, k);
        for (int32_t j = 0; j < ip->n_nodes; j++) {
            cfub_node *n = &ip->nodes[j];
            if (n->def ? prepare_node(ip, n) : cfub_unsupported_op(ip, j)) return st->code;
        }
    }
    cfub_use_subgraph(ip, 0);
    for (int32_t j = 0; j < ip->n_nodes; j++) {
        cfub_node *n = &ip->nodes[j];
        st->code = CFUB_OK;
        st->msg[0] = 0;
        const int rc = n->def ? prepare_node(ip, n) : cfub_unsupported_op(ip, j);
        fn(ctx, j, rc, st->msg);
    }
    st->code = CFUB_OK;
    st->msg[0] = 0;
    return CFUB_OK;
}

cfub_interp *cfub_load(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
                       const cfub_options *opts, cfub_status *st) {
    const uint64_t t0 = cfub_cycles();
    cfub_interp *ip = start_load(model, model_len, arena, arena_len, opts, st);
    if (!ip) return NULL;
    if (cfub_parse_model(ip) || cfub_alloc_variables(ip)) return NULL;
    /* TFLM prepares every subgraph, in order */
    for (int32_t k = 0; k < ip->n_subgraphs; k++) {
        cfub_use_subgraph(ip, k);
        for (int32_t j = 0; j < ip->n_nodes; j++) {
            cfub_node *n = &ip->nodes[j];
            if (prepare_node(ip, n)) return NULL;
            ip->total_macs += n->macs;
        }
    }
    cfub_use_subgraph(ip, 0);
    for (int32_t i = 0; i < ip->n_inputs; i++) {
        const cfub_tensor *t = &ip->tensors[ip->inputs[i]];
        if (!cfub_type_size(t->type) || t->type == TFL_RESOURCE) {
            char buf[CFUB_MSG_MAX];
            cfub_sb sb;
            cfub_sb_init(&sb, buf, sizeof buf);
            cfub_sb_str(&sb, "unsupported tensor type ");
            cfub_sb_str(&sb, cfub_type_name(t->type));
            cfub_sb_str(&sb, " for model input");
            cfub_fail(ip, CFUB_ERR_UNSUPPORTED, buf);
            return NULL;
        }
        ip->input_bytes += t->bytes;
    }
    if (ip->opts.max_macs && ip->total_macs > ip->opts.max_macs) {
        cfub_fail(ip, CFUB_ERR_LIMIT, "model exceeds the MAC limit");
        return NULL;
    }
    /* each subgraph's activations planned on their own, one after the other: a subgraph runs
     * inside an op of its caller, whose tensors stay live meanwhile */
    for (int32_t k = 0; k < ip->n_subgraphs; k++) {
        cfub_use_subgraph(ip, k);
        if (cfub_plan(ip)) return NULL;
        for (int32_t j = 0; j < ip->n_nodes; j++) {
            cfub_node *n = &ip->nodes[j];
            if (cfub_bind_kernel(ip, n)) return NULL;
        }
    }
    cfub_use_subgraph(ip, 0);
    cfub_reset(ip);
    ip->setup_cycles = cfub_cycles() - t0;
    return ip;
}

void cfub_reset(cfub_interp *ip) {
    const int32_t current = ip->current;
    for (int32_t k = 0; k < ip->n_subgraphs; k++) {
        const cfub_subgraph *g = &ip->subgraphs[k];
        /* TFLM's ResetVariableTensors: int8 state starts at its zero point, everything else at 0 */
        for (int32_t i = 0; i < g->n_tensors; i++) {
            cfub_tensor *t = &g->tensors[i];
            if (t->is_variable && t->bytes) memset(t->data, t->type == TFL_INT8 ? (uint8_t)t->zero_point : 0, t->bytes);
        }
        cfub_use_subgraph(ip, k);
        for (int32_t j = 0; j < g->n_nodes; j++) cfub_control_reset(ip, &g->nodes[j]);
    }
    cfub_use_subgraph(ip, current);
    /* resource variables as their first ASSIGN_VARIABLE's prepare left them */
    for (int32_t i = 0; i < ip->n_resources; i++) {
        const cfub_resource *v = &ip->resources[i];
        if (v->buf) memset(v->buf, v->default_value, v->bytes);
    }
}

int cfub_run_subgraph(cfub_interp *ip, int32_t k) {
    const int32_t caller = ip->current;
    if (ip->depth >= 8) return cfub_fail(ip, CFUB_ERR_EVAL, "subgraphs nested too deeply");
    ip->depth++;
    cfub_use_subgraph(ip, k);
    int rc = CFUB_OK;
    for (int32_t j = 0; j < ip->n_nodes && !rc; j++) rc = cfub_eval_node(ip, &ip->nodes[j]);
    cfub_use_subgraph(ip, caller);
    ip->depth--;
    return rc;
}

size_t cfub_input_bytes(const cfub_interp *ip) { return ip->input_bytes; }
size_t cfub_arena_used(const cfub_interp *ip) { return ip->planned + (ip->arena_len - ip->tail); }
size_t cfub_arena_planned(const cfub_interp *ip) { return ip->planned; }
int cfub_op_count(const cfub_interp *ip) { return ip->n_nodes; }
uint64_t cfub_setup_cycles(const cfub_interp *ip) { return ip->setup_cycles; }
const char *cfub_op_name_at(const cfub_interp *ip, int op) { return cfub_op_name(ip->nodes[op].builtin); }
const char *cfub_op_kernel(const cfub_interp *ip, int op) { return ip->nodes[op].kernel; }
uint64_t cfub_op_cycles(const cfub_interp *ip, int op) { return ip->nodes[op].cycles; }
uint32_t cfub_op_crc(const cfub_interp *ip, int op) { return ip->nodes[op].crc; }
uint64_t cfub_invoke_total(const cfub_interp *ip) { return ip->last_total; }

/* ---- invoke -------------------------------------------------------------------------------- */

int cfub_invoke(cfub_interp *ip, const uint8_t *input, size_t len, int input_index, cfub_status *st) {
    ip->st = st;
    st->code = CFUB_OK;
    st->msg[0] = 0;
    if (len != ip->input_bytes) return cfub_fail(ip, CFUB_ERR_INPUT, "input size does not match the model");
    size_t pos = 0;
    for (int32_t i = 0; i < ip->n_inputs; i++) {
        const cfub_tensor *t = &ip->tensors[ip->inputs[i]];
        memcpy(t->data, input + pos, t->bytes);
        pos += t->bytes;
    }
    uint64_t profiling = 0;
    const uint64_t start = cfub_cycles();
    for (int32_t j = 0; j < ip->n_nodes; j++) {
        cfub_node *n = &ip->nodes[j];
        const uint64_t t0 = cfub_cycles();
        const int rc = cfub_eval_node(ip, n);
        const uint64_t t1 = cfub_cycles();
        n->cycles = t1 - t0;
        if (rc) return rc;
        /* one CRC over all outputs, as if concatenated; the observer sees each in turn */
        uint32_t crc = 0;
        int observed = 0;
        for (int32_t k = 0; k < n->n_out; k++) {
            const cfub_tensor *o = &ip->tensors[n->outs[k]];
            if (o->type == TFL_RESOURCE) continue; /* a handle, not data (as the golden run) */
            crc = cfub_crc32(crc, o->data, o->bytes);
            if (ip->opts.observer)
                ip->opts.observer(ip->opts.observer_ctx, input_index, j, cfub_op_name(n->builtin), n->kernel, o->data, o->bytes);
            observed++;
        }
        if (!observed && ip->opts.observer) { /* no data out (ASSIGN_VARIABLE): still one record */
            static const uint8_t nothing[1];
            ip->opts.observer(ip->opts.observer_ctx, input_index, j, cfub_op_name(n->builtin), n->kernel, nothing, 0);
        }
        n->crc = crc;
        profiling += cfub_cycles() - t1;
    }
    ip->last_total = cfub_cycles() - start - profiling;
    return CFUB_OK;
}
