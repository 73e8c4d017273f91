/* Weak empty acceleration tables: with no CFU kernels linked every layer runs the reference
 * kernel. A design's strong definitions replace these at link time. Kept in their own file so
 * no compiler ever sees the weak contents next to the code that reads them. */
#include "cfub_accel.h"

__attribute__((weak)) const cfub_conv_kernel *const cfub_accel_conv[] = {NULL};
__attribute__((weak)) const cfub_dw_kernel *const cfub_accel_depthwise[] = {NULL};
__attribute__((weak)) const cfub_fc_kernel *const cfub_accel_fc[] = {NULL};
