/* The op table: for each supported builtin, prepare() validates the tensors and options and
 * computes every quantization parameter exactly as TFLM's Prepare does; bind() runs after
 * arena planning and picks the kernel (a CFU kernel or the reference); eval() runs it. */
#include "../kernels/cfub_string.h"

#include "internal.h"
#include "names.h"

/* ---- shared checks ------------------------------------------------------------------- */

static const cfub_tensor *input_tensor(cfub_interp *ip, const cfub_node *n, int k) {
    if (k >= n->n_in || n->in[k] < 0) return NULL;
    return &ip->tensors[n->in[k]];
}

static bool finite_positive(float f) { return f > 0.0f && f <= 3.40282347e38f; }
static bool finite(float f) { return f >= -3.40282347e38f && f <= 3.40282347e38f; }

static int need_inputs(cfub_interp *ip, const cfub_node *n, int min, int max) {
    if (n->n_in < min || n->n_in > max) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of inputs:", n->n_in);
    for (int k = 0; k < min; k++)
        if (n->in[k] < 0) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "missing required input", k);
    return CFUB_OK;
}

static int need_type(cfub_interp *ip, const cfub_node *n, const char *role, int k, const cfub_tensor *t, int type) {
    if (t->type != type) return cfub_fail_type(ip, n, role, k, t->type);
    return CFUB_OK;
}

/* An int8 activation tensor needs a usable per-tensor quantization. */
static int need_act_q(cfub_interp *ip, const cfub_node *n, const char *what, const cfub_tensor *t) {
    if (!t->has_quant || !finite_positive(t->scale)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, what);
    if (t->zero_point < -128 || t->zero_point > 127) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "zero point outside int8:", t->zero_point);
    return CFUB_OK;
}

static int need_rank(cfub_interp *ip, const cfub_node *n, const cfub_tensor *t, int rank) {
    if (t->ndim != rank) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "tensor has the wrong rank:", t->ndim);
    return CFUB_OK;
}

static const fb_table *options(cfub_interp *ip, const cfub_node *n, int type) {
    (void)ip;
    return (n->opts_type == type && n->opts.pos) ? &n->opts : NULL;
}

static int activation(cfub_interp *ip, const cfub_node *n, int act, const cfub_tensor *out,
                      int32_t *act_min, int32_t *act_max) {
    if (act != CFUB_ACT_NONE && act != CFUB_ACT_RELU && act != CFUB_ACT_RELU6 && act != CFUB_ACT_RELU_N1_TO_1)
        return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "unsupported fused activation", act);
    if (!cfub_activation_range(act, out->scale, out->zero_point, act_min, act_max))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "activation bound overflows int32");
    return CFUB_OK;
}

static int requant(cfub_interp *ip, const cfub_node *n, double m, int32_t *mult, int32_t *shift) {
    int s;
    if (!cfub_quantize_multiplier(m, mult, &s)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite requantization scale");
    if (s > 31) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "requantization shift too large:", s);
    *shift = s;
    return CFUB_OK;
}

/* Output size and TFLM padding (ComputePaddingHeightWidth) for one spatial dimension,
 * checked against the output tensor's size. */
static int window(cfub_interp *ip, const cfub_node *n, int padding, int32_t in, int32_t k,
                  int32_t stride, int32_t dil, int32_t out, int32_t *pad) {
    if (stride < 1 || stride > 65535 || dil < 1 || dil > 65535 || k < 1)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "stride, dilation or window out of range");
    const int64_t eff = (int64_t)(k - 1) * dil + 1;
    int64_t computed;
    if (padding == 0) computed = ((int64_t)in + stride - 1) / stride;
    else if (padding == 1) computed = ((int64_t)in + stride - eff) / stride;
    else return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "unknown padding", padding);
    if (computed < 1 || computed != out)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "output size does not match the window arithmetic, expected", computed);
    /* keeps every index the kernels form (origin + dilation * tap) inside int32 */
    if (eff > 0x3fffffff || (computed - 1) * stride + eff > 0x3fffffff)
        return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "window extent too large");
    int64_t total = (computed - 1) * stride + eff - in;
    if (total < 0) total = 0;
    if (total > 0x3fffffff) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "padding out of range");
    *pad = (int32_t)(total / 2);
    return CFUB_OK;
}

/* Per-channel filter scales, TFLM's PopulateConvolutionQuantizationParams. */
static int per_channel_multipliers(cfub_interp *ip, const cfub_node *n, const cfub_tensor *input,
                                   const cfub_tensor *filter, const cfub_tensor *output, int32_t channels,
                                   int quant_dim, const int32_t **mult_out, const int32_t **shift_out) {
    if (!filter->has_quant) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "filter has no quantization");
    const uint32_t ns = filter->n_scales;
    if (ns != 1) {
        if (ns != (uint32_t)channels) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "filter scale count does not match channels:", ns);
        if (filter->quant_dim != quant_dim) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "filter quantized along dimension", filter->quant_dim);
    }
    int32_t *mult = cfub_persistent(ip, (size_t)channels * sizeof(int32_t));
    int32_t *shift = cfub_persistent(ip, (size_t)channels * sizeof(int32_t));
    if (!mult || !shift) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for per-channel multipliers");
    for (int32_t c = 0; c < channels; c++) {
        const float fs = fb_vec_f32(&ip->fb, &filter->scales, ns == 1 ? 0 : (uint32_t)c);
        if (ip->fb.err) return cfub_fail_fb(ip);
        if (!finite(fs)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite filter scale");
        const double effective = (double)input->scale * (double)fs / (double)output->scale;
        int rc = requant(ip, n, effective, &mult[c], &shift[c]);
        if (rc) return rc;
    }
    *mult_out = mult;
    *shift_out = shift;
    return CFUB_OK;
}

/* TFLM accumulates in int32: a window too deep could overflow where TFLM's result is
 * undefined, so such layers are refused instead of run. */
static int accumulator_fits(cfub_interp *ip, const cfub_node *n, int64_t depth, int64_t max_term) {
    if (depth * max_term > INT32_MAX) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "accumulation too deep for int32:", depth);
    return CFUB_OK;
}

static int bias_ok(cfub_interp *ip, const cfub_node *n, const cfub_tensor *bias, int32_t channels) {
    if (!bias) return CFUB_OK;
    int rc = need_type(ip, n, "input", 2, bias, TFL_INT32);
    if (rc) return rc;
    if (cfub_elements(bias) != channels) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias size does not match output channels");
    return CFUB_OK;
}

static cfub_layer_data layer_data(cfub_interp *ip, const cfub_node *n) {
    cfub_layer_data d;
    const cfub_tensor *bias = input_tensor(ip, n, 2);
    d.input = (const int8_t *)ip->tensors[n->in[0]].data;
    d.filter = (const int8_t *)ip->tensors[n->in[1]].data;
    d.bias = bias ? (const int32_t *)bias->data : NULL;
    d.output = (int8_t *)ip->tensors[n->out].data;
    return d;
}

/* ---- CONV_2D ------------------------------------------------------------------------- */

typedef struct {
    cfub_conv_params p;
    cfub_layer_data d;
    const cfub_conv_kernel *accel;
    void *accel_state;
} conv_state;

static int prepare_conv(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 2, 3);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *f = input_tensor(ip, n, 1), *bias = input_tensor(ip, n, 2);
    const cfub_tensor *out = &ip->tensors[n->out];
    if ((rc = need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = need_type(ip, n, "input", 1, f, TFL_INT8)) ||
        (rc = need_type(ip, n, "output", 0, out, TFL_INT8)) || (rc = bias_ok(ip, n, bias, f->ndim ? f->dims[0] : 0)) ||
        (rc = need_rank(ip, n, in, 4)) || (rc = need_rank(ip, n, f, 4)) || (rc = need_rank(ip, n, out, 4)) ||
        (rc = need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    const fb_table *o = options(ip, n, OPT_CONV2D);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing Conv2DOptions");
    conv_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    cfub_conv_params *p = &s->p;
    const int padding = fb_u8(&ip->fb, o, 0, 0);
    p->stride_w = fb_i32(&ip->fb, o, 1, 0);
    p->stride_h = fb_i32(&ip->fb, o, 2, 0);
    const int act = fb_u8(&ip->fb, o, 3, 0);
    p->dil_w = fb_i32(&ip->fb, o, 4, 1);
    p->dil_h = fb_i32(&ip->fb, o, 5, 1);
    if (ip->fb.err) return cfub_fail_fb(ip);
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->in_c = in->dims[3];
    p->out_c = f->dims[0];
    p->k_h = f->dims[1];
    p->k_w = f->dims[2];
    p->filter_in_c = f->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (out->dims[0] != p->batches || out->dims[3] != p->out_c)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match input and filter");
    if (p->in_c % p->filter_in_c != 0 || p->out_c % (p->in_c / p->filter_in_c) != 0)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "filter depth does not divide input channels");
    if ((rc = window(ip, n, padding, p->in_h, p->k_h, p->stride_h, p->dil_h, p->out_h, &p->pad_h)) ||
        (rc = window(ip, n, padding, p->in_w, p->k_w, p->stride_w, p->dil_w, p->out_w, &p->pad_w)))
        return rc;
    const int64_t depth = (int64_t)p->k_h * p->k_w * p->filter_in_c;
    if ((rc = accumulator_fits(ip, n, depth, 128 * 255))) return rc;
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    if ((rc = activation(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    if ((rc = per_channel_multipliers(ip, n, in, f, out, p->out_c, 0, &p->out_mult, &p->out_shift))) return rc;
    n->macs = (uint64_t)cfub_elements(out) * (uint64_t)depth;
    n->state = s;
    return CFUB_OK;
}

static int bind_conv(cfub_interp *ip, cfub_node *n) {
    conv_state *s = n->state;
    s->d = layer_data(ip, n);
    if (ip->opts.disable_accel) return CFUB_OK;
    for (int i = 0; cfub_accel_conv[i]; i++) {
        const cfub_conv_kernel *k = cfub_accel_conv[i];
        void *state = NULL;
        if (!k->prepare || k->prepare(&s->p, &s->d, ip, &state)) {
            s->accel = k;
            s->accel_state = state;
            n->kernel = k->name;
            break;
        }
    }
    return CFUB_OK;
}

static int eval_conv(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const conv_state *s = n->state;
    if (s->accel) s->accel->eval(&s->p, &s->d, s->accel_state);
    else cfub_ref_conv(&s->p, s->d.input, s->d.filter, s->d.bias, s->d.output);
    return CFUB_OK;
}

/* ---- DEPTHWISE_CONV_2D --------------------------------------------------------------- */

typedef struct {
    cfub_dw_params p;
    cfub_layer_data d;
    const cfub_dw_kernel *accel;
    void *accel_state;
} dw_state;

static int prepare_dw(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 2, 3);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *f = input_tensor(ip, n, 1), *bias = input_tensor(ip, n, 2);
    const cfub_tensor *out = &ip->tensors[n->out];
    if ((rc = need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = need_type(ip, n, "input", 1, f, TFL_INT8)) ||
        (rc = need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (rc = bias_ok(ip, n, bias, f->ndim == 4 ? f->dims[3] : 0)) ||
        (rc = need_rank(ip, n, in, 4)) || (rc = need_rank(ip, n, f, 4)) || (rc = need_rank(ip, n, out, 4)) ||
        (rc = need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    const fb_table *o = options(ip, n, OPT_DEPTHWISE);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing DepthwiseConv2DOptions");
    dw_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    cfub_dw_params *p = &s->p;
    const int padding = fb_u8(&ip->fb, o, 0, 0);
    p->stride_w = fb_i32(&ip->fb, o, 1, 0);
    p->stride_h = fb_i32(&ip->fb, o, 2, 0);
    p->depth_multiplier = fb_i32(&ip->fb, o, 3, 0);
    const int act = fb_u8(&ip->fb, o, 4, 0);
    p->dil_w = fb_i32(&ip->fb, o, 5, 1);
    p->dil_h = fb_i32(&ip->fb, o, 6, 1);
    if (ip->fb.err) return cfub_fail_fb(ip);
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->in_c = in->dims[3];
    p->k_h = f->dims[1];
    p->k_w = f->dims[2];
    p->out_c = f->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (f->dims[0] != 1 || out->dims[0] != p->batches || out->dims[3] != p->out_c)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match input and filter");
    if (p->depth_multiplier < 1 || (int64_t)p->in_c * p->depth_multiplier != p->out_c)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "depth multiplier does not match channels:", p->depth_multiplier);
    if ((rc = window(ip, n, padding, p->in_h, p->k_h, p->stride_h, p->dil_h, p->out_h, &p->pad_h)) ||
        (rc = window(ip, n, padding, p->in_w, p->k_w, p->stride_w, p->dil_w, p->out_w, &p->pad_w)))
        return rc;
    const int64_t depth = (int64_t)p->k_h * p->k_w;
    if ((rc = accumulator_fits(ip, n, depth, 128 * 255))) return rc;
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    if ((rc = activation(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    if ((rc = per_channel_multipliers(ip, n, in, f, out, p->out_c, 3, &p->out_mult, &p->out_shift))) return rc;
    n->macs = (uint64_t)cfub_elements(out) * (uint64_t)depth;
    n->state = s;
    return CFUB_OK;
}

static int bind_dw(cfub_interp *ip, cfub_node *n) {
    dw_state *s = n->state;
    s->d = layer_data(ip, n);
    if (ip->opts.disable_accel) return CFUB_OK;
    for (int i = 0; cfub_accel_depthwise[i]; i++) {
        const cfub_dw_kernel *k = cfub_accel_depthwise[i];
        void *state = NULL;
        if (!k->prepare || k->prepare(&s->p, &s->d, ip, &state)) {
            s->accel = k;
            s->accel_state = state;
            n->kernel = k->name;
            break;
        }
    }
    return CFUB_OK;
}

static int eval_dw(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const dw_state *s = n->state;
    if (s->accel) s->accel->eval(&s->p, &s->d, s->accel_state);
    else cfub_ref_depthwise(&s->p, s->d.input, s->d.filter, s->d.bias, s->d.output);
    return CFUB_OK;
}

/* ---- FULLY_CONNECTED ----------------------------------------------------------------- */

typedef struct {
    cfub_fc_params p;
    cfub_layer_data d;
    const cfub_fc_kernel *accel;
    void *accel_state;
    int32_t mult1, shift1; /* per-tensor multiplier */
} fc_state;

static int prepare_fc(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 2, 3);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *f = input_tensor(ip, n, 1), *bias = input_tensor(ip, n, 2);
    const cfub_tensor *out = &ip->tensors[n->out];
    if ((rc = need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = need_type(ip, n, "input", 1, f, TFL_INT8)) ||
        (rc = need_type(ip, n, "output", 0, out, TFL_INT8)) || (rc = need_rank(ip, n, f, 2)) ||
        (rc = bias_ok(ip, n, bias, f->dims[0])) ||
        (rc = need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (out->ndim < 1) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output must have a rank");
    int act = CFUB_ACT_NONE;
    const fb_table *o = options(ip, n, OPT_FULLY_CONNECTED);
    if (o) {
        act = fb_u8(&ip->fb, o, 0, 0);
        const int weights_format = fb_u8(&ip->fb, o, 1, 0);
        if (ip->fb.err) return cfub_fail_fb(ip);
        if (weights_format != 0) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "shuffled weights format");
    }
    fc_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    cfub_fc_params *p = &s->p;
    p->out_c = out->dims[out->ndim - 1];
    p->accum_depth = f->dims[1];
    if (p->out_c != f->dims[0]) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output depth does not match the filter");
    p->batches = (int32_t)(cfub_elements(out) / p->out_c);
    if ((int64_t)p->batches * p->accum_depth != cfub_elements(in))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input size does not match batches x filter depth");
    if (!f->has_quant) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "filter has no quantization");
    if (f->zero_point < -128 || f->zero_point > 127) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "filter zero point outside int8");
    p->input_offset = -in->zero_point;
    p->filter_offset = -f->zero_point;
    p->output_offset = out->zero_point;
    if ((rc = accumulator_fits(ip, n, p->accum_depth, 255 * 255))) return rc;
    if ((rc = activation(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    if (f->n_scales > 1) {
        p->per_channel = 1;
        if ((rc = per_channel_multipliers(ip, n, in, f, out, p->out_c, 0, &p->out_mult, &p->out_shift))) return rc;
    } else {
        /* GetQuantizedConvolutionMultipler: the bias scale must agree with input x filter scale
         * to 2% of an output step. The product is taken in double: the TFLM build we check
         * against does so (a float product changes the rounding of about one output in 10^5,
         * caught by the ad model and by test_fc_multiplier_rounding). */
        const double input_product_scale = (double)in->scale * (double)f->scale;
        if (bias) {
            const double bias_scale = bias->has_quant ? (double)bias->scale : 0.0;
            double diff = input_product_scale - bias_scale;
            if (diff < 0) diff = -diff;
            if (!(diff / (double)out->scale <= 0.02))
                return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias scale differs from input scale x filter scale");
        }
        if (!(input_product_scale >= 0)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "negative input x filter scale");
        if ((rc = requant(ip, n, input_product_scale / (double)out->scale, &s->mult1, &s->shift1))) return rc;
        p->per_channel = 0;
        p->out_mult = &s->mult1;
        p->out_shift = &s->shift1;
    }
    n->macs = (uint64_t)p->batches * (uint64_t)p->out_c * (uint64_t)p->accum_depth;
    n->state = s;
    return CFUB_OK;
}

static int bind_fc(cfub_interp *ip, cfub_node *n) {
    fc_state *s = n->state;
    s->d = layer_data(ip, n);
    if (ip->opts.disable_accel) return CFUB_OK;
    for (int i = 0; cfub_accel_fc[i]; i++) {
        const cfub_fc_kernel *k = cfub_accel_fc[i];
        void *state = NULL;
        if (!k->prepare || k->prepare(&s->p, &s->d, ip, &state)) {
            s->accel = k;
            s->accel_state = state;
            n->kernel = k->name;
            break;
        }
    }
    return CFUB_OK;
}

static int eval_fc(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const fc_state *s = n->state;
    if (s->accel) s->accel->eval(&s->p, &s->d, s->accel_state);
    else cfub_ref_fully_connected(&s->p, s->d.input, s->d.filter, s->d.bias, s->d.output);
    return CFUB_OK;
}

/* ---- AVERAGE_POOL_2D / MAX_POOL_2D --------------------------------------------------- */

typedef struct {
    cfub_pool_params p;
    const int8_t *input;
    int8_t *output;
} pool_state;

static int prepare_pool(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *out = &ip->tensors[n->out];
    if ((rc = need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (rc = need_rank(ip, n, in, 4)) || (rc = need_rank(ip, n, out, 4)) ||
        (rc = need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    double sd = (double)in->scale - (double)out->scale;
    if (sd < 0) sd = -sd;
    if (!(sd <= 1.0e-6) || in->zero_point != out->zero_point)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output quantization differ");
    const fb_table *o = options(ip, n, OPT_POOL2D);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing Pool2DOptions");
    pool_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    cfub_pool_params *p = &s->p;
    const int padding = fb_u8(&ip->fb, o, 0, 0);
    p->stride_w = fb_i32(&ip->fb, o, 1, 0);
    p->stride_h = fb_i32(&ip->fb, o, 2, 0);
    p->k_w = fb_i32(&ip->fb, o, 3, 0);
    p->k_h = fb_i32(&ip->fb, o, 4, 0);
    const int act = fb_u8(&ip->fb, o, 5, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    p->batches = in->dims[0];
    p->in_h = in->dims[1];
    p->in_w = in->dims[2];
    p->channels = in->dims[3];
    p->out_h = out->dims[1];
    p->out_w = out->dims[2];
    if (out->dims[0] != p->batches || out->dims[3] != p->channels)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match input");
    if ((rc = window(ip, n, padding, p->in_h, p->k_h, p->stride_h, 1, p->out_h, &p->pad_h)) ||
        (rc = window(ip, n, padding, p->in_w, p->k_w, p->stride_w, 1, p->out_w, &p->pad_w)))
        return rc;
    const int64_t win = (int64_t)(p->k_h < p->in_h ? p->k_h : p->in_h) * (p->k_w < p->in_w ? p->k_w : p->in_w);
    if ((rc = accumulator_fits(ip, n, win, 128))) return rc;
    if ((rc = activation(ip, n, act, out, &p->act_min, &p->act_max))) return rc;
    n->macs = (uint64_t)cfub_elements(out) * (uint64_t)win;
    n->state = s;
    return CFUB_OK;
}

static int bind_pool(cfub_interp *ip, cfub_node *n) {
    pool_state *s = n->state;
    s->input = (const int8_t *)ip->tensors[n->in[0]].data;
    s->output = (int8_t *)ip->tensors[n->out].data;
    return CFUB_OK;
}

static int eval_avg_pool(cfub_interp *ip, cfub_node *n) {
    const pool_state *s = n->state;
    if (!cfub_ref_average_pool(&s->p, s->input, s->output))
        return cfub_fail_op(ip, CFUB_ERR_EVAL, n, "pooling window covers no input");
    return CFUB_OK;
}

static int eval_max_pool(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const pool_state *s = n->state;
    cfub_ref_max_pool(&s->p, s->input, s->output);
    return CFUB_OK;
}

/* ---- ADD ----------------------------------------------------------------------------- */

typedef struct {
    cfub_add_params p;
    const int8_t *in1, *in2;
    int8_t *out;
} add_state;

static int smaller_than_one(cfub_interp *ip, const cfub_node *n, double m, int32_t *mult, int32_t *shift) {
    /* QuantizeMultiplierSmallerThanOneExp's checks */
    if (!(m > 0.0 && m < 1.0)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "rescale factor not in (0, 1)");
    int rc = requant(ip, n, m, mult, shift);
    if (rc) return rc;
    if (*shift > 0) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "rescale factor not below one");
    return CFUB_OK;
}

static bool same_shape(const cfub_tensor *a, const cfub_tensor *b) {
    if (a->ndim != b->ndim) return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

static int prepare_add(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 2, 2);
    if (rc) return rc;
    const cfub_tensor *a = input_tensor(ip, n, 0), *b = input_tensor(ip, n, 1), *out = &ip->tensors[n->out];
    if ((rc = need_type(ip, n, "input", 0, a, TFL_INT8)) || (rc = need_type(ip, n, "input", 1, b, TFL_INT8)) ||
        (rc = need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (rc = need_act_q(ip, n, "input 0 has no usable quantization", a)) ||
        (rc = need_act_q(ip, n, "input 1 has no usable quantization", b)) ||
        (rc = need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    int act = CFUB_ACT_NONE;
    const fb_table *o = options(ip, n, OPT_ADD);
    if (o) act = fb_u8(&ip->fb, o, 0, 0);
    if (ip->fb.err) return cfub_fail_fb(ip);
    add_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    cfub_add_params *p = &s->p;
    p->input1_offset = -a->zero_point;
    p->input2_offset = -b->zero_point;
    p->output_offset = out->zero_point;
    p->left_shift = 20;
    const double twice_max_input_scale = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    if ((rc = smaller_than_one(ip, n, (double)a->scale / twice_max_input_scale, &p->input1_multiplier, &p->input1_shift)) ||
        (rc = smaller_than_one(ip, n, (double)b->scale / twice_max_input_scale, &p->input2_multiplier, &p->input2_shift)) ||
        (rc = smaller_than_one(ip, n, twice_max_input_scale / ((double)(1 << p->left_shift) * (double)out->scale),
                               &p->output_multiplier, &p->output_shift)) ||
        (rc = activation(ip, n, act, out, &p->act_min, &p->act_max)))
        return rc;
    p->size = (int32_t)cfub_elements(out);
    if (same_shape(a, b)) {
        if (cfub_elements(a) != p->size) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output size does not match inputs");
    } else {
        /* numpy broadcasting, shapes right-aligned to CFUB_MAX_DIMS */
        p->broadcast = 1;
        int32_t da[CFUB_MAX_DIMS], db[CFUB_MAX_DIMS], dout[CFUB_MAX_DIMS];
        for (int i = 0; i < CFUB_MAX_DIMS; i++) da[i] = db[i] = dout[i] = 1;
        for (int i = 0; i < a->ndim; i++) da[CFUB_MAX_DIMS - a->ndim + i] = a->dims[i];
        for (int i = 0; i < b->ndim; i++) db[CFUB_MAX_DIMS - b->ndim + i] = b->dims[i];
        for (int i = 0; i < out->ndim; i++) dout[CFUB_MAX_DIMS - out->ndim + i] = out->dims[i];
        int32_t sa = 1, sb = 1;
        for (int i = CFUB_MAX_DIMS - 1; i >= 0; i--) {
            const int32_t want = da[i] > db[i] ? da[i] : db[i];
            if ((da[i] != want && da[i] != 1) || (db[i] != want && db[i] != 1) || dout[i] != want)
                return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input shapes do not broadcast to the output shape");
            p->out_dims[i] = want;
            p->in1_strides[i] = da[i] == 1 ? 0 : sa;
            p->in2_strides[i] = db[i] == 1 ? 0 : sb;
            sa *= da[i];
            sb *= db[i];
        }
    }
    n->macs = (uint64_t)p->size;
    n->state = s;
    return CFUB_OK;
}

static int bind_add(cfub_interp *ip, cfub_node *n) {
    add_state *s = n->state;
    s->in1 = (const int8_t *)ip->tensors[n->in[0]].data;
    s->in2 = (const int8_t *)ip->tensors[n->in[1]].data;
    s->out = (int8_t *)ip->tensors[n->out].data;
    return CFUB_OK;
}

static int eval_add(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const add_state *s = n->state;
    cfub_ref_add(&s->p, s->in1, s->in2, s->out);
    return CFUB_OK;
}

/* ---- RESHAPE ------------------------------------------------------------------------- */

static int prepare_reshape(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 1, 2);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *shape = input_tensor(ip, n, 1), *out = &ip->tensors[n->out];
    if (in->type != TFL_INT8 && in->type != TFL_FLOAT32 && in->type != TFL_INT32)
        return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = need_type(ip, n, "output", 0, out, in->type))) return rc;
    if (shape && (rc = need_type(ip, n, "input", 1, shape, TFL_INT32))) return rc;
    if (cfub_elements(in) != cfub_elements(out))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    n->macs = 0;
    return CFUB_OK;
}

static int eval_reshape(cfub_interp *ip, cfub_node *n) {
    const cfub_tensor *in = &ip->tensors[n->in[0]], *out = &ip->tensors[n->out];
    if (in->data != out->data) memmove(out->data, in->data, out->bytes);
    return CFUB_OK;
}

/* ---- SOFTMAX ------------------------------------------------------------------------- */

typedef struct {
    cfub_softmax_params p;
    const int8_t *input;
    int8_t *output;
} softmax_state;

static int prepare_softmax(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *out = &ip->tensors[n->out];
    if ((rc = need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (rc = need_act_q(ip, n, "input has no usable quantization", in)) ||
        (rc = need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (out->zero_point != -128 || out->scale != 0.00390625f)
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "int8 softmax output must have scale 1/256 and zero point -128");
    if (in->ndim < 1 || !same_shape(in, out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output shapes differ");
    const fb_table *o = options(ip, n, OPT_SOFTMAX);
    if (!o) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "missing SoftmaxOptions");
    const float beta = fb_f32(&ip->fb, o, 0, 0.0f);
    if (ip->fb.err) return cfub_fail_fb(ip);
    if (!finite(beta)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite beta");
    softmax_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    if (!cfub_softmax_prepare(beta, in->scale, &s->p))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "beta x input scale too small for int8 softmax");
    s->p.depth = in->dims[in->ndim - 1];
    s->p.outer = (int32_t)(cfub_elements(in) / s->p.depth);
    n->macs = (uint64_t)cfub_elements(in);
    n->state = s;
    return CFUB_OK;
}

static int bind_softmax(cfub_interp *ip, cfub_node *n) {
    softmax_state *s = n->state;
    s->input = (const int8_t *)ip->tensors[n->in[0]].data;
    s->output = (int8_t *)ip->tensors[n->out].data;
    return CFUB_OK;
}

static int eval_softmax(cfub_interp *ip, cfub_node *n) {
    const softmax_state *s = n->state;
    if (!cfub_ref_softmax(&s->p, s->input, s->output))
        return cfub_fail_op(ip, CFUB_ERR_EVAL, n, "exp sum out of range (TFLM aborts here too)");
    return CFUB_OK;
}

/* ---- QUANTIZE / DEQUANTIZE ----------------------------------------------------------- */

typedef struct {
    cfub_quant_params p;
    const void *input;
    void *output;
} quant_state;

static int prepare_quantize(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *out = &ip->tensors[n->out];
    if (in->type != TFL_FLOAT32 && in->type != TFL_INT8) return cfub_fail_type(ip, n, "input", 0, in->type);
    if ((rc = need_type(ip, n, "output", 0, out, TFL_INT8)) ||
        (rc = need_act_q(ip, n, "output has no usable quantization", out)))
        return rc;
    if (out->n_scales != 1) return cfub_fail_op(ip, CFUB_ERR_UNSUPPORTED, n, "per-channel quantize output");
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    quant_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    s->p.size = (int32_t)cfub_elements(out);
    s->p.scale = out->scale;
    s->p.zero_point = out->zero_point;
    if (in->type == TFL_INT8) {
        if ((rc = need_act_q(ip, n, "input has no usable quantization", in))) return rc;
        s->p.input_zero_point = in->zero_point;
        if ((rc = requant(ip, n, (double)in->scale / (double)out->scale, &s->p.multiplier, &s->p.shift))) return rc;
    }
    n->macs = (uint64_t)s->p.size;
    n->state = s;
    return CFUB_OK;
}

static int prepare_dequantize(cfub_interp *ip, cfub_node *n) {
    int rc = need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = input_tensor(ip, n, 0), *out = &ip->tensors[n->out];
    if ((rc = need_type(ip, n, "input", 0, in, TFL_INT8)) || (rc = need_type(ip, n, "output", 0, out, TFL_FLOAT32)) ||
        (rc = need_act_q(ip, n, "input has no usable quantization", in)))
        return rc;
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    quant_state *s = cfub_persistent(ip, sizeof *s);
    if (!s) return cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
    memset(s, 0, sizeof *s);
    s->p.size = (int32_t)cfub_elements(out);
    s->p.scale = in->scale;
    s->p.zero_point = in->zero_point;
    n->macs = (uint64_t)s->p.size;
    n->state = s;
    return CFUB_OK;
}

static int bind_quant(cfub_interp *ip, cfub_node *n) {
    quant_state *s = n->state;
    s->input = ip->tensors[n->in[0]].data;
    s->output = ip->tensors[n->out].data;
    return CFUB_OK;
}

static int eval_quantize(cfub_interp *ip, cfub_node *n) {
    const quant_state *s = n->state;
    if (ip->tensors[n->in[0]].type == TFL_FLOAT32) cfub_ref_quantize_f32(&s->p, s->input, s->output);
    else cfub_ref_requantize_i8(&s->p, s->input, s->output);
    return CFUB_OK;
}

static int eval_dequantize(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    const quant_state *s = n->state;
    cfub_ref_dequantize(&s->p, s->input, s->output);
    return CFUB_OK;
}

/* ---- the resolver ---------------------------------------------------------------------- */

static const cfub_opdef kOps[] = {
    {OP_CONV_2D, prepare_conv, bind_conv, eval_conv},
    {OP_DEPTHWISE_CONV_2D, prepare_dw, bind_dw, eval_dw},
    {OP_FULLY_CONNECTED, prepare_fc, bind_fc, eval_fc},
    {OP_AVERAGE_POOL_2D, prepare_pool, bind_pool, eval_avg_pool},
    {OP_MAX_POOL_2D, prepare_pool, bind_pool, eval_max_pool},
    {OP_ADD, prepare_add, bind_add, eval_add},
    {OP_RESHAPE, prepare_reshape, NULL, eval_reshape},
    {OP_SOFTMAX, prepare_softmax, bind_softmax, eval_softmax},
    {OP_QUANTIZE, prepare_quantize, bind_quant, eval_quantize},
    {OP_DEQUANTIZE, prepare_dequantize, bind_quant, eval_dequantize},
};

const cfub_opdef *cfub_find_op(int32_t builtin) {
    for (size_t i = 0; i < sizeof kOps / sizeof kOps[0]; i++)
        if (kOps[i].builtin == builtin) return &kOps[i];
    return NULL;
}
