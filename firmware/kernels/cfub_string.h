/* memcpy / memmove / memset, the only C library functions the runtime uses. Taken from
 * <string.h> when the toolchain has one; a bare freestanding compiler gets the standard
 * prototypes (every libc or LiteX's libbase provides the symbols at link time). */
#ifndef CFUB_STRING_H
#define CFUB_STRING_H

#include <stddef.h>

#if defined(__has_include)
#if __has_include(<string.h>)
#include <string.h>
#define CFUB_HAVE_STRING_H 1
#endif
#endif

#ifndef CFUB_HAVE_STRING_H
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
#endif

#endif
