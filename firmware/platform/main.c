/* Firmware entry: read the host's data block, run the CFU self-test and/or the model, report
 * over the UART in the CFUB line protocol, then end the simulation (or idle on a board). */
#include <stdint.h>
#include <stdio.h>

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

static int run_model(const struct cfub_image_header *h) {
    uint64_t input_bytes = (uint64_t)h->input_len * h->input_count;
    if (!in_data_block(h->model_offset, h->model_len) || input_bytes > UINT32_MAX ||
        !in_data_block(h->input_offset, (uint32_t)input_bytes)) {
        printf("CFUB ERROR 2 image offsets outside the data block\n");
        return 2;
    }
#ifdef CFUB_HAVE_RUNTIME
    return cfub_run(_cfub_data_start + h->model_offset, h->model_len, _cfub_arena_start,
                    (size_t)(_cfub_arena_end - _cfub_arena_start),
                    _cfub_data_start + h->input_offset, h->input_len, h->input_count);
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
