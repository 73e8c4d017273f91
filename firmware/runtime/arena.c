/* The arena's persistent end: tables, op parameters and CFU kernel state, allocated downward
 * from the top while activations are planned upward from 0 (planner.c). */
#include "internal.h"

static void *take_tail(cfub_interp *ip, size_t bytes, size_t align) {
    if (bytes > ip->tail) return NULL;
    const size_t start = (ip->tail - bytes) & ~(align - 1);
    if (start < ip->planned) return NULL;
    ip->tail = start;
    return ip->arena + start;
}

void *cfub_persistent(cfub_interp *ip, size_t bytes) { return take_tail(ip, bytes, 8); }

void *cfub_alloc_persistent(cfub_alloc *alloc, size_t bytes) { return take_tail(alloc, bytes, CFUB_ALIGN); }
