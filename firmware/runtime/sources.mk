# cfu-bench firmware runtime: the C sources a target must compile, relative to firmware/.
# Include from a Makefile:
#     include $(FIRMWARE)/runtime/sources.mk
#     SRCS += $(addprefix $(FIRMWARE)/,$(CFUB_SOURCES))
#     CFLAGS += $(addprefix -I$(FIRMWARE)/,$(CFUB_INCLUDES))
# The sources need only <string.h> (memcpy, memmove, memset) and libgcc; the target supplies
# cfub_cycles() and cfub_puts() (see runtime/cfub.h). A CFU design's kernels
# (cfu/<name>/kernels/*.c) are compiled with the same CFUB_INCLUDES and linked alongside.

CFUB_RUNTIME_SOURCES := \
	runtime/accel_default.c \
	runtime/arena.c \
	runtime/crc32.c \
	runtime/errors.c \
	runtime/fb.c \
	runtime/fmt.c \
	runtime/interp.c \
	runtime/model_io.c \
	runtime/model.c \
	runtime/names.c \
	runtime/op_common.c \
	runtime/planner.c \
	runtime/protocol.c \
	runtime/resolver.c

# One file per op: its Prepare (TFLM's checks and quantization arithmetic) and reference Eval.
CFUB_OP_SOURCES := \
	runtime/ops/activations.c \
	runtime/ops/add.c \
	runtime/ops/batch_matmul.c \
	runtime/ops/cast.c \
	runtime/ops/concatenation.c \
	runtime/ops/control.c \
	runtime/ops/conv.c \
	runtime/ops/depthwise_conv.c \
	runtime/ops/fully_connected.c \
	runtime/ops/gather.c \
	runtime/ops/l2norm.c \
	runtime/ops/logistic_tanh.c \
	runtime/ops/lstm.c \
	runtime/ops/maximum_minimum.c \
	runtime/ops/mul.c \
	runtime/ops/pad.c \
	runtime/ops/pooling.c \
	runtime/ops/quantize.c \
	runtime/ops/reduce.c \
	runtime/ops/reshape.c \
	runtime/ops/resize.c \
	runtime/ops/shape_common.c \
	runtime/ops/slice.c \
	runtime/ops/softmax.c \
	runtime/ops/split.c \
	runtime/ops/squeeze.c \
	runtime/ops/svdf.c \
	runtime/ops/transpose.c \
	runtime/ops/transpose_conv.c

CFUB_KERNEL_SOURCES := \
	kernels/activations.c \
	kernels/add.c \
	kernels/batch_matmul.c \
	kernels/conv.c \
	kernels/data_movement.c \
	kernels/depthwise_conv.c \
	kernels/elementwise.c \
	kernels/fully_connected.c \
	kernels/int16x8.c \
	kernels/l2norm.c \
	kernels/lstm.c \
	kernels/pooling.c \
	kernels/quant_util.c \
	kernels/quantize.c \
	kernels/reduce.c \
	kernels/resize.c \
	kernels/sigmoid.c \
	kernels/softmax.c \
	kernels/softmax_luts.c \
	kernels/svdf.c \
	kernels/transpose_conv.c

CFUB_SOURCES := $(CFUB_RUNTIME_SOURCES) $(CFUB_OP_SOURCES) $(CFUB_KERNEL_SOURCES)
CFUB_INCLUDES := runtime kernels
