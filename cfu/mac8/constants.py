"""Sizes and encodings of the mac8 CFU, shared by its gateware modules.

The sizes are design parameters (`make_cfu(lanes=8, depth=512)`): `Geometry` derives every
width from them. The parameter table always holds 512 channels, in 512 / lanes blocks.
"""
from dataclasses import dataclass

BYTES = 4                 # int8 values per 32-bit word
CHANNELS = 512            # per-channel requantization parameters
CHANNEL_BITS = 9
OFFSET_WIDTH = 9          # input offset: TFLite's -zero_point, in [-127, 128]
OUTPUT_OFFSET_WIDTH = 16
DW_MAX_LANES = 8          # MAC DW takes 8 activation bytes (rs1, rs2): lanes above 8 idle

LANE_CHOICES = (4, 8, 16)
DEPTH_MIN, DEPTH_MAX = 64, 4096


def _log2(n: int) -> int:
    return n.bit_length() - 1


@dataclass(frozen=True)
class Geometry:
    lanes: int = 8        # output channels computed at once
    depth: int = 512      # words per lane buffer (512: 2 KiB of weights per output channel)

    def __post_init__(self):
        if self.lanes not in LANE_CHOICES:
            raise ValueError(f"lanes must be one of {', '.join(map(str, LANE_CHOICES))}, not {self.lanes}")
        if not (DEPTH_MIN <= self.depth <= DEPTH_MAX) or self.depth & (self.depth - 1):
            raise ValueError(f"depth must be a power of two from {DEPTH_MIN} to {DEPTH_MAX}, not {self.depth}")

    @property
    def addr_bits(self) -> int:
        return _log2(self.depth)

    @property
    def lane_bits(self) -> int:
        return _log2(self.lanes)

    @property
    def block_bits(self) -> int:       # blocks of `lanes` channels in the parameter table
        return CHANNEL_BITS - self.lane_bits

    @property
    def pair_bits(self) -> int:        # FC lane pairs
        return _log2(self.lanes // 2)

    @property
    def dw_lanes(self) -> int:
        return min(self.lanes, DW_MAX_LANES)

    @property
    def read_words(self) -> int:       # READ words per output slot (4 int8 each)
        return max(1, self.lanes // 4)

    @property
    def read_word_bits(self) -> int:   # READ rs1: word in [read_word_bits-1:0], slot above
        return max(1, _log2(self.read_words))

    @property
    def info(self) -> int:
        return 0x6D380000 | (self.lanes << 8) | self.addr_bits


DEFAULT = Geometry()

# funct3
MAC, SETPTR, WLOAD, READ, SETPARAM, CONFIG, CLEAR, ID = range(8)
# MAC funct7[1:0]
CONV, DW, FC, NOMAC = range(4)
COMMIT_BIT = 2
# WLOAD funct7[1:0]
W_STREAM, W_SETUP, W_DIRECT, W_FETCH = range(4)
# SETPARAM funct7[1:0]
P_BIAS, P_MULTIPLIER, P_SHIFT = range(3)
# CONFIG funct7[0]
C_OFFSETS, C_CLAMP = range(2)
