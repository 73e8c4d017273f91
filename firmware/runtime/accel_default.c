/* The weak empty acceleration table: with no CFU kernels linked every layer runs the
 * reference kernel. A design's strong definition replaces it at link time. Kept in its own
 * file so no compiler ever sees the weak contents next to the code that reads them. */
#include "cfub_accel.h"

__attribute__((weak)) const cfub_kernel *const cfub_accel[] = {NULL};
