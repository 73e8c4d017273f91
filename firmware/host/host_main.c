/* Host executable: the same ~50 lines a target main.c needs, reading files instead of RAM.
 *   cfub_host MODEL.tflite INPUTS.bin N_INPUTS [ARENA_BYTES] [--no-accel]
 * Prints the CFUB protocol on stdout; exit status is the runtime's return code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_platform.h"

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = aligned_alloc(16, cap);
    while (buf) {
        if (n == cap) {
            uint8_t *q = aligned_alloc(16, cap * 2);
            if (q) memcpy(q, buf, n);
            free(buf);
            buf = q;
            cap *= 2;
            if (!buf) break;
        }
        const size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL INPUTS N_INPUTS [ARENA_BYTES] [--no-accel]\n", argv[0]);
        return 64;
    }
    size_t model_len = 0, input_len = 0;
    uint8_t *model = slurp(argv[1], &model_len);
    uint8_t *inputs = slurp(argv[2], &input_len);
    if (!model || !inputs) {
        fprintf(stderr, "cannot read %s\n", model ? argv[2] : argv[1]);
        return 66;
    }
    size_t arena_len = 4u << 20;
    cfub_options opts = {0};
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--no-accel")) opts.disable_accel = true;
        else arena_len = (size_t)strtoull(argv[i], NULL, 0);
    }
    uint8_t *arena = aligned_alloc(16, (arena_len + 15) & ~(size_t)15);
    host_set_output(1, 0);
    const int rc = cfub_run_ex(model, model_len, arena, arena_len, inputs, input_len, atoi(argv[3]), &opts);
    fflush(stdout);
    free(arena);
    free(model);
    free(inputs);
    return rc;
}
