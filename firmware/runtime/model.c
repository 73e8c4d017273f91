/* Reading a .tflite into the runtime's tensor and node tables.
 *
 * Every subgraph is read (subgraph 0 is the model; the others run from control ops such as
 * CALL_ONCE). Acceptance follows TFLM's (micro_allocator.cc): operator versions
 * and unused or duplicate operator codes are ignored, buffer 0 and empty buffers are ordinary,
 * shape_signature, intermediates and metadata (OfflineMemoryAllocation included: we plan
 * ourselves) are never read. Every index read from the model (opcode, tensor, buffer) is checked
 * against its table, every constant's byte count against its shape, and the data flow is
 * checked too: each op's non-constant inputs must come from a model input or an earlier op,
 * every tensor is written at most once, and nothing writes a constant. */
#include "../kernels/cfub_string.h"

#include "internal.h"
#include "names.h"

uint32_t cfub_type_size(int type) {
    switch (type) {
    case TFL_FLOAT32: case TFL_INT32: return 4;
    case TFL_RESOURCE: return 4; /* a resource variable's id, as TFLM's VAR_HANDLE writes it */
    case TFL_INT8: case TFL_UINT8: case TFL_BOOL: return 1;
    case TFL_INT16: case TFL_FLOAT16: return 2;
    case TFL_INT64: case TFL_FLOAT64: return 8;
    default: return 0;
    }
}

/* Saturates just past INT32_MAX so hostile shapes cannot overflow the product. */
int64_t cfub_elements(const cfub_tensor *t) {
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) {
        n *= t->dims[i];
        if (n > INT32_MAX) return (int64_t)INT32_MAX + 1;
    }
    return n;
}

/* ops and tensors of subgraph 0 are the model's; others say where they are */
static void where_subgraph(const cfub_interp *ip, cfub_sb *sb) {
    if (!ip->current) return;
    cfub_sb_str(sb, " of subgraph ");
    cfub_sb_int(sb, ip->current);
}

static int fail_tensor(cfub_interp *ip, int code, int32_t index, const char *msg) {
    char buf[CFUB_MSG_MAX];
    cfub_sb sb;
    cfub_sb_init(&sb, buf, sizeof buf);
    cfub_sb_str(&sb, "tensor ");
    cfub_sb_int(&sb, index);
    where_subgraph(ip, &sb);
    cfub_sb_str(&sb, ": ");
    cfub_sb_str(&sb, msg);
    return cfub_fail(ip, code, buf);
}

static int parse_tensor(cfub_interp *ip, int32_t index, const fb_table *tt, const fb_vec *buffers) {
    fb_reader *r = &ip->fb;
    cfub_tensor *t = &ip->tensors[index];
    memset(t, 0, sizeof *t);
    t->producer = -1;
    t->first_use = -1;
    t->last_use = -1;
    t->type = fb_u8(r, tt, 1, 0);

    fb_vec shape;
    if (fb_vector(r, tt, 0, 4, &shape)) {
        if (shape.len > CFUB_MAX_DIMS) return fail_tensor(ip, CFUB_ERR_UNSUPPORTED, index, "rank above 6");
        t->ndim = (uint8_t)shape.len;
        for (uint32_t i = 0; i < shape.len; i++) {
            t->dims[i] = fb_vec_i32(r, &shape, i);
            /* 0 is legal (zero-size tensors, e.g. LSTM intermediates); TFLM never reads
             * shape_signature, nor do we */
            if (!r->err && t->dims[i] < 0) return fail_tensor(ip, CFUB_ERR_INVALID, index, "negative dimension");
        }
    }
    t->is_variable = fb_u8(r, tt, 5, 0) != 0;
    if (fb_has(r, tt, 6)) return fail_tensor(ip, CFUB_ERR_UNSUPPORTED, index, "sparse tensors are not supported");
    if (fb_u32(r, tt, 11, 0)) return fail_tensor(ip, CFUB_ERR_UNSUPPORTED, index, "external buffers are not supported");
    if (r->err) return cfub_fail_fb(ip);

    int64_t elems = cfub_elements(t);
    const uint32_t esize = cfub_type_size(t->type);
    if (elems > INT32_MAX || (esize && elems * esize > INT32_MAX))
        return fail_tensor(ip, CFUB_ERR_INVALID, index, "too large");
    t->bytes = (uint32_t)(elems * esize);

    /* quantization as TFLM reads it (micro_allocator.cc): only when scale and zero_point are
     * both non-empty; params.scale / zero_point are the first entries (a zero_point list of
     * another length than scale means zero_point[0] for every channel); quantized_dimension
     * is copied unchecked: the ops that use it check it, and nothing checks a bias's */
    fb_table q;
    if (fb_subtable(r, tt, 4, &q)) {
        fb_vec zps;
        if (fb_vector(r, &q, 2, 4, &t->scales) && t->scales.len > 0 && fb_vector(r, &q, 3, 8, &zps) && zps.len > 0) {
            t->has_quant = 1;
            t->n_scales = t->scales.len;
            t->scale = fb_vec_f32(r, &t->scales, 0);
            t->zero_point = (int32_t)(uint32_t)(uint64_t)fb_vec_i64(r, &zps, 0);
            t->quant_dim = fb_i32(r, &q, 6, 0);
        }
    }
    if (r->err) return cfub_fail_fb(ip);

    const uint32_t buffer = fb_u32(r, tt, 2, 0);
    if (buffer != 0 || buffers->len > 0) {
        if (buffer >= buffers->len) return fail_tensor(ip, CFUB_ERR_MALFORMED, index, "buffer index out of range");
        fb_table bt;
        if (!fb_vec_table(r, buffers, buffer, &bt)) return cfub_fail_fb(ip);
        fb_vec data;
        const uint8_t *p = NULL;
        uint64_t n = 0;
        if (fb_vector(r, &bt, 0, 1, &data) && data.len > 0) {
            p = ip->model + data.pos;
            n = data.len;
        } else {
            /* models past 2 GiB keep buffers after the flatbuffer: offset/size from its start */
            const uint64_t off = fb_u64(r, &bt, 1, 0), size = fb_u64(r, &bt, 2, 0);
            if (off > 1 && size > 0) {
                if (off > ip->model_len || size > ip->model_len - off)
                    return fail_tensor(ip, CFUB_ERR_MALFORMED, index, "buffer offset/size outside the model");
                p = ip->model + off;
                n = size;
            }
        }
        if (r->err) return cfub_fail_fb(ip);
        if (p) {
            /* TFLM would reset (write) the model's own bytes; ours are read-only */
            if (t->is_variable) return fail_tensor(ip, CFUB_ERR_UNSUPPORTED, index, "variable tensor with constant data");
            if (!esize) return fail_tensor(ip, CFUB_ERR_UNSUPPORTED, index, "constant of an unsupported type");
            if (n != t->bytes) return fail_tensor(ip, CFUB_ERR_INVALID, index, "constant size does not match its shape");
            if (esize > 1 && ((uintptr_t)p & (esize > 4 ? 3u : esize - 1u)))
                return fail_tensor(ip, CFUB_ERR_MALFORMED, index, "constant data misaligned");
            t->is_const = 1;
            t->data = (uint8_t *)(uintptr_t)p; /* constants are only ever read */
        }
    }
    return CFUB_OK;
}

static int fail_node(cfub_interp *ip, int code, int32_t index, const char *msg) {
    char buf[CFUB_MSG_MAX];
    cfub_sb sb;
    cfub_sb_init(&sb, buf, sizeof buf);
    cfub_sb_str(&sb, "op ");
    cfub_sb_int(&sb, index);
    where_subgraph(ip, &sb);
    cfub_sb_str(&sb, ": ");
    cfub_sb_str(&sb, msg);
    return cfub_fail(ip, code, buf);
}

static int unsupported_op(cfub_interp *ip, int32_t index, int32_t builtin, const fb_table *code);

int cfub_unsupported_op(cfub_interp *ip, int32_t index) {
    const cfub_node *n = &ip->nodes[index];
    fb_vec opcodes = {0, 0};
    fb_table model, code;
    if (!fb_root(&ip->fb, &model) || !fb_vector(&ip->fb, &model, 1, 4, &opcodes) ||
        !fb_vec_table(&ip->fb, &opcodes, n->opcode_index, &code))
        return cfub_fail_fb(ip);
    return unsupported_op(ip, index, n->builtin, &code);
}

static int unsupported_op(cfub_interp *ip, int32_t index, int32_t builtin, const fb_table *code) {
    char buf[CFUB_MSG_MAX];
    cfub_sb sb;
    cfub_sb_init(&sb, buf, sizeof buf);
    if (builtin == OP_CUSTOM) {
        cfub_sb_str(&sb, "unsupported custom op ");
        fb_vec name;
        if (fb_vector(&ip->fb, code, 1, 1, &name)) {
            char tmp[33];
            uint32_t k = 0;
            for (; k < name.len && k < 32; k++) {
                const uint8_t c = fb_vec_u8(&ip->fb, &name, k);
                tmp[k] = (c > 32 && c < 127) ? (char)c : '?';
            }
            tmp[k] = 0;
            cfub_sb_str(&sb, tmp);
        }
    } else {
        cfub_sb_str(&sb, "unsupported op ");
        cfub_sb_str(&sb, cfub_op_name(builtin));
        cfub_sb_str(&sb, " (builtin ");
        cfub_sb_int(&sb, builtin);
        cfub_sb_str(&sb, ")");
    }
    cfub_sb_str(&sb, " at op ");
    cfub_sb_int(&sb, index);
    where_subgraph(ip, &sb);
    return cfub_fail(ip, CFUB_ERR_UNSUPPORTED, buf);
}

static int parse_node(cfub_interp *ip, int32_t index, const fb_table *ot, const fb_vec *opcodes) {
    fb_reader *r = &ip->fb;
    cfub_node *n = &ip->nodes[index];
    memset(n, 0, sizeof *n);
    n->kernel = "ref";
    const uint32_t opcode_index = fb_u32(r, ot, 0, 0);
    if (r->err) return cfub_fail_fb(ip);
    if (opcode_index >= opcodes->len) return fail_node(ip, CFUB_ERR_MALFORMED, index, "opcode index out of range");
    fb_table code;
    if (!fb_vec_table(r, opcodes, opcode_index, &code)) return cfub_fail_fb(ip);
    const int32_t deprecated = (int8_t)fb_u8(r, &code, 0, 0);
    const int32_t builtin_code = fb_i32(r, &code, 3, 0);
    if (r->err) return cfub_fail_fb(ip);
    n->builtin = builtin_code > deprecated ? builtin_code : deprecated;
    n->opcode_index = opcode_index;
    n->def = cfub_find_op(n->builtin);
    if (!n->def && !ip->survey) return unsupported_op(ip, index, n->builtin, &code);

    fb_vec ins = {0, 0}, outs = {0, 0};
    fb_vector(r, ot, 1, 4, &ins);
    fb_vector(r, ot, 2, 4, &outs);
    if (r->err) return cfub_fail_fb(ip);
    if (ins.len > CFUB_MAX_OP_IO) return fail_node(ip, CFUB_ERR_INVALID, index, "too many inputs");
    if (outs.len > CFUB_MAX_OP_IO) return fail_node(ip, CFUB_ERR_INVALID, index, "too many outputs");
    const uint32_t in_slots = ins.len > CFUB_MAX_OP_INPUTS ? ins.len : CFUB_MAX_OP_INPUTS;
    /* inputs and outputs in one allocation: the arena's 8-byte rounding once, not twice */
    n->in = cfub_persistent(ip, (size_t)(in_slots + (outs.len ? outs.len : 1)) * sizeof(int32_t));
    if (!n->in) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the model's tables");
    n->outs = n->in + in_slots;
    n->n_in = (int32_t)ins.len;
    for (uint32_t k = 0; k < ins.len; k++) {
        const int32_t t = fb_vec_i32(r, &ins, k);
        if (t < -1 || t >= ip->n_tensors) return fail_node(ip, CFUB_ERR_MALFORMED, index, "input tensor index out of range");
        n->in[k] = t;
    }
    for (uint32_t k = ins.len; k < in_slots; k++) n->in[k] = -1;
    n->n_out = (int32_t)outs.len;
    for (uint32_t k = 0; k < outs.len; k++) {
        const int32_t t = fb_vec_i32(r, &outs, k);
        if (t < 0 || t >= ip->n_tensors) return fail_node(ip, CFUB_ERR_MALFORMED, index, "output tensor index out of range");
        n->outs[k] = t;
    }
    n->out = outs.len ? n->outs[0] : -1; /* ASSIGN_VARIABLE, CALL_ONCE: none */
    n->opts_type = fb_u8(r, ot, 3, 0);
    if (n->opts_type) fb_subtable(r, ot, 4, &n->opts);
    if (r->err) return cfub_fail_fb(ip);
    return CFUB_OK;
}

static int read_io(cfub_interp *ip, const fb_vec *v, int32_t **out, int32_t *count) {
    *count = (int32_t)v->len;
    *out = cfub_persistent(ip, (size_t)v->len * sizeof(int32_t) + 4);
    if (!*out) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the model's tables");
    for (uint32_t i = 0; i < v->len; i++) {
        const int32_t t = fb_vec_i32(&ip->fb, v, i);
        if (t < 0 || t >= ip->n_tensors) return cfub_fail(ip, CFUB_ERR_MALFORMED, "model input/output index out of range");
        (*out)[i] = t;
    }
    return ip->fb.err ? cfub_fail_fb(ip) : CFUB_OK;
}

/* Data-flow checks and tensor lifetimes for the planner. */
static int link_graph(cfub_interp *ip) {
    for (int32_t i = 0; i < ip->n_inputs; i++) {
        cfub_tensor *t = &ip->tensors[ip->inputs[i]];
        if (t->is_const) return fail_tensor(ip, CFUB_ERR_INVALID, ip->inputs[i], "a model input cannot be constant");
        if (t->is_variable) return fail_tensor(ip, CFUB_ERR_UNSUPPORTED, ip->inputs[i], "a model input cannot be variable");
        t->producer = -2; /* written by the caller before the first op */
        t->first_use = 0;
        t->last_use = 0;
    }
    for (int32_t j = 0; j < ip->n_nodes; j++) {
        const cfub_node *n = &ip->nodes[j];
        for (int k = 0; k < n->n_in; k++) {
            if (n->in[k] < 0) continue;
            cfub_tensor *t = &ip->tensors[n->in[k]];
            if (t->is_const || t->is_variable || t->bytes == 0) continue; /* zero-size: nothing to read */
            if (t->producer == -1) return fail_node(ip, CFUB_ERR_INVALID, j, "reads a tensor no earlier op writes");
            if (t->last_use < j) t->last_use = j;
        }
        for (int k = 0; k < n->n_out; k++) {
            cfub_tensor *o = &ip->tensors[n->outs[k]];
            if (o->is_const) return fail_node(ip, CFUB_ERR_INVALID, j, "writes a constant tensor");
            if (o->is_variable) continue; /* state: written in place, by any number of ops */
            if (o->producer != -1) return fail_node(ip, CFUB_ERR_INVALID, j, "writes a tensor that is already written");
            o->producer = j;
            o->first_use = j;
            o->last_use = j;
        }
    }
    const int32_t end = ip->n_nodes > 0 ? ip->n_nodes - 1 : 0;
    for (int32_t i = 0; i < ip->n_outputs; i++) {
        cfub_tensor *t = &ip->tensors[ip->outputs[i]];
        if (t->is_const || t->is_variable) continue;
        if (t->producer == -1) return fail_tensor(ip, CFUB_ERR_INVALID, ip->outputs[i], "model output never written");
        t->last_use = end;
    }
    return CFUB_OK;
}

void cfub_use_subgraph(cfub_interp *ip, int32_t k) {
    const cfub_subgraph *g = &ip->subgraphs[k];
    ip->tensors = g->tensors;
    ip->n_tensors = g->n_tensors;
    ip->nodes = g->nodes;
    ip->n_nodes = g->n_nodes;
    ip->inputs = g->inputs;
    ip->n_inputs = g->n_inputs;
    ip->outputs = g->outputs;
    ip->n_outputs = g->n_outputs;
    ip->current = k;
}

static int parse_subgraph(cfub_interp *ip, int32_t k, const fb_vec *subgraphs, const fb_vec *opcodes,
                          const fb_vec *buffers) {
    fb_reader *r = &ip->fb;
    fb_table sg;
    fb_vec tensors = {0, 0}, ins = {0, 0}, outs = {0, 0}, ops = {0, 0};
    if (!fb_vec_table(r, subgraphs, (uint32_t)k, &sg)) return cfub_fail_fb(ip);
    fb_vector(r, &sg, 0, 4, &tensors);
    fb_vector(r, &sg, 1, 4, &ins);
    fb_vector(r, &sg, 2, 4, &outs);
    fb_vector(r, &sg, 3, 4, &ops);
    if (r->err) return cfub_fail_fb(ip);
    if (tensors.len > 0x7fffff || ops.len > 0x7fffff) return cfub_fail(ip, CFUB_ERR_MALFORMED, "implausible table sizes");

    cfub_subgraph *g = &ip->subgraphs[k];
    g->n_tensors = (int32_t)tensors.len;
    g->n_nodes = (int32_t)ops.len;
    g->tensors = cfub_persistent(ip, (size_t)tensors.len * sizeof(cfub_tensor) + 1);
    g->nodes = cfub_persistent(ip, (size_t)ops.len * sizeof(cfub_node) + 1);
    if (!g->tensors || !g->nodes) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the model's tables");
    cfub_use_subgraph(ip, k);

    for (uint32_t i = 0; i < tensors.len; i++) {
        fb_table tt;
        if (!fb_vec_table(r, &tensors, i, &tt)) return cfub_fail_fb(ip);
        int rc = parse_tensor(ip, (int32_t)i, &tt, buffers);
        if (rc) return rc;
    }
    int rc = read_io(ip, &ins, &g->inputs, &g->n_inputs);
    if (rc) return rc;
    if ((rc = read_io(ip, &outs, &g->outputs, &g->n_outputs))) return rc;
    cfub_use_subgraph(ip, k);
    for (uint32_t j = 0; j < ops.len; j++) {
        fb_table ot;
        if (!fb_vec_table(r, &ops, j, &ot)) return cfub_fail_fb(ip);
        if ((rc = parse_node(ip, (int32_t)j, &ot, opcodes))) return rc;
        if (ip->nodes[j].builtin == OP_VAR_HANDLE) ip->max_resources++;
    }
    return link_graph(ip);
}

int cfub_parse_model(cfub_interp *ip) {
    fb_reader *r = &ip->fb;
    fb_table model;
    if (!fb_root(r, &model)) return cfub_fail_fb(ip);
    const uint32_t version = fb_u32(r, &model, 0, 0);
    if (r->err) return cfub_fail_fb(ip);
    if (version != 3) return cfub_fail(ip, CFUB_ERR_UNSUPPORTED, "model schema version is not 3");

    fb_vec opcodes = {0, 0}, subgraphs = {0, 0}, buffers = {0, 0};
    fb_vector(r, &model, 1, 4, &opcodes);
    if (!fb_vector(r, &model, 2, 4, &subgraphs) || subgraphs.len == 0)
        return r->err ? cfub_fail_fb(ip) : cfub_fail(ip, CFUB_ERR_MALFORMED, "model has no subgraph");
    fb_vector(r, &model, 4, 4, &buffers);
    if (r->err) return cfub_fail_fb(ip);
    if (subgraphs.len > 0xffff) return cfub_fail(ip, CFUB_ERR_MALFORMED, "implausible table sizes");
    ip->n_subgraphs = (int32_t)subgraphs.len;
    ip->subgraphs = cfub_persistent(ip, (size_t)subgraphs.len * sizeof(cfub_subgraph));
    if (!ip->subgraphs) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the model's tables");
    memset(ip->subgraphs, 0, (size_t)subgraphs.len * sizeof(cfub_subgraph));
    for (int32_t k = 0; k < ip->n_subgraphs; k++) {
        int rc = parse_subgraph(ip, k, &subgraphs, &opcodes, &buffers);
        if (rc) return rc;
    }
    if (ip->max_resources) {
        ip->resources = cfub_persistent(ip, (size_t)ip->max_resources * sizeof(cfub_resource));
        if (!ip->resources) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the model's tables");
    }
    cfub_use_subgraph(ip, 0);
    return CFUB_OK;
}

static bool same_string(cfub_interp *ip, const fb_vec *a, const fb_vec *b) {
    if (a->len != b->len) return false;
    for (uint32_t i = 0; i < a->len; i++) /* no memcmp on the target: only memcpy/memmove/memset */
        if (ip->model[a->pos + i] != ip->model[b->pos + i]) return false;
    return true;
}

int32_t cfub_resource_id(cfub_interp *ip, const fb_vec *container, const fb_vec *name) {
    for (int32_t i = 0; i < ip->n_resources; i++) {
        const cfub_resource *v = &ip->resources[i];
        if ((container->len == 0 || same_string(ip, container, &v->container)) && same_string(ip, name, &v->name))
            return i;
    }
    if (ip->n_resources >= ip->max_resources) return -1;
    cfub_resource *v = &ip->resources[ip->n_resources];
    memset(v, 0, sizeof *v);
    v->container = *container;
    v->name = *name;
    return ip->n_resources++;
}

int cfub_alloc_variables(cfub_interp *ip) {
    for (int32_t k = 0; k < ip->n_subgraphs; k++) {
        const cfub_subgraph *g = &ip->subgraphs[k];
        for (int32_t i = 0; i < g->n_tensors; i++) {
            cfub_tensor *t = &g->tensors[i];
            if (!t->is_variable || t->bytes == 0) continue;
            t->data = cfub_alloc_persistent(ip, t->bytes);
            if (!t->data) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for the variable tensors");
        }
    }
    return CFUB_OK;
}
