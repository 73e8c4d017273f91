#ifndef CFUB_HOST_PLATFORM_H
#define CFUB_HOST_PLATFORM_H
#include <stddef.h>
#include <stdint.h>
#include "../runtime/cfub.h"
void host_set_output(int echo, int capture);
void host_clear_text(void);
const char *host_text(size_t *len);
#endif
