#include "fb.h"

#include "../kernels/cfub_string.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

static void fail(fb_reader *r, uint32_t pos, const char *what) {
    if (!r->err) {
        r->err = true;
        r->err_pos = pos;
        r->err_what = what;
    }
}

/* true when [pos, pos + size) lies inside the buffer */
static bool in_bounds(const fb_reader *r, uint64_t pos, uint64_t size) {
    return pos <= r->len && size <= (uint64_t)r->len - pos;
}

void fb_init(fb_reader *r, const uint8_t *buf, size_t len) {
    r->buf = buf;
    /* the format addresses at most 2 GiB with 32-bit offsets; larger inputs are clipped and
     * anything pointing past the clip fails the bounds checks */
    r->len = len > 0x7fffffffu ? 0x7fffffffu : (uint32_t)len;
    r->err = false;
    r->err_pos = 0;
    r->err_what = 0;
}

bool fb_table_at(fb_reader *r, uint32_t pos, fb_table *out) {
    memset(out, 0, sizeof *out);
    if (r->err) return false;
    if (pos == 0 || !in_bounds(r, pos, 4)) {
        fail(r, pos, "table offset out of range");
        return false;
    }
    const int32_t soff = (int32_t)rd32(r->buf + pos);
    const int64_t vt = (int64_t)pos - (int64_t)soff;
    if (vt < 0 || !in_bounds(r, (uint64_t)vt, 4)) {
        fail(r, pos, "vtable offset out of range");
        return false;
    }
    const uint16_t vt_len = rd16(r->buf + vt);
    const uint16_t tbl_len = rd16(r->buf + vt + 2);
    if (vt_len < 4 || (vt_len & 1) || !in_bounds(r, (uint64_t)vt, vt_len)) {
        fail(r, (uint32_t)vt, "bad vtable size");
        return false;
    }
    if (tbl_len < 4 || !in_bounds(r, pos, tbl_len)) {
        fail(r, pos, "bad table size");
        return false;
    }
    out->pos = pos;
    out->vt = (uint32_t)vt;
    out->vt_len = vt_len;
    out->tbl_len = tbl_len;
    return true;
}

bool fb_root(fb_reader *r, fb_table *out) {
    if (!in_bounds(r, 0, 8)) {
        fail(r, 0, "buffer too small for a flatbuffer");
        memset(out, 0, sizeof *out);
        return false;
    }
    return fb_table_at(r, rd32(r->buf), out);
}

/* Absolute position of a scalar/offset field of `size` bytes, or 0 when absent. */
static uint32_t field_pos(fb_reader *r, const fb_table *t, unsigned id, uint32_t size) {
    if (r->err || t->pos == 0) return 0;
    const uint32_t slot = 4u + 2u * id;
    if (slot + 2u > t->vt_len) return 0;
    const uint16_t fo = rd16(r->buf + t->vt + slot);
    if (fo == 0) return 0;
    if ((uint32_t)fo + size > t->tbl_len) {
        fail(r, t->pos, "field outside its table");
        return 0;
    }
    return t->pos + fo;
}

bool fb_has(fb_reader *r, const fb_table *t, unsigned id) { return field_pos(r, t, id, 1) != 0; }

uint8_t fb_u8(fb_reader *r, const fb_table *t, unsigned id, uint8_t dflt) {
    const uint32_t p = field_pos(r, t, id, 1);
    return p ? r->buf[p] : dflt;
}
int32_t fb_i32(fb_reader *r, const fb_table *t, unsigned id, int32_t dflt) {
    const uint32_t p = field_pos(r, t, id, 4);
    return p ? (int32_t)rd32(r->buf + p) : dflt;
}
uint32_t fb_u32(fb_reader *r, const fb_table *t, unsigned id, uint32_t dflt) {
    const uint32_t p = field_pos(r, t, id, 4);
    return p ? rd32(r->buf + p) : dflt;
}
uint64_t fb_u64(fb_reader *r, const fb_table *t, unsigned id, uint64_t dflt) {
    const uint32_t p = field_pos(r, t, id, 8);
    return p ? rd64(r->buf + p) : dflt;
}
float fb_f32(fb_reader *r, const fb_table *t, unsigned id, float dflt) {
    const uint32_t p = field_pos(r, t, id, 4);
    if (!p) return dflt;
    const uint32_t bits = rd32(r->buf + p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Follow the uoffset stored at `at` and check `need` bytes exist at the target. */
static uint32_t follow(fb_reader *r, uint32_t at, uint32_t need, const char *what) {
    const uint32_t off = rd32(r->buf + at);
    const uint64_t target = (uint64_t)at + off;
    if (off == 0 || !in_bounds(r, target, need)) {
        fail(r, at, what);
        return 0;
    }
    return (uint32_t)target;
}

bool fb_subtable(fb_reader *r, const fb_table *t, unsigned id, fb_table *out) {
    memset(out, 0, sizeof *out);
    const uint32_t p = field_pos(r, t, id, 4);
    if (!p) return false;
    const uint32_t target = follow(r, p, 4, "sub-table offset out of range");
    if (!target) return false;
    return fb_table_at(r, target, out);
}

bool fb_vector(fb_reader *r, const fb_table *t, unsigned id, uint32_t elem_size, fb_vec *out) {
    out->pos = 0;
    out->len = 0;
    const uint32_t p = field_pos(r, t, id, 4);
    if (!p) return false;
    const uint32_t target = follow(r, p, 4, "vector offset out of range");
    if (!target) return false;
    const uint32_t n = rd32(r->buf + target);
    if (!in_bounds(r, (uint64_t)target + 4, (uint64_t)n * elem_size)) {
        fail(r, target, "vector runs past the end of the buffer");
        return false;
    }
    out->pos = target + 4;
    out->len = n;
    return true;
}

static bool elem_ok(fb_reader *r, const fb_vec *v, uint32_t i) {
    if (r->err) return false;
    if (i >= v->len || v->pos == 0) {
        fail(r, v->pos, "vector index out of range");
        return false;
    }
    return true;
}

bool fb_vec_table(fb_reader *r, const fb_vec *v, uint32_t i, fb_table *out) {
    memset(out, 0, sizeof *out);
    if (!elem_ok(r, v, i)) return false;
    const uint32_t at = v->pos + 4u * i;
    const uint32_t target = follow(r, at, 4, "vector element offset out of range");
    if (!target) return false;
    return fb_table_at(r, target, out);
}

int32_t fb_vec_i32(fb_reader *r, const fb_vec *v, uint32_t i) {
    return elem_ok(r, v, i) ? (int32_t)rd32(r->buf + v->pos + 4u * i) : 0;
}
int64_t fb_vec_i64(fb_reader *r, const fb_vec *v, uint32_t i) {
    return elem_ok(r, v, i) ? (int64_t)rd64(r->buf + v->pos + 8u * i) : 0;
}
float fb_vec_f32(fb_reader *r, const fb_vec *v, uint32_t i) {
    if (!elem_ok(r, v, i)) return 0.0f;
    const uint32_t bits = rd32(r->buf + v->pos + 4u * i);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}
uint8_t fb_vec_u8(fb_reader *r, const fb_vec *v, uint32_t i) {
    return elem_ok(r, v, i) ? r->buf[v->pos + i] : 0;
}
