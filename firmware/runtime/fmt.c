/* Minimal formatting for protocol lines and error messages: the target has no printf. */
#include "internal.h"

void cfub_sb_init(cfub_sb *sb, char *buf, size_t cap) {
    sb->buf = buf;
    sb->cap = cap;
    sb->len = 0;
    if (cap) buf[0] = 0;
}

void cfub_sb_str(cfub_sb *sb, const char *s) {
    if (!sb->cap) return;
    while (*s && sb->len + 1 < sb->cap) sb->buf[sb->len++] = *s++;
    sb->buf[sb->len] = 0;
}

void cfub_sb_uint(cfub_sb *sb, uint64_t v) {
    char tmp[21];
    int i = 20;
    tmp[i] = 0;
    do {
        tmp[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v && i > 0);
    cfub_sb_str(sb, tmp + i);
}

void cfub_sb_int(cfub_sb *sb, int64_t v) {
    if (v < 0) {
        cfub_sb_str(sb, "-");
        cfub_sb_uint(sb, (uint64_t)0 - (uint64_t)v);
    } else {
        cfub_sb_uint(sb, (uint64_t)v);
    }
}

void cfub_sb_hex8(cfub_sb *sb, uint32_t v) {
    static const char digits[] = "0123456789abcdef";
    char tmp[9];
    for (int i = 7; i >= 0; i--) {
        tmp[i] = digits[v & 15u];
        v >>= 4;
    }
    tmp[8] = 0;
    cfub_sb_str(sb, tmp);
}

/* A protocol token: printable, no spaces, at most max chars (kernel names come from CFU
 * designs and must not break the line format). */
void cfub_sb_token(cfub_sb *sb, const char *s, size_t max) {
    char tmp[64];
    size_t i = 0;
    if (max > sizeof tmp - 1) max = sizeof tmp - 1;
    for (; s && s[i] && i < max; i++) tmp[i] = (s[i] > 32 && s[i] < 127) ? s[i] : '_';
    if (i == 0) tmp[i++] = '?';
    tmp[i] = 0;
    cfub_sb_str(sb, tmp);
}
