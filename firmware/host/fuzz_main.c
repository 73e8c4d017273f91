/* Seeded mutation fuzzer for the model reader and runtime, meant to be built with
 * -fsanitize=address,undefined -fno-sanitize-recover=all so any out-of-bounds access or UB
 * aborts the process. MAX_MACS bounds the work of any mutant that still loads (0 = none).
 *
 *   cfub_fuzz ITERATIONS SEED MAX_MACS CORPUS_FILE...
 *
 * Each iteration takes a corpus model, applies 1-8 mutations (bit flips, interesting bytes,
 * corrupted 32-bit words aimed at offsets and lengths, truncation, chunk copies), then loads it
 * and, if it loads, runs one inference on zero input. A MAC budget keeps every surviving
 * mutant fast, so a run is bounded. Prints a summary of outcomes by error code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_platform.h"
#include "../runtime/internal.h"

static uint64_t g_rng;

static uint64_t next(void) {
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545F4914F6CDD1Dull;
}

static uint32_t below(uint32_t n) { return n ? (uint32_t)(next() % n) : 0; }

static const uint32_t kInteresting[] = {0, 1, 2, 3, 4, 7, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
                                        0xffff, 0x10000, 0x7fffffff, 0x80000000u, 0xffffffffu, 0xfffffffcu};

static size_t mutate(uint8_t *buf, size_t len, size_t cap) {
    const int rounds = below(2) ? 1 : 1 + (int)below(8);
    for (int r = 0; r < rounds && len > 0; r++) {
        switch (below(7)) {
        case 0: buf[below((uint32_t)len)] ^= (uint8_t)(1u << below(8)); break;
        case 1: buf[below((uint32_t)len)] = (uint8_t)kInteresting[below(sizeof kInteresting / 4)]; break;
        case 2: case 3: { /* a 32-bit word: offsets, vector lengths, indices, dims */
            if (len < 4) break;
            const size_t at = below((uint32_t)(len - 3)) & ~(size_t)3;
            uint32_t v;
            memcpy(&v, buf + at, 4);
            switch (below(3)) {
            case 0: v = kInteresting[below(sizeof kInteresting / 4)]; break;
            case 1: v += (uint32_t)(int32_t)(below(64) - 32); break;
            default: v = (uint32_t)next(); break;
            }
            memcpy(buf + at, &v, 4);
            break;
        }
        case 4: len = below((uint32_t)len) + 1; break; /* truncate */
        case 5: { /* copy a chunk over another place */
            const size_t n = 1 + below(64);
            if (n >= len) break;
            const size_t from = below((uint32_t)(len - n)), to = below((uint32_t)(len - n));
            memmove(buf + to, buf + from, n);
            break;
        }
        default: { /* grow with garbage */
            const size_t n = below(32);
            if (len + n > cap) break;
            for (size_t i = 0; i < n; i++) buf[len + i] = (uint8_t)next();
            len += n;
            break;
        }
        }
    }
    return len;
}

static void survey_sink(void *ctx, int op, int code, const char *msg) {
    (void)ctx;
    (void)op;
    (void)code;
    (void)msg;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s ITERATIONS SEED MAX_MACS CORPUS...\n", argv[0]);
        return 64;
    }
    const long iterations = atol(argv[1]);
    g_rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
    const uint64_t max_macs = strtoull(argv[3], NULL, 0);
    const int n_corpus = argc - 4;
    uint8_t **corpus = calloc((size_t)n_corpus, sizeof *corpus);
    size_t *sizes = calloc((size_t)n_corpus, sizeof *sizes);
    size_t max_len = 0;
    for (int i = 0; i < n_corpus; i++) {
        FILE *f = fopen(argv[4 + i], "rb");
        if (!f) {
            fprintf(stderr, "cannot read %s\n", argv[4 + i]);
            return 66;
        }
        fseek(f, 0, SEEK_END);
        sizes[i] = (size_t)ftell(f);
        fseek(f, 0, SEEK_SET);
        corpus[i] = malloc(sizes[i] + 1);
        if (fread(corpus[i], 1, sizes[i], f) != sizes[i]) return 66;
        fclose(f);
        if (sizes[i] > max_len) max_len = sizes[i];
    }
    const size_t cap = max_len + 64;
    const size_t arena_len = 1u << 20;
    uint8_t *arena = aligned_alloc(16, arena_len);
    uint8_t *input = calloc(1, arena_len);
    long outcomes[10] = {0};
    host_set_output(0, 0);
    cfub_options opts = {0};
    opts.max_macs = max_macs;
    for (long it = 0; it < iterations; it++) {
        const int k = (int)(it % n_corpus);
        /* exact-size allocation so ASan catches reads one byte past the model */
        uint8_t *buf = aligned_alloc(16, (cap + 15) & ~(size_t)15);
        memcpy(buf, corpus[k], sizes[k]);
        size_t len = it < n_corpus ? sizes[k] : mutate(buf, sizes[k], cap);
        /* malloc (16-byte aligned on glibc) records the exact length, so ASan flags even a
         * one-byte overread; aligned_alloc would round the size up */
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, buf, len);
        free(buf);
        cfub_status st;
        cfub_interp *ip = cfub_load(exact, len, arena, arena_len, &opts, &st);
        int code = st.code;
        if (ip) {
            const size_t n = cfub_input_bytes(ip);
            code = n <= arena_len ? cfub_invoke(ip, input, n, 0, &st) : CFUB_ERR_INPUT;
        }
        outcomes[code >= 0 && code < 10 ? code : 9]++;
        /* and the op-by-op survey `cfu-bench info` runs in-process, every 4th mutant */
        if ((it & 3) == 0) cfub_survey(exact, len, arena, arena_len, survey_sink, NULL, &st);
        free(exact);
    }
    printf("fuzz iterations=%ld", iterations);
    for (int c = 0; c < 10; c++)
        if (outcomes[c]) printf(" code%d=%ld", c, outcomes[c]);
    printf("\n");
    free(arena);
    free(input);
    return 0;
}
