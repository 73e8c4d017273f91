/* The UART is polled both ways (platform.c says why libbase's interrupt-driven calls do not
 * work here). */
#include "ee_io.h"


#include "ee_format.h"
#include "platform.h"

int ee_getc(void) { return platform_getc(); }

void ee_putc(char c) { platform_putc(c); }

void ee_puts(const char *s) {
    while (*s) ee_putc(*s++);
}

void ee_put_uint(uint64_t v) {
    char buf[24];
    ee_format_uint(v, buf);
    ee_puts(buf);
}

void ee_put_int(int64_t v) {
    if (v < 0) {
        ee_putc('-');
        ee_put_uint((uint64_t)0 - (uint64_t)v);
    } else {
        ee_put_uint((uint64_t)v);
    }
}

void ee_put_hex2(uint8_t v) {
    static const char digits[] = "0123456789abcdef";
    ee_putc(digits[v >> 4]);
    ee_putc(digits[v & 15u]);
}

void ee_put_fixed6(float v) {
    char buf[EE_FIXED6_MAX];
    ee_format_fixed6(v, buf);
    ee_puts(buf);
}

void ee_put_bracketed(const char *prefix, const char *msg) {
    ee_puts(prefix);
    ee_putc('[');
    ee_puts(msg);
    ee_puts("]\r\n");
}
