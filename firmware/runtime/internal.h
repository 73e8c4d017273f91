/* Runtime internals shared by the parser, the op table, the planner and the interpreter. */
#ifndef CFUB_INTERNAL_H
#define CFUB_INTERNAL_H

#include "../kernels/cfub_kernels.h"
#include "cfub.h"
#include "cfub_accel.h"
#include "fb.h"

#define CFUB_ALIGN 16u
/* inputs or outputs of one op: TFLM has no limit; this one only bounds hostile files */
#define CFUB_MAX_OP_IO 1024

/* tflite schema constants used here */
enum {
    TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4,
    TFL_BOOL = 6, TFL_INT16 = 7, TFL_INT8 = 9, TFL_FLOAT64 = 10, TFL_RESOURCE = 13,
};
enum { OP_CUSTOM = 32 };
/* the control ops (ops/control.c) */
enum { OP_IF = 118, OP_WHILE = 119, OP_CALL_ONCE = 129, OP_VAR_HANDLE = 142, OP_READ_VARIABLE = 143,
       OP_ASSIGN_VARIABLE = 144 };
enum { OPT_IF = 92, OPT_CALL_ONCE = 103, OPT_VAR_HANDLE = 111 };
enum {
    OPT_CONV2D = 1, OPT_DEPTHWISE = 2, OPT_POOL2D = 5, OPT_FULLY_CONNECTED = 8,
    OPT_SOFTMAX = 9, OPT_ADD = 11, OPT_RESHAPE = 17,
};

typedef struct cfub_tensor {
    uint8_t *data;          /* model (constants) or arena (activations) */
    uint32_t bytes;
    int32_t dims[CFUB_MAX_DIMS];
    uint8_t ndim;
    uint8_t type;
    uint8_t is_const;
    uint8_t is_variable;    /* state kept across invokes (SVDF, LSTM): persistent, never planned */
    uint8_t has_quant;
    float scale;            /* first scale (TFLM's params.scale) */
    int32_t zero_point;     /* first zero point */
    int32_t quant_dim;
    uint32_t n_scales;
    fb_vec scales;          /* float32[] in the model */
    int32_t producer;       /* op writing it, -1 if none */
    int32_t first_use;      /* planner lifetime, op indices; -1 = not planned */
    int32_t last_use;
    uint32_t arena_off;
} cfub_tensor;

struct cfub_node;
typedef int (*cfub_prepare_fn)(cfub_interp *ip, struct cfub_node *n);
typedef int (*cfub_eval_fn)(cfub_interp *ip, struct cfub_node *n);

/* One op the runtime runs (ops/<op>.c): prepare validates the tensors and options and
 * computes every quantization parameter exactly as TFLM's Prepare does, before planning,
 * setting n->layer.params; eval is the reference kernel, run unless a CFU kernel took the
 * layer (resolver.c). */
typedef struct cfub_opdef {
    int32_t builtin;
    cfub_prepare_fn prepare;
    cfub_eval_fn eval;
} cfub_opdef;

typedef struct cfub_node {
    const cfub_opdef *def;          /* NULL only while surveying an unsupported op */
    int32_t builtin;
    uint32_t opcode_index;
    int32_t *in;                    /* n_in tensor indices, -1 = optional input omitted;
                                       padded with -1 to at least CFUB_MAX_OP_INPUTS */
    int32_t n_in;
    int32_t out;                    /* the first output (most ops have only this one) */
    int32_t *outs;                  /* n_out tensor indices, outs[0] == out */
    int32_t n_out;
    uint8_t opts_type;
    fb_table opts;                  /* builtin options table (pos 0 = absent) */
    const char *kernel;             /* "ref" or the CFU kernel's name */
    void *state;                    /* op-specific prepared data */
    cfub_layer layer;               /* what a kernel sees: params and data pointers */
    const cfub_kernel *accel;       /* the CFU kernel running it, NULL: reference */
    void *accel_state;
    uint64_t macs;
    uint64_t cycles;
    uint32_t crc;                   /* over all outputs' bytes, concatenated in output order */
} cfub_node;

/* One subgraph's tables. The interpreter's tensors/nodes/inputs/outputs fields mirror the
 * subgraph in use (cfub_use_subgraph): subgraph 0 except while preparing or running another. */
typedef struct cfub_subgraph {
    cfub_tensor *tensors;
    int32_t n_tensors;
    cfub_node *nodes;
    int32_t n_nodes;
    int32_t *inputs;
    int32_t n_inputs;
    int32_t *outputs;
    int32_t n_outputs;
} cfub_subgraph;

/* A resource variable (VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE), as TFLM's
 * MicroResourceVariables: found by (container, shared_name), its buffer allocated by the first
 * ASSIGN_VARIABLE prepared, filled with that value's int8 zero point (or 0). */
typedef struct cfub_resource {
    fb_vec container;   /* len 0: none (matches any, as TFLM's null container) */
    fb_vec name;
    uint8_t *buf;
    uint32_t bytes;
    uint8_t default_value;
} cfub_resource;

struct cfub_interp {
    fb_reader fb;
    const uint8_t *model;
    uint32_t model_len;
    uint8_t *arena;       /* 16-byte aligned start */
    size_t arena_len;
    size_t tail;          /* persistent allocations occupy [tail, arena_len) */
    size_t planned;       /* activations occupy [0, planned) */
    cfub_tensor *tensors;
    int32_t n_tensors;
    cfub_node *nodes;
    int32_t n_nodes;
    int32_t *inputs;
    int32_t n_inputs;
    int32_t *outputs;
    int32_t n_outputs;
    size_t input_bytes;
    uint64_t total_macs;
    uint64_t setup_cycles;
    uint64_t last_total;
    cfub_options opts;
    cfub_status *st;
    bool survey;          /* cfub_survey: keep going past unsupported ops (their def is NULL) */
    cfub_subgraph *subgraphs;
    int32_t n_subgraphs;
    int32_t current;      /* the subgraph the fields above mirror */
    int32_t depth;        /* nesting of subgraphs run by control ops */
    cfub_resource *resources;
    int32_t n_resources;
    int32_t max_resources;
};

/* errors.c: set the status (the first failure wins) and return its code */
int cfub_fail(cfub_interp *ip, int code, const char *msg);
int cfub_fail_op(cfub_interp *ip, int code, const cfub_node *n, const char *msg);
int cfub_fail_op_int(cfub_interp *ip, int code, const cfub_node *n, const char *msg, int64_t v);
int cfub_fail_type(cfub_interp *ip, const cfub_node *n, const char *role, int k, int type);
int cfub_fail_fb(cfub_interp *ip);

/* arena.c: persistent allocations from the arena's top, 8-byte aligned */
void *cfub_persistent(cfub_interp *ip, size_t bytes);

/* Load far enough to judge every op on its own (parse, then each op's prepare, no planning),
 * calling fn once per op with CFUB_OK or the code and message that op is refused with. Returns
 * CFUB_OK, or the error that stops the whole model (malformed, graph, arena). For the host
 * (`cfu-bench info` marks the layers the runtime cannot run). */
typedef void (*cfub_survey_fn)(void *ctx, int op, int code, const char *msg);
int cfub_survey(const uint8_t *model, size_t model_len, uint8_t *arena, size_t arena_len,
                cfub_survey_fn fn, void *ctx, cfub_status *st);
int cfub_unsupported_op(cfub_interp *ip, int32_t index);

/* model.c: make subgraph k the one ip->tensors etc. refer to; run all its ops (control ops) */
void cfub_use_subgraph(cfub_interp *ip, int32_t k);
int cfub_run_subgraph(cfub_interp *ip, int32_t k);
/* ops/control.c: back to the post-load state (CALL_ONCE runs again) */
void cfub_control_reset(cfub_interp *ip, cfub_node *n);
/* the resource variable (container, name) of the model, created if new; -1 when full */
int32_t cfub_resource_id(cfub_interp *ip, const fb_vec *container, const fb_vec *name);

/* model.c, planner.c */
int cfub_parse_model(cfub_interp *ip);
int cfub_plan(cfub_interp *ip);
/* persistent memory for the variable tensors (after parsing, before planning) */
int cfub_alloc_variables(cfub_interp *ip);
uint32_t cfub_type_size(int type);
int64_t cfub_elements(const cfub_tensor *t);

/* resolver.c: the op table, kernel selection after planning, and running one op */
const cfub_opdef *cfub_find_op(int32_t builtin);
int cfub_bind_kernel(cfub_interp *ip, cfub_node *n);
int cfub_eval_node(cfub_interp *ip, cfub_node *n);

/* the ops, one file each in ops/ */
extern const cfub_opdef cfub_op_add;
extern const cfub_opdef cfub_op_assign_variable;
extern const cfub_opdef cfub_op_average_pool;
extern const cfub_opdef cfub_op_batch_matmul;
extern const cfub_opdef cfub_op_call_once;
extern const cfub_opdef cfub_op_cast;
extern const cfub_opdef cfub_op_concatenation;
extern const cfub_opdef cfub_op_conv;
extern const cfub_opdef cfub_op_depth_to_space;
extern const cfub_opdef cfub_op_depthwise;
extern const cfub_opdef cfub_op_dequantize;
extern const cfub_opdef cfub_op_expand_dims;
extern const cfub_opdef cfub_op_fully_connected;
extern const cfub_opdef cfub_op_gather;
extern const cfub_opdef cfub_op_hard_swish;
extern const cfub_opdef cfub_op_if;
extern const cfub_opdef cfub_op_l2norm;
extern const cfub_opdef cfub_op_leaky_relu;
extern const cfub_opdef cfub_op_logistic;
extern const cfub_opdef cfub_op_max_pool;
extern const cfub_opdef cfub_op_maximum;
extern const cfub_opdef cfub_op_mean;
extern const cfub_opdef cfub_op_minimum;
extern const cfub_opdef cfub_op_mul;
extern const cfub_opdef cfub_op_pack;
extern const cfub_opdef cfub_op_pad;
extern const cfub_opdef cfub_op_padv2;
extern const cfub_opdef cfub_op_prelu;
extern const cfub_opdef cfub_op_quantize;
extern const cfub_opdef cfub_op_read_variable;
extern const cfub_opdef cfub_op_reduce_max;
extern const cfub_opdef cfub_op_relu6;
extern const cfub_opdef cfub_op_relu;
extern const cfub_opdef cfub_op_reshape;
extern const cfub_opdef cfub_op_resize_bilinear;
extern const cfub_opdef cfub_op_resize_nearest_neighbor;
extern const cfub_opdef cfub_op_slice;
extern const cfub_opdef cfub_op_softmax;
extern const cfub_opdef cfub_op_space_to_depth;
extern const cfub_opdef cfub_op_split;
extern const cfub_opdef cfub_op_split_v;
extern const cfub_opdef cfub_op_squeeze;
extern const cfub_opdef cfub_op_strided_slice;
extern const cfub_opdef cfub_op_sub;
extern const cfub_opdef cfub_op_sum;
extern const cfub_opdef cfub_op_svdf;
extern const cfub_opdef cfub_op_tanh;
extern const cfub_opdef cfub_op_transpose;
extern const cfub_opdef cfub_op_transpose_conv;
extern const cfub_opdef cfub_op_unidirectional_sequence_lstm;
extern const cfub_opdef cfub_op_unpack;
extern const cfub_opdef cfub_op_var_handle;

/* tiny string builder (no printf on the target) */
typedef struct cfub_sb {
    char *buf;
    size_t cap;
    size_t len;
} cfub_sb;
void cfub_sb_init(cfub_sb *sb, char *buf, size_t cap);
void cfub_sb_str(cfub_sb *sb, const char *s);
void cfub_sb_int(cfub_sb *sb, int64_t v);
void cfub_sb_uint(cfub_sb *sb, uint64_t v);
void cfub_sb_hex8(cfub_sb *sb, uint32_t v);
void cfub_sb_token(cfub_sb *sb, const char *s, size_t max);

#endif
