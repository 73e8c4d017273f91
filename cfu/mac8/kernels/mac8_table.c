/* The mac8 kernels the runtime offers layers to (firmware/runtime/cfub_accel.h), one file per
 * op beside this one, and the emulated CFU the host build runs them on. */
#include "mac8_stream.h"

#ifdef MAC8_EMULATED
mac8_emu_state mac8_emulated_cfu;
#endif

const cfub_kernel *const cfub_accel[] = {&mac8_conv, &mac8_dw, &mac8_fc, &mac8_add, &mac8_avg_pool, NULL};
