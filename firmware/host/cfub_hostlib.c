/* ctypes entry points of the host build (libcfub_host.so), used by cfu_bench/build/hostrt.py.
 *
 * cfubh_run() is cfub_run_ex() on a freshly malloc'd arena, with an observer that records
 * every op's output. Records are packed as: int32 input index, int32 op index, uint32 byte
 * count, then the bytes, back to back. */
#include <stdlib.h>
#include <string.h>

#include "host_platform.h"

static uint8_t *g_out;
static size_t g_out_len, g_out_cap;
static int g_out_failed;

static void put(const void *p, size_t n) {
    if (g_out_failed) return;
    if (g_out_len + n > g_out_cap) {
        size_t cap = g_out_cap ? g_out_cap : 65536;
        while (g_out_len + n > cap) cap *= 2;
        uint8_t *q = realloc(g_out, cap);
        if (!q) {
            g_out_failed = 1;
            return;
        }
        g_out = q;
        g_out_cap = cap;
    }
    memcpy(g_out + g_out_len, p, n);
    g_out_len += n;
}

static void observe(void *ctx, int input_index, int op_index, const char *op_name, const char *kernel,
                    const uint8_t *data, size_t len) {
    (void)ctx;
    (void)op_name;
    (void)kernel;
    const int32_t hdr[2] = {input_index, op_index};
    const uint32_t n = (uint32_t)len;
    put(hdr, sizeof hdr);
    put(&n, sizeof n);
    put(data, len);
}

enum { FLAG_COLLECT = 1, FLAG_NO_ACCEL = 2, FLAG_ECHO = 4, FLAG_STREAM = 8 };

int cfubh_run(const uint8_t *model, size_t model_len, size_t arena_len, const uint8_t *inputs,
              size_t input_len, int n_inputs, int flags, uint64_t max_macs) {
    host_set_output(flags & FLAG_ECHO, 1);
    host_clear_text();
    g_out_len = 0;
    g_out_failed = 0;
    /* private, aligned copies: Python's buffers promise no alignment, and ASan then sees the
     * exact extent of each */
    uint8_t *m = aligned_alloc(16, (model_len + 16) & ~(size_t)15);
    uint8_t *arena = aligned_alloc(16, (arena_len + 16) & ~(size_t)15);
    if (!m || !arena) {
        free(m);
        free(arena);
        return -1;
    }
    memcpy(m, model, model_len);
    cfub_options opts = {0};
    opts.disable_accel = (flags & FLAG_NO_ACCEL) != 0;
    opts.max_macs = max_macs;
    opts.stream = (flags & FLAG_STREAM) != 0;
    if (flags & FLAG_COLLECT) opts.observer = observe;
    const int rc = cfub_run_ex(m, model_len, arena, arena_len, inputs, input_len, n_inputs, &opts);
    free(m);
    free(arena);
    return g_out_failed ? -1 : rc;
}

const char *cfubh_text(size_t *len) { return host_text(len); }

const uint8_t *cfubh_outputs(size_t *len) {
    *len = g_out_len;
    return g_out;
}

/* ---- probes for the Python tests ------------------------------------------------------ */

#include "../kernels/cfub_kernels.h"
#include "../runtime/internal.h"

/* Load only: sizes the arena needs and what one input is. Returns the runtime code. */
int cfubh_load_info(const uint8_t *model, size_t model_len, size_t arena_len, uint64_t out[5]) {
    uint8_t *m = aligned_alloc(16, (model_len + 16) & ~(size_t)15);
    uint8_t *arena = aligned_alloc(16, (arena_len + 16) & ~(size_t)15);
    if (!m || !arena) {
        free(m);
        free(arena);
        return -1;
    }
    memcpy(m, model, model_len);
    host_set_output(0, 0);
    cfub_status st;
    cfub_interp *ip = cfub_load(m, model_len, arena, arena_len, NULL, &st);
    if (ip) {
        out[0] = cfub_arena_used(ip);
        out[1] = cfub_arena_planned(ip);
        out[2] = cfub_input_bytes(ip);
        out[3] = (uint64_t)cfub_op_count(ip);
        out[4] = cfub_setup_cycles(ip);
    }
    host_set_output(0, 1);
    free(m);
    free(arena);
    return st.code;
}

/* Every op judged on its own (cfub_survey): codes[j] and msgs[j * CFUB_MSG_MAX] for op j < max_ops.
 * Returns the model-level code (0 when the model itself loads far enough), its message in
 * msgs[0] otherwise; *n_ops gets the op count. */
typedef struct {
    int32_t *codes;
    char *msgs;
    int max_ops;
    int n_ops;
} survey_ctx;

static void survey_op(void *ctx, int op, int code, const char *msg) {
    survey_ctx *s = ctx;
    s->n_ops = op + 1;
    if (op >= s->max_ops) return;
    s->codes[op] = code;
    memcpy(s->msgs + (size_t)op * CFUB_MSG_MAX, msg, strlen(msg) < CFUB_MSG_MAX ? strlen(msg) + 1 : CFUB_MSG_MAX);
}

int cfubh_survey(const uint8_t *model, size_t model_len, size_t arena_len, int32_t *codes, char *msgs,
                 int max_ops, int *n_ops) {
    uint8_t *m = aligned_alloc(16, (model_len + 16) & ~(size_t)15);
    uint8_t *arena = aligned_alloc(16, (arena_len + 16) & ~(size_t)15);
    if (!m || !arena) {
        free(m);
        free(arena);
        return -1;
    }
    memcpy(m, model, model_len);
    host_set_output(0, 0);
    survey_ctx s = {codes, msgs, max_ops, 0};
    cfub_status st;
    const int rc = cfub_survey(m, model_len, arena, arena_len, survey_op, &s, &st);
    if (rc) memcpy(msgs, st.msg, CFUB_MSG_MAX);
    *n_ops = s.n_ops;
    host_set_output(0, 1);
    free(m);
    free(arena);
    return rc;
}

int cfubh_quantize_multiplier(double m, int32_t *q, int *shift) { return cfub_quantize_multiplier(m, q, shift); }
double cfubh_scale_ratio(float a, float b, float c) { return cfub_scale_ratio(a, b, c); }

void cfubh_mbqm(const int32_t *x, int32_t *out, size_t n, int32_t multiplier, int shift) {
    for (size_t i = 0; i < n; i++) out[i] = cfub_mbqm(x[i], multiplier, shift);
}

int cfubh_activation_range(int act, float scale, int32_t zp, int32_t *lo, int32_t *hi) {
    return cfub_activation_range(act, scale, zp, lo, hi);
}
