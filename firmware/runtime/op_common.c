/* Checks and TFLM prepare-time arithmetic shared by the ops' prepare functions. */
#include "op_common.h"

const cfub_tensor *cfub_op_input(cfub_interp *ip, const cfub_node *n, int k) {
    if (k >= n->n_in || n->in[k] < 0) return NULL;
    return &ip->tensors[n->in[k]];
}

bool cfub_finite_positive(float f) { return f > 0.0f && f <= 3.40282347e38f; }
bool cfub_finite(float f) { return f >= -3.40282347e38f && f <= 3.40282347e38f; }

int cfub_need_inputs(cfub_interp *ip, const cfub_node *n, int min, int max) {
    if (n->n_in < min || n->n_in > max) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of inputs:", n->n_in);
    for (int k = 0; k < min; k++)
        if (n->in[k] < 0) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "missing required input", k);
    return CFUB_OK;
}

const cfub_tensor *cfub_op_output(cfub_interp *ip, const cfub_node *n, int k) {
    return &ip->tensors[n->outs[k]];
}

int64_t cfub_tensor_int(const cfub_tensor *t, int64_t i) {
    const uint8_t *p = t->data;
    switch (t->type) {
    case TFL_INT8: return (int8_t)p[i];
    case TFL_UINT8: case TFL_BOOL: return p[i];
    case TFL_INT16: { int16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case TFL_INT32: { int32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case TFL_INT64: { int64_t v; memcpy(&v, p + 8 * i, 8); return v; }
    default: return 0;
    }
}

int cfub_need_inputs_opt(cfub_interp *ip, const cfub_node *n, int max, uint32_t optional_mask) {
    if (n->n_in > max) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of inputs:", n->n_in);
    for (int k = 0; k < max; k++) {
        const bool optional = k < 32 && (optional_mask >> k) & 1u;
        if (!optional && (k >= n->n_in || n->in[k] < 0))
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "missing required input", k);
    }
    return CFUB_OK;
}

int cfub_need_outputs(cfub_interp *ip, const cfub_node *n, int min, int max) {
    if (n->n_out < min || n->n_out > max) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of outputs:", n->n_out);
    return CFUB_OK;
}

int cfub_need_type_in(cfub_interp *ip, const cfub_node *n, const char *role, int k, const cfub_tensor *t,
                      uint32_t mask) {
    if (t->type >= 32 || !((mask >> t->type) & 1u)) return cfub_fail_type(ip, n, role, k, t->type);
    return CFUB_OK;
}

int cfub_need_type(cfub_interp *ip, const cfub_node *n, const char *role, int k, const cfub_tensor *t, int type) {
    if (t->type != type) return cfub_fail_type(ip, n, role, k, t->type);
    return CFUB_OK;
}


int cfub_need_act_q(cfub_interp *ip, const cfub_node *n, const char *what, const cfub_tensor *t) {
    if (!t->has_quant || !cfub_finite_positive(t->scale)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, what);
    if (t->type == TFL_INT16) {
        if (t->zero_point < -32768 || t->zero_point > 32767)
            return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "zero point outside int16:", t->zero_point);
        return CFUB_OK;
    }
    if (t->zero_point < -128 || t->zero_point > 127) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "zero point outside int8:", t->zero_point);
    return CFUB_OK;
}

int cfub_need_rank(cfub_interp *ip, const cfub_node *n, const cfub_tensor *t, int rank) {
    if (t->ndim != rank) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "tensor has the wrong rank:", t->ndim);
    return CFUB_OK;
}

const fb_table *cfub_op_options(cfub_interp *ip, const cfub_node *n, int type) {
    (void)ip;
    return (n->opts_type == type && n->opts.pos) ? &n->opts : NULL;
}

int cfub_op_activation(cfub_interp *ip, const cfub_node *n, int act, const cfub_tensor *out,
                      int32_t *act_min, int32_t *act_max) {
    if (act != CFUB_ACT_NONE && act != CFUB_ACT_RELU && act != CFUB_ACT_RELU6 && act != CFUB_ACT_RELU_N1_TO_1)
        return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "unsupported fused activation", act);
    const bool i16 = out->type == TFL_INT16;
    if (!cfub_activation_range_q(act, out->scale, out->zero_point, i16 ? -32768 : -128, i16 ? 32767 : 127,
                                 act_min, act_max))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "activation bound overflows int32");
    return CFUB_OK;
}

int cfub_op_requant(cfub_interp *ip, const cfub_node *n, double m, int32_t *mult, int32_t *shift) {
    int s;
    if (!cfub_quantize_multiplier(m, mult, &s)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite requantization scale");
    if (s > 31) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "requantization shift too large:", s);
    *shift = s;
    return CFUB_OK;
}

int cfub_op_window(cfub_interp *ip, const cfub_node *n, int padding, int32_t in, int32_t k,
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


int cfub_per_channel_multipliers(cfub_interp *ip, const cfub_node *n, const cfub_tensor *input,
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
    cfub_ratio ratio;
    cfub_ratio_init(&ratio, input->scale, output->scale);
    for (int32_t c = 0; c < channels; c++) {
        const float fs = fb_vec_f32(&ip->fb, &filter->scales, ns == 1 ? 0 : (uint32_t)c);
        if (ip->fb.err) return cfub_fail_fb(ip);
        if (!cfub_finite(fs)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "non-finite filter scale");
        const double effective = cfub_ratio_of(&ratio, fs);
        int rc = cfub_op_requant(ip, n, effective, &mult[c], &shift[c]);
        if (rc) return rc;
    }
    *mult_out = mult;
    *shift_out = shift;
    return CFUB_OK;
}



int cfub_accumulator_fits(cfub_interp *ip, const cfub_node *n, int64_t depth, int64_t max_term) {
    if (depth * max_term > INT32_MAX) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "accumulation too deep for int32:", depth);
    return CFUB_OK;
}

int cfub_bias_ok(cfub_interp *ip, const cfub_node *n, const cfub_tensor *bias, int32_t channels) {
    if (!bias) return CFUB_OK;
    int rc = cfub_need_type(ip, n, "input", 2, bias, TFL_INT32);
    if (rc) return rc;
    if (cfub_elements(bias) != channels) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias size does not match output channels");
    return CFUB_OK;
}


int cfub_smaller_than_one(cfub_interp *ip, const cfub_node *n, double m, int32_t *mult, int32_t *shift) {
    /* QuantizeMultiplierSmallerThanOneExp's checks */
    if (!(m > 0.0 && m < 1.0)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "rescale factor not in (0, 1)");
    int rc = cfub_op_requant(ip, n, m, mult, shift);
    if (rc) return rc;
    if (*shift > 0) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "rescale factor not below one");
    return CFUB_OK;
}

bool cfub_same_shape(const cfub_tensor *a, const cfub_tensor *b) {
    if (a->ndim != b->ndim) return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}


void *cfub_op_state(cfub_interp *ip, size_t bytes) {
    void *s = cfub_persistent(ip, bytes);
    if (!s) {
        cfub_fail(ip, CFUB_ERR_ARENA, "arena too small for op parameters");
        return NULL;
    }
    memset(s, 0, bytes);
    return s;
}

int cfub_width(const cfub_tensor *t) {
    return t->type == TFL_INT8 ? CFUB_I8 : t->type == TFL_INT16 ? CFUB_I16 : 0;
}

int cfub_need_q(cfub_interp *ip, const cfub_node *n, const char *what, const cfub_tensor *t) {
    if (t->type == TFL_INT8) return cfub_need_act_q(ip, n, what, t);
    if (!t->has_quant || !cfub_finite_positive(t->scale)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, what);
    if (t->zero_point < -32768 || t->zero_point > 32767)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "zero point outside int16:", t->zero_point);
    return CFUB_OK;
}

int cfub_op_activation_q(cfub_interp *ip, const cfub_node *n, int act, const cfub_tensor *out,
                         int32_t *act_min, int32_t *act_max) {
    if (out->type == TFL_INT8) return cfub_op_activation(ip, n, act, out, act_min, act_max);
    if (act != CFUB_ACT_NONE && act != CFUB_ACT_RELU && act != CFUB_ACT_RELU6 && act != CFUB_ACT_RELU_N1_TO_1)
        return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "unsupported fused activation", act);
    if (!cfub_activation_range_q(act, out->scale, out->zero_point, INT16_MIN, INT16_MAX, act_min, act_max))
        return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "activation bound overflows int32");
    return CFUB_OK;
}

int cfub_op_broadcast(cfub_interp *ip, const cfub_node *n, const cfub_tensor *a, const cfub_tensor *b,
                      const cfub_tensor *out, int max_rank, cfub_bcast *bc) {
    const int64_t size = cfub_elements(out);
    bc->size = (int32_t)size;
    for (int i = 0; i < CFUB_BCAST_DIMS; i++) {
        bc->out_dims[i] = 1;
        bc->in1_strides[i] = bc->in2_strides[i] = 0;
    }
    if (cfub_same_shape(a, b)) {
        if (cfub_elements(a) != size) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output size does not match inputs");
        bc->broadcast = 0;
        bc->out_dims[CFUB_BCAST_DIMS - 1] = (int32_t)size;
        bc->in1_strides[CFUB_BCAST_DIMS - 1] = bc->in2_strides[CFUB_BCAST_DIMS - 1] = 1;
        return CFUB_OK;
    }
    bc->broadcast = 1;
    if (a->ndim > max_rank || b->ndim > max_rank || out->ndim > max_rank)
        return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "broadcasting over more dimensions than TFLM's kernel handles:", max_rank);
    int32_t da[CFUB_BCAST_DIMS], db[CFUB_BCAST_DIMS], dout[CFUB_BCAST_DIMS];
    for (int i = 0; i < CFUB_BCAST_DIMS; i++) da[i] = db[i] = dout[i] = 1;
    for (int i = 0; i < a->ndim; i++) da[CFUB_BCAST_DIMS - a->ndim + i] = a->dims[i];
    for (int i = 0; i < b->ndim; i++) db[CFUB_BCAST_DIMS - b->ndim + i] = b->dims[i];
    for (int i = 0; i < out->ndim; i++) dout[CFUB_BCAST_DIMS - out->ndim + i] = out->dims[i];
    int32_t sa = 1, sb = 1;
    for (int i = CFUB_BCAST_DIMS - 1; i >= 0; i--) {
        const int32_t want = da[i] > db[i] ? da[i] : db[i];
        if ((da[i] != want && da[i] != 1) || (db[i] != want && db[i] != 1) || dout[i] != want)
            return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input shapes do not broadcast to the output shape");
        bc->out_dims[i] = want;
        bc->in1_strides[i] = da[i] == 1 ? 0 : sa;
        bc->in2_strides[i] = db[i] == 1 ? 0 : sb;
        sa *= da[i];
        sb *= db[i];
    }
    return CFUB_OK;
}

int cfub_int16x8_types(cfub_interp *ip, const cfub_node *n, const cfub_tensor *in, const cfub_tensor *f,
                       const cfub_tensor *out, bool *int16x8) {
    *int16x8 = in->type == TFL_INT16;
    const int act_type = *int16x8 ? TFL_INT16 : TFL_INT8;
    int rc;
    if ((rc = cfub_need_type(ip, n, "input", 0, in, act_type)) || (rc = cfub_need_type(ip, n, "input", 1, f, TFL_INT8)) ||
        (rc = cfub_need_type(ip, n, "output", 0, out, act_type)))
        return rc;
    return CFUB_OK;
}

int cfub_bias_ok_i16(cfub_interp *ip, const cfub_node *n, const cfub_tensor *bias, int32_t channels,
                     bool allow_int32, int32_t *bias64) {
    *bias64 = 1; /* no bias: TFLM (the tflite-micro build we check against) takes the int64 path */
    if (!bias) return CFUB_OK;
    *bias64 = 0;
    if (bias->type == TFL_INT64) *bias64 = 1;
    else if (!(allow_int32 && bias->type == TFL_INT32)) return cfub_fail_type(ip, n, "input", 2, bias->type);
    if (cfub_elements(bias) != channels) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "bias size does not match output channels");
    return CFUB_OK;
}

int cfub_int16x8_shifts(cfub_interp *ip, const cfub_node *n, const int32_t *shift, int32_t count, int32_t bias64) {
    if (!bias64) return CFUB_OK;
    for (int32_t c = 0; c < count; c++)
        if (shift[c] > 14) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "int16x8 requantization shift too large:", shift[c]);
    return CFUB_OK;
}
