"""Sizes and encodings of the mac8 CFU, shared by its gateware modules."""
LANES = 8                 # output channels computed at once
BYTES = 4                 # int8 values per 32-bit word
DEPTH = 512               # words per lane buffer: 2 KiB of weights per output channel
ADDR_BITS = 9
BLOCK_BITS = 6            # 64 blocks of 8 channels of requantization parameters
CHANNELS = LANES << BLOCK_BITS
CHANNEL_BITS = 9
OFFSET_WIDTH = 9          # input offset: TFLite's -zero_point, in [-127, 128]
OUTPUT_OFFSET_WIDTH = 16
INFO = 0x6D380000 | (LANES << 8) | ADDR_BITS

# funct3
MAC, SETPTR, WLOAD, READ, SETPARAM, CONFIG, CLEAR, ID = range(8)
# MAC funct7[1:0]
CONV, DW, FC, NOMAC = range(4)
COMMIT_BIT = 2
# WLOAD funct7[1:0]
W_STREAM, W_SETUP, W_DIRECT = range(3)
# SETPARAM funct7[1:0]
P_BIAS, P_MULTIPLIER, P_SHIFT = range(3)
# CONFIG funct7[0]
C_OFFSETS, C_CLAMP = range(2)
