/* cfu-bench firmware runtime: runs unmodified INT8 .tflite models, bit-exact with TFLM.
 *
 * A target needs three things:
 *
 *   1. the platform interface below (two functions), e.g. for VexRiscv:
 *
 *        uint64_t cfub_cycles(void) {           // mcycle, read hi/lo/hi for a clean 64 bits
 *            uint32_t hi, lo, hi2;
 *            do { __asm__ volatile("csrr %0, mcycleh" : "=r"(hi));
 *                 __asm__ volatile("csrr %0, mcycle"  : "=r"(lo));
 *                 __asm__ volatile("csrr %0, mcycleh" : "=r"(hi2)); } while (hi != hi2);
 *            return ((uint64_t)hi << 32) | lo;
 *        }
 *        void cfub_puts(const char *s) { while (*s) uart_write(*s++); }
 *
 *   2. the sources listed in firmware/runtime/sources.mk (CFUB_SOURCES), plus, optionally, a
 *      CFU design's kernels (see cfub_accel.h);
 *
 *   3. one call:
 *
 *        static uint8_t arena[256 * 1024] __attribute__((aligned(16)));
 *        int main(void) {
 *            int rc = cfub_run(model, model_len, arena, sizeof arena, inputs, inputs_len, n_inputs);
 *            for (;;) {}   // or signal rc to the simulator
 *        }
 *
 * `inputs` holds n_inputs inputs back to back; input_len is the size of one input, which must
 * equal the model's input tensor bytes (all input tensors, in model order); passing the total
 * n_inputs * size is accepted too.
 *
 * cfub_run parses and validates the model, plans the arena, prepares every op (refusing any
 * unsupported op or tensor type before running anything), then for each of the n_inputs
 * inputs copies it into the model's input tensor(s), runs every op and reports, one line each:
 *
 *   CFUB MODEL bytes=<n> ops=<n> arena=<n> setup_cycles=<n>
 *   CFUB INPUT <k>
 *   CFUB OP <index> <OPNAME> <kernel> <cycles> <crc32 of the op's outputs, 8 hex>
 *   CFUB INVOKE <k> total=<cycles> kernels=<sum of op cycles> overhead=<total-kernels>
 *   CFUB DONE
 *
 * or, on any failure, `CFUB ERROR <code> <message>` and nothing more. OP lines of input k are
 * printed after that input's inference, so UART time never lands inside a measurement.
 * `total` is the inference loop's own time (op dispatch + kernels); the CRC of each output,
 * which is profiling, is measured separately and excluded. An op with several outputs (SPLIT,
 * UNPACK, ...) has one CRC over all their bytes concatenated in output order.
 *
 * Everything (tensor table, op parameters, activations) lives in the caller's arena; no
 * malloc, no libc beyond memcpy/memset, no libm. The model buffer must stay valid and be
 * 4-byte aligned (int32 bias and float data are read in place). */
#ifndef CFUB_H
#define CFUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- platform interface: supplied by the target's main.c or by the host glue ---------- */
uint64_t cfub_cycles(void);     /* free-running cycle counter */
void cfub_puts(const char *s);  /* write s as is; the runtime puts the '\n' in s */

/* ---- error codes (the <code> of CFUB ERROR) ------------------------------------------ */
enum {
    CFUB_OK = 0,
    CFUB_ERR_MALFORMED = 1,   /* not a readable .tflite: offsets, sizes, indices out of bounds */
    CFUB_ERR_UNSUPPORTED = 2, /* an op, tensor type or feature this runtime does not implement */
    CFUB_ERR_INVALID = 3,     /* readable but inconsistent: shapes, quantization, options */
    CFUB_ERR_ARENA = 4,       /* the arena is too small */
    CFUB_ERR_INPUT = 5,       /* input bytes do not match the model's input tensors */
    CFUB_ERR_EVAL = 6,        /* a kernel failed while running (TFLM fails there too) */
    CFUB_ERR_LIMIT = 7,       /* the model exceeds cfub_options.max_macs */
};

#define CFUB_MSG_MAX 200

typedef struct cfub_status {
    int code;
    char msg[CFUB_MSG_MAX];
} cfub_status;

/* Called after each op with its output tensor, once per output in output order for ops with
 * several, once with len 0 for ops with none (host tests collect outputs this way); runs
 * outside the measured time. */
typedef void (*cfub_observer_fn)(void *ctx, int input_index, int op_index, const char *op_name,
                                 const char *kernel, const uint8_t *data, size_t len);

typedef struct cfub_options {
    bool disable_accel;     /* use reference kernels even where a CFU kernel would accept */
    uint64_t max_macs;      /* refuse models doing more MACs (pool windows count) per inference; 0 = no limit */
    cfub_observer_fn observer;
    void *observer_ctx;
    bool stream;            /* cfub_run: the inputs are one stream, state carried from each to the
                               next; default: each from the post-load state */
} cfub_options;

/* The whole job, as described above. Returns CFUB_OK or the error code it printed. */
int cfub_run(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
             const uint8_t *inputs, size_t input_len, int n_inputs);
/* Same, with options (NULL = defaults). */
int cfub_run_ex(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
                const uint8_t *inputs, size_t input_len, int n_inputs, const cfub_options *opts);

/* ---- lower level: load once, invoke many times --------------------------------------- */
typedef struct cfub_interp cfub_interp;

/* Parse, validate, prepare and plan. Returns NULL with st filled on failure. The interpreter
 * lives inside the arena. */
cfub_interp *cfub_load(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
                       const cfub_options *opts, cfub_status *st);
/* Back to the state right after cfub_load: variable tensors (SVDF, LSTM state) reset as TFLM
 * resets them. cfub_invoke keeps state from one call to the next (streaming); cfub_run resets
 * before each input, so every input sees the model as loaded. */
void cfub_reset(cfub_interp *ip);
size_t cfub_input_bytes(const cfub_interp *ip);   /* bytes of one input (all input tensors) */
size_t cfub_arena_used(const cfub_interp *ip);    /* bytes of the arena in use */
size_t cfub_arena_planned(const cfub_interp *ip); /* of which activations (the planned part) */
int cfub_op_count(const cfub_interp *ip);
uint64_t cfub_setup_cycles(const cfub_interp *ip);

/* One inference on `input` (cfub_input_bytes() bytes). Per-op results stay readable below
 * until the next invoke. */
int cfub_invoke(cfub_interp *ip, const uint8_t *input, size_t len, int input_index, cfub_status *st);
const char *cfub_op_name_at(const cfub_interp *ip, int op);  /* e.g. "CONV_2D" */
const char *cfub_op_kernel(const cfub_interp *ip, int op);   /* "ref" or the CFU kernel's name */
uint64_t cfub_op_cycles(const cfub_interp *ip, int op);
uint32_t cfub_op_crc(const cfub_interp *ip, int op);
uint64_t cfub_invoke_total(const cfub_interp *ip);            /* of the last invoke */

/* ---- model inputs and outputs (added for firmware/mlperf) ---------------------------- */
typedef struct cfub_io_tensor {
    const uint8_t *data;  /* outputs: valid after an invoke; inputs: may be reused by the plan */
    size_t bytes;
    int type;             /* tflite TensorType: 0 FLOAT32, 3 UINT8, 7 INT16, 9 INT8, ... */
    bool quantized;       /* scale and zero_point below are meaningful */
    float scale;          /* first scale and zero point, as TFLM's params */
    int32_t zero_point;
} cfub_io_tensor;

/* Model input (is_output = false) or output number k. Returns 0, or -1 if there is none. */
int cfub_model_io(const cfub_interp *ip, bool is_output, int k, cfub_io_tensor *out);

/* Standard IEEE CRC-32 (zlib.crc32): crc = cfub_crc32(0, data, len). */
uint32_t cfub_crc32(uint32_t crc, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* CFUB_H */
