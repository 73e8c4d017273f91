/* cfub_run: the CFUB line protocol (cfub.h) over cfub_load / cfub_invoke. */
#include "internal.h"
#include "names.h"

static void print_error(const cfub_status *st) {
    char line[CFUB_MSG_MAX + 32];
    cfub_sb sb;
    cfub_sb_init(&sb, line, sizeof line);
    cfub_sb_str(&sb, "CFUB ERROR ");
    cfub_sb_int(&sb, st->code);
    cfub_sb_str(&sb, " ");
    cfub_sb_str(&sb, st->msg[0] ? st->msg : "unknown error");
    cfub_sb_str(&sb, "\n");
    cfub_puts(line);
}

int cfub_run(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
             const uint8_t *inputs, size_t input_len, int n_inputs) {
    return cfub_run_ex(model, model_len, arena, arena_len, inputs, input_len, n_inputs, NULL);
}

int cfub_run_ex(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
                const uint8_t *inputs, size_t input_len, int n_inputs, const cfub_options *opts) {
    cfub_status st;
    char line[256];
    cfub_sb sb;
    cfub_interp *ip = cfub_load(model, model_len, arena, arena_len, opts, &st);
    if (!ip) {
        print_error(&st);
        return st.code;
    }
    cfub_sb_init(&sb, line, sizeof line);
    cfub_sb_str(&sb, "CFUB MODEL bytes=");
    cfub_sb_uint(&sb, model_len);
    cfub_sb_str(&sb, " ops=");
    cfub_sb_int(&sb, ip->n_nodes);
    cfub_sb_str(&sb, " arena=");
    cfub_sb_uint(&sb, cfub_arena_used(ip));
    cfub_sb_str(&sb, " setup_cycles=");
    cfub_sb_uint(&sb, ip->setup_cycles);
    cfub_sb_str(&sb, "\n");
    cfub_puts(line);

    /* input_len is one input's size (checked against the model); the total of all n_inputs
     * is accepted as well */
    const uint64_t each = ip->input_bytes;
    const bool len_ok = (uint64_t)input_len == each || (uint64_t)input_len == (uint64_t)n_inputs * each;
    if (n_inputs < 0 || !len_ok || (n_inputs > 0 && each > 0 && !inputs)) {
        cfub_sb_init(&sb, st.msg, sizeof st.msg);
        cfub_sb_str(&sb, "the model's input is ");
        cfub_sb_uint(&sb, each);
        cfub_sb_str(&sb, " bytes, got input_len=");
        cfub_sb_uint(&sb, input_len);
        cfub_sb_str(&sb, " for ");
        cfub_sb_int(&sb, n_inputs);
        cfub_sb_str(&sb, " inputs");
        st.code = CFUB_ERR_INPUT;
        print_error(&st);
        return st.code;
    }
    for (int k = 0; k < n_inputs; k++) {
        cfub_sb_init(&sb, line, sizeof line);
        cfub_sb_str(&sb, "CFUB INPUT ");
        cfub_sb_int(&sb, k);
        cfub_sb_str(&sb, "\n");
        cfub_puts(line);
        if (k > 0 && !ip->opts.stream) cfub_reset(ip); /* each input from the post-load state, as on the SoC */
        if (cfub_invoke(ip, inputs + (size_t)k * each, (size_t)each, k, &st)) {
            print_error(&st);
            return st.code;
        }
        uint64_t kernels = 0;
        for (int32_t j = 0; j < ip->n_nodes; j++) {
            const cfub_node *n = &ip->nodes[j];
            kernels += n->cycles;
            cfub_sb_init(&sb, line, sizeof line);
            cfub_sb_str(&sb, "CFUB OP ");
            cfub_sb_int(&sb, j);
            cfub_sb_str(&sb, " ");
            cfub_sb_str(&sb, cfub_op_name(n->builtin));
            cfub_sb_str(&sb, " ");
            cfub_sb_token(&sb, n->kernel, 32);
            cfub_sb_str(&sb, " ");
            cfub_sb_uint(&sb, n->cycles);
            cfub_sb_str(&sb, " ");
            cfub_sb_hex8(&sb, n->crc);
            cfub_sb_str(&sb, "\n");
            cfub_puts(line);
        }
        const uint64_t total = ip->last_total;
        cfub_sb_init(&sb, line, sizeof line);
        cfub_sb_str(&sb, "CFUB INVOKE ");
        cfub_sb_int(&sb, k);
        cfub_sb_str(&sb, " total=");
        cfub_sb_uint(&sb, total);
        cfub_sb_str(&sb, " kernels=");
        cfub_sb_uint(&sb, kernels);
        cfub_sb_str(&sb, " overhead=");
        cfub_sb_int(&sb, (int64_t)total - (int64_t)kernels);
        cfub_sb_str(&sb, "\n");
        cfub_puts(line);
    }
    cfub_puts("CFUB DONE\n");
    return CFUB_OK;
}
