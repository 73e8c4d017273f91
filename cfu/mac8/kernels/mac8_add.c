/* ADD on mac8 (`mac8_add`), inputs of the output's shape (broadcasting is declined).
 *
 * TFLM's int8 ADD is out = clamp(MBQM(s1(a) + s2(b), m, shift) + output_offset), where the
 * scaled inputs s1, s2 each depend on one int8 value (cfub_add_scaled_input). Prepare makes
 * two 256-entry tables of them; eval looks both up, hands the sum to the CFU as a channel's
 * bias, and a bare COMMIT runs the output stage on LANES elements at once: the requantizer
 * computes clamp(MBQM(acc + bias, multiplier, shift) + output_offset) with acc = 0, which is
 * exactly TFLM's output stage (shift <= 0, so no left shift). */
#include "mac8_stream.h"

typedef struct {
    int32_t scaled1[256], scaled2[256];  /* indexed by the input byte as unsigned */
} add_tables;

static bool add_prepare(const cfub_layer *l, cfub_alloc *alloc, void **state) {
    if (l->type != CFUB_TYPE_INT8) return false; /* int8 datapath only */
    const cfub_add_params *p = l->params;
    if (!mac8_cfu_matches()) return false;
    if (p->broadcast || p->output_shift > 0) return false;
    if (!quantization_fits(0, p->output_offset, p->act_min, p->act_max, &p->output_shift, 1, 0)) return false;
    add_tables *t = cfub_alloc_persistent(alloc, sizeof *t);
    if (!t) return false;
    for (int32_t i = 0; i < 256; i++) {
        const int32_t v = (int8_t)(uint8_t)i;
        t->scaled1[i] = cfub_add_scaled_input(v, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
        t->scaled2[i] = cfub_add_scaled_input(v, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    }
    *state = t;
    return true;
}

/* Lane `lane`'s bias = the scaled sum of element i. */
#define ADD_LANE(lane, i) \
    mac8_op(MAC8_SETPARAM, MAC8_P_BIAS, s1[(uint8_t)a[i]] + s2[(uint8_t)b[i]], lane)

/* The same from words held in registers: byte j of wa and wb. The tables are read at
 * (byte << 2) offsets, one shift and one mask per lookup. */
#define BYTE_OFFSET(w, j) ((j) == 0 ? ((w) << 2) & 0x3fcu : ((w) >> (8 * (j) - 2)) & 0x3fcu)
#define TABLE(t, off) (*(const int32_t *)((const uint8_t *)(t) + (off)))
#define ADD_WORD_LANE(lane, wa, wb, j) \
    mac8_op(MAC8_SETPARAM, MAC8_P_BIAS, TABLE(s1, BYTE_OFFSET(wa, j)) + TABLE(s2, BYTE_OFFSET(wb, j)), lane)
#define ADD_WORD(lane0, wa, wb) \
    do { ADD_WORD_LANE(lane0, wa, wb, 0); ADD_WORD_LANE(lane0 + 1, wa, wb, 1); \
         ADD_WORD_LANE(lane0 + 2, wa, wb, 2); ADD_WORD_LANE(lane0 + 3, wa, wb, 3); } while (0)

static void add_eval(const cfub_layer *l, void *state) {
    const cfub_add_params *p = l->params;
    const add_tables *t = state;
    const int32_t *const s1 = t->scaled1, *const s2 = t->scaled2;
    const uint8_t *a = l->in[0], *b = l->in[1];
    int8_t *out = l->out;
    setup_layer(0, p->output_offset, p->act_min, p->act_max);
    for (int32_t lane = 0; lane < LANES; lane++) {
        mac8_op(MAC8_SETPARAM, MAC8_P_MULTIPLIER, p->output_multiplier, lane);
        mac8_op(MAC8_SETPARAM, MAC8_P_SHIFT, p->output_shift, lane);
    }
    mac8_op(MAC8_SETPTR, 0, 0, 0);
    /* Eight sums are computed while the requantizer works on the previous eight: the first
     * SETPARAM then finds it idle. */
    output_queue q = new_queue();
    int32_t n = p->size;
#if MAC8_LANES == 8
    if (aligned4(a) && aligned4(b)) {
        /* A cache line (32 bytes) of the first input goes into registers before the second
         * input's line is read: the two often share a set of the direct-mapped data cache
         * (the planner puts same-sized tensors 2^k bytes apart), and element-wise loads
         * would then evict each other's lines at every element. */
        for (; n >= 4 * LANES; n -= 4 * LANES, a += 4 * LANES, b += 4 * LANES, out += 4 * LANES) {
            const uint32_t *wa = (const uint32_t *)a, *wb = (const uint32_t *)b;
            const uint32_t a0 = wa[0], a1 = wa[1], a2 = wa[2], a3 = wa[3];
            const uint32_t a4 = wa[4], a5 = wa[5], a6 = wa[6], a7 = wa[7];
            LOADS_DONE4(a0, a1, a2, a3);
            LOADS_DONE4(a4, a5, a6, a7);
            uint32_t b0 = wb[0], b1 = wb[1];
            LOADS_DONE4(b0, b1, b0, b1);
            ADD_WORD(0, a0, b0); ADD_WORD(4, a1, b1);
            q = commit(q, out, LANES);
            b0 = wb[2]; b1 = wb[3];
            LOADS_DONE4(b0, b1, b0, b1);
            ADD_WORD(0, a2, b0); ADD_WORD(4, a3, b1);
            q = commit(q, out + LANES, LANES);
            b0 = wb[4]; b1 = wb[5];
            LOADS_DONE4(b0, b1, b0, b1);
            ADD_WORD(0, a4, b0); ADD_WORD(4, a5, b1);
            q = commit(q, out + 2 * LANES, LANES);
            b0 = wb[6]; b1 = wb[7];
            LOADS_DONE4(b0, b1, b0, b1);
            ADD_WORD(0, a6, b0); ADD_WORD(4, a7, b1);
            q = commit(q, out + 3 * LANES, LANES);
        }
    }
    for (; n >= LANES; n -= LANES, a += LANES, b += LANES, out += LANES) {
        ADD_LANE(0, 0); ADD_LANE(1, 1); ADD_LANE(2, 2); ADD_LANE(3, 3);
        ADD_LANE(4, 4); ADD_LANE(5, 5); ADD_LANE(6, 6); ADD_LANE(7, 7);
        q = commit(q, out, LANES);
    }
#else
    /* Other lane counts: the same cache-line grouping (a line of the first input into
     * registers, then the second's words), committed every LANES elements. */
    if (aligned4(a) && aligned4(b)) {
        for (; n >= 32; n -= 32, a += 32, b += 32, out += 32) {
            const uint32_t *wa = (const uint32_t *)a, *wb = (const uint32_t *)b;
            const uint32_t a0 = wa[0], a1 = wa[1], a2 = wa[2], a3 = wa[3];
            const uint32_t a4 = wa[4], a5 = wa[5], a6 = wa[6], a7 = wa[7];
            LOADS_DONE4(a0, a1, a2, a3);
            LOADS_DONE4(a4, a5, a6, a7);
#if MAC8_LANES == 16
            uint32_t b0 = wb[0], b1 = wb[1], b2 = wb[2], b3 = wb[3];
            LOADS_DONE4(b0, b1, b2, b3);
            ADD_WORD(0, a0, b0); ADD_WORD(4, a1, b1); ADD_WORD(8, a2, b2); ADD_WORD(12, a3, b3);
            q = commit(q, out, LANES);
            b0 = wb[4]; b1 = wb[5]; b2 = wb[6]; b3 = wb[7];
            LOADS_DONE4(b0, b1, b2, b3);
            ADD_WORD(0, a4, b0); ADD_WORD(4, a5, b1); ADD_WORD(8, a6, b2); ADD_WORD(12, a7, b3);
            q = commit(q, out + LANES, LANES);
#else /* 4 lanes: a commit per word */
#define ADD_WORD_COMMIT(k, ak) \
    do { const uint32_t bk = wb[k]; LOADS_DONE4(bk, bk, bk, bk); ADD_WORD(0, ak, bk); \
         q = commit(q, out + 4 * (k), LANES); } while (0)
            ADD_WORD_COMMIT(0, a0); ADD_WORD_COMMIT(1, a1); ADD_WORD_COMMIT(2, a2); ADD_WORD_COMMIT(3, a3);
            ADD_WORD_COMMIT(4, a4); ADD_WORD_COMMIT(5, a5); ADD_WORD_COMMIT(6, a6); ADD_WORD_COMMIT(7, a7);
#undef ADD_WORD_COMMIT
#endif
        }
    }
    for (; n >= LANES; n -= LANES, a += LANES, b += LANES, out += LANES) {
        for (int32_t i = 0; i < LANES; i++) ADD_LANE(i, i);
        q = commit(q, out, LANES);
    }
#endif
    if (n) {
        for (int32_t i = 0; i < n; i++) ADD_LANE(i, i);
        q = commit(q, out, n);
    }
    flush(q);
}

const cfub_kernel mac8_add = {CFUB_OP_ADD, "mac8_add", add_prepare, add_eval};
