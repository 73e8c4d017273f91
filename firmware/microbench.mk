# A micro-benchmark program (firmware/<BENCH>/<BENCH>.c), built like the model firmware (same
# flags, platform glue and linker script) but without the runtime. Included by the Makefile in
# each benchmark's folder, which sets BENCH:
#   make -C firmware/<BENCH> SOC_SW=<LiteX software dir> OUT=<output dir>

BENCH ?= $(error BENCH must name the benchmark's folder)
SOC_SW ?= $(error SOC_SW must name a LiteX software directory)
OUT ?= $(error OUT must name an output directory)

include $(SOC_SW)/include/generated/variables.mak

FW := $(abspath ..)
CC := $(TRIPLE)-gcc
OBJCOPY := $(TRIPLE)-objcopy

INCLUDES := -I$(FW)/include -I$(FW)/platform \
            -isystem $(PICOLIBC_DIRECTORY)/newlib/libc/tinystdio \
            -isystem $(PICOLIBC_DIRECTORY)/newlib/libc/include -isystem $(LIBBASE_DIRECTORY) \
            -isystem $(SOC_DIRECTORY)/software/include -isystem $(SOC_DIRECTORY)/software \
            -isystem $(BUILDINC_DIRECTORY) -isystem $(BUILDINC_DIRECTORY)/../libc \
            -isystem $(CPU_DIRECTORY)
CFLAGS := $(CPUFLAGS) -O2 -std=gnu11 -g -Wall -Wextra -fno-common -ffunction-sections \
          -fdata-sections -fno-stack-protector $(INCLUDES)

SOURCES := $(FW)/$(BENCH)/$(BENCH).c $(FW)/platform/platform.c
OBJS := $(patsubst $(FW)/%.c,$(OUT)/obj/%.o,$(SOURCES)) $(OUT)/obj/crt0.o

all: $(OUT)/$(BENCH).bin

$(OUT)/obj/%.o: $(FW)/%.c
	mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/obj/crt0.o: $(CPU_DIRECTORY)/crt0.S
	mkdir -p $(dir $@)
	$(CC) $(CPUFLAGS) $(INCLUDES) -c $< -o $@

$(OUT)/$(BENCH).elf: $(OBJS) $(FW)/platform/linker.ld
	$(CC) $(CPUFLAGS) -nostdlib -nodefaultlibs -nostartfiles -Wl,--no-dynamic-linker \
	    -Wl,--build-id=none -Wl,--gc-sections -Wl,--no-warn-rwx-segments \
	    -L$(BUILDINC_DIRECTORY) -T $(FW)/platform/linker.ld -N -o $@ $(OBJS) \
	    -L$(SOC_SW)/libbase -L$(SOC_SW)/libc -L$(SOC_SW)/libcompiler_rt \
	    -Wl,--start-group -lbase -lc -lcompiler_rt -Wl,--end-group

$(OUT)/$(BENCH).bin: $(OUT)/$(BENCH).elf
	$(OBJCOPY) -O binary $< $@

.PHONY: all
