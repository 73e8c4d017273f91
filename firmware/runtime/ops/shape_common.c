/* Checks shared by the data-movement and resize ops. */
#include "ops_shape.h"

int cfub_need_type_of(cfub_interp *ip, const cfub_node *n, const char *role, int k, const cfub_tensor *t,
                      bool float_ok, const int *types) {
    if (float_ok && t->type == TFL_FLOAT32) return CFUB_OK;
    for (; *types; types++)
        if (t->type == *types) return CFUB_OK;
    return cfub_fail_type(ip, n, role, k, t->type);
}

int cfub_need_same_type(cfub_interp *ip, const cfub_node *n, const cfub_tensor *in, const cfub_tensor *out) {
    (void)in;
    return cfub_need_type(ip, n, "output", 0, out, in->type);
}

int cfub_need_const_i32(cfub_interp *ip, const cfub_node *n, int k, int64_t count, const int32_t **data) {
    const cfub_tensor *t = cfub_op_input(ip, n, k);
    if (!t) return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "missing required input", k);
    int rc = cfub_need_type(ip, n, "input", k, t, TFL_INT32);
    if (rc) return rc;
    if (!t->is_const) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "needs a constant tensor (as TFLM does) at input", k);
    if (count >= 0 && cfub_elements(t) != count)
        return cfub_fail_op_int(ip, CFUB_ERR_INVALID, n, "wrong number of elements in input", k);
    *data = (const int32_t *)(const void *)t->data;
    return CFUB_OK;
}

int cfub_need_max_rank(cfub_interp *ip, const cfub_node *n, const cfub_tensor *t, int rank) {
    if (t->ndim > rank) return cfub_fail_op_int(ip, CFUB_ERR_UNSUPPORTED, n, "rank above what TFLM supports:", t->ndim);
    return CFUB_OK;
}

int cfub_need_out_shape(cfub_interp *ip, const cfub_node *n, const cfub_tensor *out, const int32_t *dims, int ndim) {
    bool ok = out->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = out->dims[i] == dims[i];
    if (!ok) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "output shape does not match the op's parameters");
    return CFUB_OK;
}

void cfub_strides(const cfub_tensor *t, int32_t *strides) {
    int32_t s = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= t->dims[i];
    }
}
