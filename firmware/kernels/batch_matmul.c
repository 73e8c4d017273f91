/* Reference BATCH_MATMUL, int8 and int16 (TFLM reference_ops::BatchMatMul<T, AccumT>).
 *
 * TFLM first copies the RHS (unless adj_y) and the LHS (if adj_x) into transposed buffers and
 * runs one kernel on them; we index the operands in place instead, which reads the same
 * values and so sums the same products. */
#include "cfub_kernels.h"

/* TFLM's int8 path: a 32-bit accumulator (wrapping) and the 32-bit requantization. */
void cfub_ref_batch_matmul(const cfub_bmm_params *p, const int8_t *lhs, const int8_t *rhs, int8_t *output) {
    const int32_t rows = p->rows, depth = p->depth, cols = p->cols;
    int8_t *out = output;
    for (int32_t b0 = 0; b0 < p->batch[0]; ++b0)
        for (int32_t b1 = 0; b1 < p->batch[1]; ++b1)
            for (int32_t b2 = 0; b2 < p->batch[2]; ++b2) {
                const int8_t *l = lhs + b0 * p->lhs_stride[0] + b1 * p->lhs_stride[1] + b2 * p->lhs_stride[2];
                const int8_t *r = rhs + b0 * p->rhs_stride[0] + b1 * p->rhs_stride[1] + b2 * p->rhs_stride[2];
                for (int32_t a = 0; a < rows; ++a)
                    for (int32_t c = 0; c < cols; ++c) {
                        int32_t total = 0;
                        for (int32_t k = 0; k < depth; ++k) {
                            const int32_t lv = p->adj_x ? l[k * rows + a] : l[a * depth + k];
                            const int32_t rv = p->adj_y ? r[c * depth + k] : r[k * cols + c];
                            total = cfub_wrap_add(total, (rv + p->rhs_offset) * (lv + p->lhs_offset));
                        }
                        int32_t scaled = cfub_mbqm(total, p->out_mult, p->out_shift) + p->output_offset;
                        *out++ = (int8_t)cfub_clamp(scaled, p->act_min, p->act_max);
                    }
            }
}

/* TFLM's int16 path: a 64-bit accumulator and the 64-bit requantization; zero points are 0. */
void cfub_ref_batch_matmul_i16(const cfub_bmm_params *p, const int16_t *lhs, const int16_t *rhs, int16_t *output) {
    const int32_t rows = p->rows, depth = p->depth, cols = p->cols;
    int16_t *out = output;
    for (int32_t b0 = 0; b0 < p->batch[0]; ++b0)
        for (int32_t b1 = 0; b1 < p->batch[1]; ++b1)
            for (int32_t b2 = 0; b2 < p->batch[2]; ++b2) {
                const int16_t *l = lhs + b0 * p->lhs_stride[0] + b1 * p->lhs_stride[1] + b2 * p->lhs_stride[2];
                const int16_t *r = rhs + b0 * p->rhs_stride[0] + b1 * p->rhs_stride[1] + b2 * p->rhs_stride[2];
                for (int32_t a = 0; a < rows; ++a)
                    for (int32_t c = 0; c < cols; ++c) {
                        int64_t total = 0;
                        for (int32_t k = 0; k < depth; ++k) {
                            const int64_t lv = p->adj_x ? l[k * rows + a] : l[a * depth + k];
                            const int64_t rv = p->adj_y ? r[c * depth + k] : r[k * cols + c];
                            total += (rv + p->rhs_offset) * (lv + p->lhs_offset);
                        }
                        int32_t scaled = cfub_mbqm64(total, p->out_mult, p->out_shift) + p->output_offset;
                        *out++ = (int16_t)cfub_clamp(scaled, p->act_min, p->act_max);
                    }
            }
}
