/* Acceleration hook: how a CFU design's C kernels take over CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED layers.
 *
 * A design (C files in cfu/<name>/kernels/, compiled and linked into the firmware next to
 * CFUB_SOURCES) defines any of these NULL-terminated tables:
 *
 *     #include "cfub_accel.h"   // add -I firmware/runtime -I firmware/kernels
 *
 *     static bool conv1x1_prepare(const cfub_conv_params *p, const cfub_layer_data *d,
 *                                 cfub_alloc *alloc, void **state) {
 *         return p->k_h == 1 && p->k_w == 1 && p->in_c % 4 == 0;   // decline everything else
 *     }
 *     static void conv1x1_eval(const cfub_conv_params *p, const cfub_layer_data *d, void *state) {
 *         ... same output bytes as cfub_ref_conv(p, d->input, d->filter, d->bias, d->output) ...
 *     }
 *     static const cfub_conv_kernel conv1x1 = {"cfu_conv1x1", conv1x1_prepare, conv1x1_eval};
 *     const cfub_conv_kernel *const cfub_accel_conv[] = {&conv1x1, NULL};
 *
 * At prepare time the runtime offers each CONV_2D layer to the kernels of cfub_accel_conv in
 * order; the first whose prepare() returns true runs that layer, and its name appears in the
 * layer's CFUB OP line. Layers nobody accepts run the reference kernel ("ref"). With no design
 * linked, weak empty tables make everything reference. Tables must be linked as object files
 * (not from a static library, whose members a weak default would never pull in).
 *
 * prepare() sees final tensor addresses (weights live in the model, activations in the
 * arena), so it may pre-pack weights or fold offsets into per-channel constants, keeping them
 * in memory from cfub_alloc_persistent() and returning it through *state; eval() gets that
 * pointer back. The params struct holds everything TFLM computes at prepare time (multipliers,
 * shifts, offsets, padding, activation bounds): use it, never recompute. eval() must produce
 * exactly the reference bytes; every layer's CRC is checked against TFLM. */
#ifndef CFUB_ACCEL_H
#define CFUB_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kernels/cfub_kernels.h"

typedef struct cfub_layer_data {
    const int8_t *input;
    const int8_t *filter;
    const int32_t *bias;   /* NULL when the layer has no bias */
    int8_t *output;
} cfub_layer_data;

typedef struct cfub_interp cfub_alloc;

/* 16-byte aligned memory from the arena's persistent end, valid for the interpreter's life.
 * Only callable from prepare(); NULL when the arena is full (then decline the layer). */
void *cfub_alloc_persistent(cfub_alloc *alloc, size_t bytes);

typedef struct cfub_conv_kernel {
    const char *name; /* shown in CFUB OP lines: up to 32 printable chars, no spaces */
    bool (*prepare)(const cfub_conv_params *p, const cfub_layer_data *d, cfub_alloc *alloc, void **state);
    void (*eval)(const cfub_conv_params *p, const cfub_layer_data *d, void *state);
} cfub_conv_kernel;

typedef struct cfub_dw_kernel {
    const char *name;
    bool (*prepare)(const cfub_dw_params *p, const cfub_layer_data *d, cfub_alloc *alloc, void **state);
    void (*eval)(const cfub_dw_params *p, const cfub_layer_data *d, void *state);
} cfub_dw_kernel;

typedef struct cfub_fc_kernel {
    const char *name;
    bool (*prepare)(const cfub_fc_params *p, const cfub_layer_data *d, cfub_alloc *alloc, void **state);
    void (*eval)(const cfub_fc_params *p, const cfub_layer_data *d, void *state);
} cfub_fc_kernel;

/* NULL-terminated; a NULL prepare accepts every layer. */
extern const cfub_conv_kernel *const cfub_accel_conv[];
extern const cfub_dw_kernel *const cfub_accel_depthwise[];
extern const cfub_fc_kernel *const cfub_accel_fc[];

#endif /* CFUB_ACCEL_H */
