/* Firmware entry: read the host's data block, run the CFU self-test and/or the model, report
 * over the UART in the CFUB line protocol, then end the simulation (or idle on a board). */
#include <stdint.h>
#include <stdio.h>

#include <generated/csr.h>

#include "cfu.h"
#include "platform.h"
#include "ram_image.h"

#ifdef CFUB_HAVE_RUNTIME
#include "runtime/cfub.h"
#endif
#ifdef CFUB_HAVE_SELFTEST
int cfu_selftest(uint32_t seed, unsigned n);
#endif

extern uint8_t _cfub_data_start[], _cfub_data_end[], _cfub_arena_start[], _cfub_arena_end[];

/* Offsets come from the host; check them before touching memory so a bad image is reported,
 * not run. */
static int in_data_block(uint32_t offset, uint32_t len) {
    uint32_t size = (uint32_t)(_cfub_data_end - _cfub_data_start);
    return offset <= size && len <= size - offset;
}

#ifdef CFUB_HAVE_RUNTIME
/* ---- debug modes: dump one op's output, trace a range of ops -----------------------------
 * Both ride on the runtime's observer, called after each op outside its measured time: the
 * observer of op N-1 is the last thing before op N runs, so tracing switches on there (for op 0,
 * when the runtime announces the input, just before the inference) and off after op M. */
static const struct cfub_image_header *debug_header;

static void set_trace(int on, uint32_t marker) {
#ifdef CSR_SIM_TRACE_BASE
    sim_trace_enable_write(on);
#endif
#ifdef CSR_SIM_MARKER_BASE
    sim_marker_marker_write(marker); /* the op running + 1, 0 outside: visible in the waveform */
#endif
    (void)on;
    (void)marker;
}

static int tracing(void) {
    return debug_header && (debug_header->flags & CFUB_TRACE_LAYERS);
}

/* Called by platform.c's cfub_puts after each runtime line. */
void platform_on_puts(const char *s) {
    static const char announce[] = "CFUB INPUT ";
    if (!tracing() || debug_header->debug_first != 0)
        return;
    for (unsigned i = 0; i < sizeof announce - 1; i++)
        if (s[i] != announce[i])
            return;
    set_trace(1, 1);
}

/* CFUB DUMP <input> <op> <offset> <hex bytes>, 64 bytes a line, then
 * CFUB DUMPEND <input> <op> <bytes> <crc32>. */
static void dump_output(int input_index, int op, const uint8_t *data, size_t len) {
    static const char digits[] = "0123456789abcdef";
    char hex[2 * 64 + 1];
    for (size_t pos = 0; pos < len; pos += 64) {
        size_t n = len - pos < 64 ? len - pos : 64;
        for (size_t i = 0; i < n; i++) {
            hex[2 * i] = digits[data[pos + i] >> 4];
            hex[2 * i + 1] = digits[data[pos + i] & 15];
        }
        hex[2 * n] = 0;
        printf("CFUB DUMP %d %d %lu %s\n", input_index, op, (unsigned long)pos, hex);
    }
    printf("CFUB DUMPEND %d %d %lu %08lx\n", input_index, op, (unsigned long)len,
           (unsigned long)cfub_crc32(0, data, len));
}

static void debug_observer(void *ctx, int input_index, int op, const char *op_name,
                           const char *kernel, const uint8_t *data, size_t len) {
    const struct cfub_image_header *h = ctx;
    (void)op_name;
    (void)kernel;
    if ((h->flags & CFUB_TRACE_LAYERS)) {
        if ((uint32_t)op == h->debug_last)
            set_trace(0, 0);
        else if ((uint32_t)op + 1 >= h->debug_first && (uint32_t)op < h->debug_last)
            set_trace(1, (uint32_t)op + 2);
    }
    if ((h->flags & CFUB_DUMP_LAYER) && (uint32_t)op == h->debug_first)
        dump_output(input_index, op, data, len);
}

#endif

static int run_model(const struct cfub_image_header *h) {
    uint64_t input_bytes = (uint64_t)h->input_len * h->input_count;
    if (!in_data_block(h->model_offset, h->model_len) || input_bytes > UINT32_MAX ||
        !in_data_block(h->input_offset, (uint32_t)input_bytes)) {
        printf("CFUB ERROR 2 image offsets outside the data block\n");
        return 2;
    }
#ifdef CFUB_HAVE_RUNTIME
    cfub_options opts = {0};
    if (h->flags & (CFUB_DUMP_LAYER | CFUB_TRACE_LAYERS)) {
        debug_header = h;
        opts.observer = debug_observer;
        opts.observer_ctx = (void *)h;
    }
    int rc = cfub_run_ex(_cfub_data_start + h->model_offset, h->model_len, _cfub_arena_start,
                         (size_t)(_cfub_arena_end - _cfub_arena_start),
                         _cfub_data_start + h->input_offset, h->input_len, h->input_count, &opts);
    if (tracing())
        set_trace(0, 0);
    return rc;
#else
    printf("CFUB ERROR 3 firmware built without the runtime\n");
    return 3;
#endif
}

int main(void) {
    cfu_enable();
    const struct cfub_image_header *h = (const struct cfub_image_header *)_cfub_data_start;
    uint64_t start = read_mcycle();
    int status = 0;

    printf("\nCFUB BOOT\n");
    if (h->magic != CFUB_IMAGE_MAGIC || h->version != CFUB_IMAGE_VERSION) {
        printf("CFUB ERROR 1 no valid image header at %p\n", (const void *)h);
        status = 1;
    } else {
        if (h->flags & CFUB_RUN_SELFTEST) {
#ifdef CFUB_HAVE_SELFTEST
            if (cfu_selftest(h->selftest_seed, h->selftest_count) != 0)
                status = 1;
#else
            printf("CFUB ERROR 4 this CFU design has no self-test\n");
            status = 4;
#endif
        }
        if (status == 0 && (h->flags & CFUB_RUN_MODEL))
            status = run_model(h);
    }
    /* mcycle counts from reset, so its value now is the whole run including the BIOS. */
    uint64_t end = read_mcycle();
    printf("CFUB CYCLES main=%llu total=%llu\n", (unsigned long long)(end - start),
           (unsigned long long)end);
    printf("CFUB EXIT %d\n", status);
    platform_exit(status);
    return status;
}
