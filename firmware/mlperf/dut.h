/* What the protocol (ee_protocol.c) needs from the device under test (dut.c). */
#ifndef CFUB_MLPERF_DUT_H
#define CFUB_MLPERF_DUT_H

#include <stddef.h>
#include <stdint.h>

/* NULL when the model is ready; otherwise why not (printed as an e-[...] line). */
const char *th_model_error(void);
/* "kws01", "vww01", "ic01", "ad01" (by input size, as the runner picks its test), or "unknown" */
const char *th_model_id(void);
size_t th_input_bytes(void);
/* Copy the input (exactly th_input_bytes()); NULL or an error message. */
const char *th_load_tensor(const uint8_t *data, size_t len);
/* One inference; NULL or an error message. */
const char *th_infer(void);
/* Print m-results-[...] (and our m-results-crc32 line) for the last inference. */
void th_results(void);
/* The benchmark clock in microseconds at the SoC's clock frequency. */
uint64_t th_timestamp_us(void);
void th_exit(void) __attribute__((noreturn));

#endif
