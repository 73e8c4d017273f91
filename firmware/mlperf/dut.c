/* The device under test: one model from the host's data block, run by the cfu-bench runtime
 * with whatever CFU kernels this firmware was linked with. */
#include "dut.h"

#include <stdbool.h>
#include <string.h>

#include <generated/soc.h>

#include "cfu.h"
#include "ee_format.h"
#include "ee_io.h"
#include "ee_protocol.h"
#include "platform.h"
#include "ram_image.h"
#include "runtime/cfub.h"

extern uint8_t _cfub_data_start[], _cfub_data_end[], _cfub_arena_start[], _cfub_arena_end[];

static cfub_interp *interp;
static cfub_status status;
static const char *model_error = "no model loaded yet";
/* The input of the last `infer`, kept apart from the db buffer so `results` still scores it
 * after a new `db load` began. */
static uint8_t input[EE_DB_MAX];
static size_t input_len;

/* Cycles the runtime spends on per-op output CRCs inside cfub_invoke (its profiling, outside
 * its own measured window): the benchmark clock leaves them out, since an MLPerf submission
 * would not compute them. */
static uint64_t excluded_cycles;

static bool in_data_block(uint32_t offset, uint32_t len) {
    uint32_t size = (uint32_t)(_cfub_data_end - _cfub_data_start);
    return offset <= size && len <= size - offset;
}

void th_initialize(void);
void th_initialize(void) {
    const struct cfub_image_header *h = (const struct cfub_image_header *)_cfub_data_start;
    if (h->magic != CFUB_IMAGE_MAGIC || h->version != CFUB_IMAGE_VERSION || !(h->flags & CFUB_RUN_MODEL)) {
        model_error = "no model in the data block (the host writes it with the firmware)";
        return;
    }
    if (!in_data_block(h->model_offset, h->model_len)) {
        model_error = "the data block's model lies outside it";
        return;
    }
    interp = cfub_load(_cfub_data_start + h->model_offset, h->model_len, _cfub_arena_start,
                       (size_t)(_cfub_arena_end - _cfub_arena_start), NULL, &status);
    model_error = interp ? NULL : status.msg;
}

const char *th_model_error(void) { return model_error; }

size_t th_input_bytes(void) { return interp ? cfub_input_bytes(interp) : 0; }

const char *th_model_id(void) {
    /* The runner chooses its test script by this id; the benchmark inputs have these sizes. */
    switch (th_input_bytes()) {
    case 49 * 10:
        return "kws01";
    case 96 * 96 * 3:
        return "vww01";
    case 32 * 32 * 3:
        return "ic01";
    case 640:
        return "ad01";
    default:
        return "unknown";
    }
}

const char *th_load_tensor(const uint8_t *data, size_t len) {
    if (len != th_input_bytes()) return "input size does not match the model";
    memcpy(input, data, len);
    input_len = len;
    return NULL;
}

const char *th_infer(void) {
    if (!interp || !input_len) return "no model or no input";
    const uint64_t t0 = read_mcycle();
    if (cfub_invoke(interp, input, input_len, 0, &status) != CFUB_OK) return status.msg;
    const uint64_t spent = read_mcycle() - t0;
    const uint64_t counted = cfub_invoke_total(interp);
    excluded_cycles += spent > counted ? spent - counted : 0;
    return NULL;
}

uint64_t th_timestamp_us(void) {
    return (read_mcycle() - excluded_cycles) / (CONFIG_CLOCK_FREQUENCY / 1000000u);
}

static size_t elements(const cfub_io_tensor *t) { return t->bytes / (t->type == 7 ? 2u : 1u); }

static bool autoencoder(const cfub_io_tensor *in, const cfub_io_tensor *out) {
    cfub_io_tensor more;
    int32_t q;
    const bool one_each = cfub_model_io(interp, false, 1, &more) != 0 &&
                          cfub_model_io(interp, true, 1, &more) != 0;
    return one_each && in->quantized && out->quantized &&
           ee_quantized_at(in->data, in->type, 0, &q) == 0 &&
           ee_quantized_at(out->data, out->type, 0, &q) == 0 && elements(in) == elements(out);
}

/* An autoencoder (one input, one output of as many quantized elements) reports its anomaly
 * score as the AD reference does; any other model its first output, dequantized. */
void th_results(void) {
    cfub_io_tensor in, out;
    if (!interp || cfub_model_io(interp, false, 0, &in) || cfub_model_io(interp, true, 0, &out)) {
        ee_put_bracketed("e-", "no model");
        return;
    }
    ee_puts("m-results-[");
    if (autoencoder(&in, &out)) {
        const ee_qtensor qo = {out.data, out.type, out.scale, out.zero_point};
        const ee_qtensor qi = {input, in.type, in.scale, in.zero_point};
        float mse = 0.0f;
        ee_reconstruction_mse(&qo, &qi, elements(&out), &mse);
        ee_put_fixed6(mse);
    } else if (out.type == 0) { /* FLOAT32 */
        for (size_t k = 0; k < out.bytes / 4; k++) {
            float v;
            memcpy(&v, out.data + 4 * k, sizeof v);
            if (k) ee_putc(',');
            ee_put_fixed6(v);
        }
    } else {
        for (size_t k = 0; k < elements(&out); k++) {
            int32_t q = 0;
            if (ee_quantized_at(out.data, out.type, k, &q)) break;
            if (k) ee_putc(',');
            if (out.quantized)
                ee_put_fixed6(ee_dequantize(q, out.scale, out.zero_point));
            else
                ee_put_int(q);
        }
    }
    ee_puts("]\r\n");
    /* cfu-bench's own line: the raw output bytes' CRC-32, for the bit-exact check against TFLM
     * (the runner ignores lines it does not know) */
    ee_puts("m-results-crc32-");
    const uint32_t crc = cfub_crc32(0, out.data, out.bytes);
    for (int shift = 24; shift >= 0; shift -= 8) ee_put_hex2((uint8_t)(crc >> shift));
    ee_puts("\r\n");
}

void th_exit(void) { platform_exit(0); }
