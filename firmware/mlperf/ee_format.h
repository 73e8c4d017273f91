/* Number formatting and the result arithmetic of the MLPerf firmware, in pure functions so
 * the host can check them (cfu_bench/commands/mlperf/results.py mirrors them exactly). */
#ifndef CFUB_MLPERF_EE_FORMAT_H
#define CFUB_MLPERF_EE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define EE_FIXED6_MAX 32

/* Decimal digits of v into buf (at least 21 bytes), NUL-terminated. */
void ee_format_uint(uint64_t v, char *buf);

/* v with exactly 6 decimals, rounded half away from zero from v's exact binary value (so the
 * text follows from the float's bits alone): "-0.003906", "12.500000". "nan", "inf", "-inf"
 * for those; magnitudes of 2^43 or more print as "overflow". buf holds EE_FIXED6_MAX bytes. */
void ee_format_fixed6(float v, char *buf);

/* TFLM's DequantizeInt8ToFloat: (float)(q - zero_point) * scale, in float32. */
float ee_dequantize(int32_t q, float scale, int32_t zero_point);

/* The anomaly score of an autoencoder, as the MLPerf Tiny AD reference computes it: the mean
 * over n elements of (dequantized output - dequantized input)^2, summed in order in float32. */
typedef struct ee_qtensor {
    const uint8_t *data;
    int type; /* tflite TensorType of a quantized tensor: INT8, UINT8 or INT16 */
    float scale;
    int32_t zero_point;
} ee_qtensor;
/* Returns 0 and sets *mse, or -1 when a type is not one ee_quantized_at() reads. */
int ee_reconstruction_mse(const ee_qtensor *out, const ee_qtensor *in, size_t n, float *mse);

/* Reads the element k of a quantized tensor of tflite type `type` (INT8, UINT8, INT16) as an
 * integer. Returns 0 and sets *q, or -1 for a type it does not read. */
int ee_quantized_at(const uint8_t *data, int type, size_t k, int32_t *q);

#endif
