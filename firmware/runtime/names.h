#ifndef CFUB_NAMES_H
#define CFUB_NAMES_H
#include <stdint.h>
const char *cfub_op_name(int32_t builtin_code);
const char *cfub_type_name(int32_t tensor_type);
#endif
