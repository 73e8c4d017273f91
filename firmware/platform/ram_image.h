/* The data block the host writes at _cfub_data_start (see linker.ld): a header, then the model
 * and the inputs at the offsets it names. Mirrored by cfu_bench/build/ram_image.py. */
#ifndef CFU_BENCH_RAM_IMAGE_H
#define CFU_BENCH_RAM_IMAGE_H

#include <stdint.h>

#define CFUB_IMAGE_MAGIC 0x42554643u /* "CFUB" little-endian */
#define CFUB_IMAGE_VERSION 1u

enum {
    CFUB_RUN_SELFTEST = 1u << 0, /* compare every CFU instruction with its C emulation */
    CFUB_RUN_MODEL = 1u << 1,    /* run the model on every input, profiling each op */
    CFUB_DUMP_LAYER = 1u << 2,   /* print op debug_first's output of every input (CFUB DUMP) */
    CFUB_TRACE_LAYERS = 1u << 3, /* waveform tracing on for ops debug_first..debug_last */
};

struct cfub_image_header {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t selftest_count;
    uint32_t selftest_seed;
    uint32_t model_offset; /* from the start of the data block */
    uint32_t model_len;
    uint32_t input_offset;
    uint32_t input_len; /* bytes of one input */
    uint32_t input_count;
    /* Debug modes only (CFUB_DUMP_LAYER, CFUB_TRACE_LAYERS): op indices. Appended, so the
     * model still starts at offset 48 and older headers read the same. */
    uint32_t debug_first;
    uint32_t debug_last;
};

#endif
