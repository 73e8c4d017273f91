/* Console output for the MLPerf Tiny protocol: polled UART, no printf, no interrupts. */
#ifndef CFUB_MLPERF_EE_IO_H
#define CFUB_MLPERF_EE_IO_H

#include <stdint.h>

int ee_getc(void); /* blocks until a byte arrives */
void ee_putc(char c);
void ee_puts(const char *s);
void ee_put_uint(uint64_t v);
void ee_put_int(int64_t v);
void ee_put_hex2(uint8_t v);
void ee_put_fixed6(float v);
/* ee_puts(prefix), then "[" msg "]\r\n": the protocol's m-[...] and e-[...] lines */
void ee_put_bracketed(const char *prefix, const char *msg);

#endif
