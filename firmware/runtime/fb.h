/* A bounds-checked reader for the subset of the FlatBuffers wire format a .tflite uses.
 *
 * Nothing here trusts the buffer: every offset, vtable, field, vector length and element is
 * checked against the buffer size with 64-bit arithmetic before it is read, and reads go byte
 * by byte (little endian), so unaligned or hostile input cannot fault. The first failure
 * latches `err` (with the failing position); later calls return defaults, so callers can read
 * a whole table and check once. */
#ifndef CFUB_FB_H
#define CFUB_FB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fb_reader {
    const uint8_t *buf;
    uint32_t len;
    bool err;
    uint32_t err_pos;
    const char *err_what;
} fb_reader;

/* pos == 0 means "absent": offset 0 always holds the root offset, never a table. */
typedef struct fb_table {
    uint32_t pos;
    uint32_t vt;
    uint16_t vt_len;
    uint16_t tbl_len;
} fb_table;

typedef struct fb_vec {
    uint32_t pos; /* first element */
    uint32_t len; /* element count */
} fb_vec;

void fb_init(fb_reader *r, const uint8_t *buf, size_t len);
bool fb_root(fb_reader *r, fb_table *out);
bool fb_table_at(fb_reader *r, uint32_t pos, fb_table *out);

bool fb_has(fb_reader *r, const fb_table *t, unsigned id);
uint8_t fb_u8(fb_reader *r, const fb_table *t, unsigned id, uint8_t dflt);
int32_t fb_i32(fb_reader *r, const fb_table *t, unsigned id, int32_t dflt);
uint32_t fb_u32(fb_reader *r, const fb_table *t, unsigned id, uint32_t dflt);
uint64_t fb_u64(fb_reader *r, const fb_table *t, unsigned id, uint64_t dflt);
float fb_f32(fb_reader *r, const fb_table *t, unsigned id, float dflt);

/* Sub-objects: return false when absent or invalid (invalid also latches err). */
bool fb_subtable(fb_reader *r, const fb_table *t, unsigned id, fb_table *out);
bool fb_vector(fb_reader *r, const fb_table *t, unsigned id, uint32_t elem_size, fb_vec *out);

/* Vector elements; i must be < v->len (checked: out of range latches err). */
bool fb_vec_table(fb_reader *r, const fb_vec *v, uint32_t i, fb_table *out);
int32_t fb_vec_i32(fb_reader *r, const fb_vec *v, uint32_t i);
int64_t fb_vec_i64(fb_reader *r, const fb_vec *v, uint32_t i);
float fb_vec_f32(fb_reader *r, const fb_vec *v, uint32_t i);
uint8_t fb_vec_u8(fb_reader *r, const fb_vec *v, uint32_t i);

#endif
