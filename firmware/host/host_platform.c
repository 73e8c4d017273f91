/* Host implementation of the runtime's platform interface: cycles are nanoseconds of
 * CLOCK_MONOTONIC (labelled as host time wherever reported), and output lines go to stdout
 * and/or an in-memory transcript that the ctypes library hands to Python. */
#define _POSIX_C_SOURCE 199309L
#include "host_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *g_text;
static size_t g_len, g_cap;
static int g_echo;
static int g_capture = 1;

uint64_t cfub_cycles(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cfub_puts(const char *s) {
    const size_t n = strlen(s);
    if (g_echo) fputs(s, stdout);
    if (!g_capture) return;
    if (g_len + n + 1 > g_cap) {
        size_t cap = g_cap ? g_cap : 4096;
        while (g_len + n + 1 > cap) cap *= 2;
        char *p = realloc(g_text, cap);
        if (!p) return;
        g_text = p;
        g_cap = cap;
    }
    memcpy(g_text + g_len, s, n + 1);
    g_len += n;
}

void host_set_output(int echo, int capture) {
    g_echo = echo;
    g_capture = capture;
}

void host_clear_text(void) {
    g_len = 0;
    if (g_text) g_text[0] = 0;
}

const char *host_text(size_t *len) {
    *len = g_len;
    return g_text ? g_text : "";
}
