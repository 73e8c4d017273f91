/* CAST (TFLM cast.cc): element by element, as C++'s static_cast. */
#include "ops_shape.h"

static int prepare_cast(cfub_interp *ip, cfub_node *n) {
    static const int kIn[] = {TFL_INT8, TFL_INT16, TFL_INT32, TFL_BOOL, 0};
    static const int kOut[] = {TFL_INT8, TFL_INT16, TFL_INT32, 0};
    int rc = cfub_need_inputs(ip, n, 1, 1);
    if (rc) return rc;
    const cfub_tensor *in = cfub_op_input(ip, n, 0), *out = cfub_op_output(ip, n, 0);
    if ((rc = cfub_need_type_of(ip, n, "input", 0, in, true, kIn)) || (rc = cfub_need_type_of(ip, n, "output", 0, out, true, kOut)))
        return rc;
    if (cfub_elements(in) != cfub_elements(out)) return cfub_fail_op(ip, CFUB_ERR_INVALID, n, "input and output sizes differ");
    cfub_cast_params *p = cfub_op_state(ip, sizeof *p);
    if (!p) return CFUB_ERR_ARENA;
    p->size = (int32_t)cfub_elements(out);
    p->in_type = in->type;
    p->out_type = out->type;
    n->state = p;
    n->layer.params = p;
    return CFUB_OK;
}

static int eval_cast(cfub_interp *ip, cfub_node *n) {
    (void)ip;
    cfub_ref_cast(n->layer.params, n->layer.in[0], n->layer.out);
    return CFUB_OK;
}

const cfub_opdef cfub_op_cast = {CFUB_OP_CAST, prepare_cast, eval_cast};
