"""Golden model of every mac8 instruction, bit-exact, on Python ints.

Commands take effect in the order the CFU accepts them; pipelines are invisible (an
instruction that depends on earlier work waits for it in hardware). The weight buffers and the
per-channel parameters are memories: a reset leaves them as they are. README.md is the
instruction set's prose version.

The design parameters (lanes, depth) are a `Geometry`; `CURRENT` is the one the design was
built with when the cocotb runner says so (env CFU_BENCH_DESIGN_PARAMS), else the default.
"""
import json
import os
from dataclasses import dataclass

from cfu_bench.design import memory_word, requantize

CHANNELS = 512              # per-channel parameter entries (512 / lanes blocks of lanes)
MASK32 = 0xFFFFFFFF
PARAMS_ENV = "CFU_BENCH_DESIGN_PARAMS"


@dataclass(frozen=True)
class Geometry:
    lanes: int = 8
    depth: int = 512        # words per lane buffer

    @property
    def addr_bits(self):
        return self.depth.bit_length() - 1

    @property
    def lane_bits(self):
        return self.lanes.bit_length() - 1

    @property
    def block_mask(self):
        return (CHANNELS // self.lanes) - 1

    @property
    def pairs(self):
        return self.lanes // 2

    @property
    def dw_lanes(self):     # MAC DW: lane l < 8 takes byte l of {rs2, rs1}
        return min(self.lanes, 8)

    @property
    def read_words(self):
        return max(1, self.lanes // 4)

    @property
    def read_word_bits(self):   # READ rs1: word in the low bits, the slot above
        return max(1, (self.lanes // 4).bit_length() - 1)

    def read_operand(self, slot, word):
        return (slot << self.read_word_bits) | word

    @property
    def info(self):
        return 0x6D380000 | (self.lanes << 8) | self.addr_bits


CURRENT = Geometry(**json.loads(os.environ.get(PARAMS_ENV) or "{}"))
LANES = CURRENT.lanes
DEPTH = CURRENT.depth
INFO = CURRENT.info

# funct3
MAC, SETPTR, WLOAD, READ, SETPARAM, CONFIG, CLEAR, ID = range(8)
# MAC funct7: mode in bits [1:0], commit in bit 2
CONV, DW, FC, NOMAC = range(4)
COMMIT = 4
# WLOAD funct7
W_STREAM, W_SETUP, W_DIRECT, W_FETCH = range(4)
# SETPARAM funct7
P_BIAS, P_MULTIPLIER, P_SHIFT = range(3)
# CONFIG funct7
C_OFFSETS, C_CLAMP = range(2)


def signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def byte(word: int, i: int) -> int:
    return signed(word >> (8 * i), 8)


class GoldenModel:
    def __init__(self, geometry: Geometry = CURRENT):
        self.g = g = geometry
        LANES, DEPTH = g.lanes, g.depth
        self.buffers = [[0] * DEPTH for _ in range(LANES)]
        self.bias = [0] * CHANNELS
        self.multiplier = [0] * CHANNELS
        self.shift = [0] * CHANNELS
        self.fetched = set()    # (lane, word) written by W_FETCH since the last resync
        self.reset()

    def reset(self):
        LANES = self.g.lanes
        self.acc = [0] * LANES
        self.outputs = [[0] * LANES for _ in range(2)]
        self.write_slot = 0
        self.rptr = self.block = self.pair = 0
        self.wbase = self.wword = self.wcount = self.wlast = self.wlane = 0
        self.input_offset = 0
        self.output_offset = 0
        self.act_min, self.act_max = -128, 127

    # ---- instructions ----------------------------------------------------------------------
    def execute(self, funct3: int, funct7: int, in0: int, in1: int) -> int:
        in0 &= MASK32
        in1 &= MASK32
        handler = (self._mac, self._setptr, self._wload, self._read, self._setparam,
                   self._config, self._clear, self._id)[funct3]
        return handler(funct7, in0, in1) & MASK32

    def _mac(self, funct7, in0, in1):
        LANES, DEPTH = self.g.lanes, self.g.depth
        mode = funct7 & 3
        if mode != NOMAC:
            words = [self.buffers[lane][self.rptr] for lane in range(LANES)]
            for lane in range(LANES):
                self.acc[lane] = signed(self.acc[lane] + self._lane_sum(mode, lane, words, in0, in1), 32)
            self.rptr = (self.rptr + 1) % DEPTH
        if funct7 & COMMIT:
            self._commit()
        return 0

    def _lane_sum(self, mode, lane, words, in0, in1):
        off = self.input_offset
        if mode == CONV:
            return sum((byte(in0, b) + off) * byte(words[lane], b) for b in range(4))
        if mode == DW:
            if lane >= self.g.dw_lanes:
                return 0
            activations = in0 | (in1 << 32)
            return (byte(activations, lane) + off) * byte(words[lane], 0)
        # FC: activations held in lane 0's buffer, weights of lanes 2*pair and 2*pair+1 in rs1, rs2
        if lane // 2 != self.pair:
            return 0
        weights = in0 if lane % 2 == 0 else in1
        return sum((byte(words[0], b) + off) * byte(weights, b) for b in range(4))

    def _commit(self):
        LANES = self.g.lanes
        slot = self.write_slot
        self.write_slot ^= 1
        for lane in range(LANES):
            ch = self.block * LANES + lane
            self.outputs[slot][lane] = requantize(
                self.acc[lane], self.bias[ch], self.multiplier[ch], self.shift[ch],
                self.output_offset, self.act_min, self.act_max)
        self.acc = [0] * LANES

    def _setptr(self, funct7, in0, in1):
        self.rptr = in0 % self.g.depth
        self.block = in1 & self.g.block_mask
        self.pair = (in1 >> 8) & (self.g.pairs - 1)
        return 0

    def _wload(self, funct7, in0, in1):
        LANES, DEPTH = self.g.lanes, self.g.depth
        op = funct7 & 3
        if op == W_STREAM:
            self._stream(in0)
        elif op == W_FETCH:
            for i in range(in1):
                self.fetched.add((self.wlane, self.wword))
                self._stream(memory_word(((in0 >> 2) + i) & (MASK32 >> 2)))
        elif op == W_SETUP:
            self.wbase = self.wword = in0 % DEPTH
            self.wlast = (in1 - 1) % DEPTH
            self.wcount = self.wlane = 0
        elif op == W_DIRECT:
            self.buffers[(in1 >> self.g.addr_bits) % LANES][in1 % DEPTH] = in0
        return 0

    def _stream(self, word):
        self.buffers[self.wlane][self.wword] = word
        if self.wcount == self.wlast:
            self.wcount, self.wword = 0, self.wbase
            self.wlane = (self.wlane + 1) % self.g.lanes
        else:
            self.wcount += 1
            self.wword = (self.wword + 1) % self.g.depth

    def resync(self):
        """W_DIRECT writes of every word a fetch wrote, for after a reset cut one short."""
        cmds = [(WLOAD, W_DIRECT, self.buffers[lane][word], (lane << self.g.addr_bits) | word)
                for lane, word in sorted(self.fetched)]
        self.fetched.clear()
        return cmds

    def _read(self, funct7, in0, in1):
        bits = self.g.read_word_bits
        word = in0 & ((1 << bits) - 1)
        lanes = self.outputs[(in0 >> bits) & 1][4 * word:4 * word + 4]   # past the last lane: 0
        return sum((v & 0xFF) << (8 * i) for i, v in enumerate(lanes))

    def _setparam(self, funct7, in0, in1):
        ch = in1 % CHANNELS
        which = funct7 & 3
        if which == P_BIAS:
            self.bias[ch] = signed(in0, 32)
        elif which == P_MULTIPLIER:
            self.multiplier[ch] = signed(in0, 32)
        elif which == P_SHIFT:
            self.shift[ch] = max(-31, min(31, signed(in0, 32)))
        return 0

    def _config(self, funct7, in0, in1):
        if funct7 & 1 == C_OFFSETS:
            self.input_offset = signed(in0, 9)
            self.output_offset = signed(in1, 16)
        else:
            self.act_min = signed(in0, 8)
            self.act_max = signed(in1, 8)
        return 0

    def _clear(self, funct7, in0, in1):
        self.acc = [0] * self.g.lanes
        self.write_slot = 0
        return 0

    def _id(self, funct7, in0, in1):
        return self.g.info


# ---- random stimulus: (funct3, funct7, in0, in1) tuples -----------------------------------
# Addresses and channels are kept small so that reads meet earlier writes; now and then an
# operand is fully random to cover the wrap-around and don't-care bits.

def _small_address(rng):
    return rng.randrange(16) if rng.random() < 0.9 else rng.getrandbits(32)


def _param_value(rng, which):
    if rng.random() < 0.1:
        return rng.getrandbits(32)
    if which == P_BIAS:
        return rng.randrange(-(1 << 16), 1 << 16) & MASK32
    if which == P_MULTIPLIER:
        return rng.randrange(1 << 30, 1 << 31)
    return rng.randrange(-15, -8) & MASK32 if rng.random() < 0.9 else rng.randrange(-31, 32) & MASK32


def random_command(rng, g: Geometry = CURRENT):
    LANES = g.lanes
    r = rng.random()
    junk = rng.getrandbits(7) & ~7      # funct7 bits the instruction ignores
    if r < 0.40:
        mode = rng.choice((CONV, CONV, DW, FC, NOMAC))
        commit = COMMIT if rng.random() < 0.15 else 0
        return (MAC, (rng.getrandbits(7) & ~7) | commit | mode, rng.getrandbits(32), rng.getrandbits(32))
    if r < 0.48:
        block = rng.randrange(2) if rng.random() < 0.9 else rng.getrandbits(8)
        return (SETPTR, rng.getrandbits(7), _small_address(rng),
                block | (rng.randrange(g.pairs) << 8) | (rng.getrandbits(21) << 11 if rng.random() < 0.1 else 0))
    if r < 0.68:
        op = rng.choice((W_STREAM, W_STREAM, W_STREAM, W_SETUP, W_DIRECT, W_DIRECT, W_FETCH))
        if op == W_SETUP:
            return (WLOAD, junk | op, _small_address(rng), rng.randrange(1, 6) if rng.random() < 0.9 else rng.getrandbits(32))
        if op == W_DIRECT:
            return (WLOAD, junk | op, rng.getrandbits(32), (rng.randrange(LANES) << g.addr_bits) | rng.randrange(16))
        if op == W_FETCH:   # any address (every word of the testbench memory is defined)
            return (WLOAD, junk | op, rng.getrandbits(32), rng.randrange(0, 9))
        return (WLOAD, junk | op, rng.getrandbits(32), rng.getrandbits(32))
    if r < 0.80:
        sel = 2 << g.read_word_bits
        return (READ, rng.getrandbits(7), rng.randrange(sel) | (rng.getrandbits(29) * sel if rng.random() < 0.1 else 0),
                rng.getrandbits(32))
    if r < 0.90:
        which = rng.choice((P_BIAS, P_MULTIPLIER, P_SHIFT, 3))
        return (SETPARAM, junk | which, _param_value(rng, which), _small_address(rng))
    if r < 0.95:
        if rng.random() < 0.5:
            return (CONFIG, junk | C_OFFSETS, rng.randrange(-128, 129) & MASK32 if rng.random() < 0.8 else rng.getrandbits(32),
                    rng.randrange(-128, 128) & MASK32 if rng.random() < 0.8 else rng.getrandbits(32))
        lo = rng.randrange(-128, 0)
        return (CONFIG, junk | C_CLAMP, lo & MASK32, rng.randrange(lo, 128) & MASK32 if rng.random() < 0.9 else rng.getrandbits(32))
    if r < 0.98:
        return (CLEAR, rng.getrandbits(7), rng.getrandbits(32), rng.getrandbits(32))
    return (ID, rng.getrandbits(7), rng.getrandbits(32), rng.getrandbits(32))


def zero_memories(g: Geometry = CURRENT):
    """Commands that zero every buffer word and parameter: memories survive reset, so a test
    that starts from a fresh model must first make the hardware match it."""
    cmds = [(WLOAD, W_SETUP, 0, g.depth)] + [(WLOAD, W_STREAM, 0, 0)] * (g.depth * g.lanes)
    return cmds + [(SETPARAM, which, 0, ch) for ch in range(CHANNELS) for which in (P_BIAS, P_MULTIPLIER, P_SHIFT)]


def prologue(rng, channels=16, words=16, g: Geometry = CURRENT):
    """Fill the parameters and buffer words the random commands touch, so that outputs carry
    information instead of sitting at a clamp."""
    cmds = []
    for ch in range(channels):
        cmds.append((SETPARAM, P_BIAS, rng.randrange(-(1 << 12), 1 << 12) & MASK32, ch))
        if ch % 4 == 3:
            # A small multiplier and no right shift: the high-multiply's rounding shows
            # directly in the output instead of vanishing in a large right shift.
            cmds.append((SETPARAM, P_MULTIPLIER, rng.randrange(1 << 17, 1 << 21), ch))
            cmds.append((SETPARAM, P_SHIFT, rng.randrange(0, 3), ch))
        else:
            cmds.append((SETPARAM, P_MULTIPLIER, rng.randrange(1 << 30, 1 << 31), ch))
            cmds.append((SETPARAM, P_SHIFT, rng.randrange(-15, -8) & MASK32, ch))
    cmds.append((WLOAD, W_SETUP, 0, words))
    cmds += [(WLOAD, W_STREAM, rng.getrandbits(32), 0) for _ in range(words * g.lanes)]
    return cmds


def random_commands(rng, n, with_prologue=True, g: Geometry = CURRENT):
    cmds = prologue(rng, g=g) if with_prologue else []
    return cmds + [random_command(rng, g) for _ in range(n)]


def _small_positive_word(rng):
    return int.from_bytes(bytes(rng.randrange(1, 4) for _ in range(4)), "little")


def exercise(rng, g: Geometry = CURRENT):
    """From reset: every instruction, every WLOAD/SETPARAM/CONFIG variant and every MAC mode,
    with identity requantization (multiplier 2^30, shift 1: output = bias + acc) and small
    positive operands, so each lane's products land unclamped in its own output byte and a
    wrong lane always shows in a READ."""
    LANES = g.lanes
    offset = rng.randrange(0, 3)
    cmds = [(ID, 0, 0, 0), (CLEAR, 0, 0, 0),
            (CONFIG, C_OFFSETS, offset, 0), (CONFIG, C_CLAMP, -128 & MASK32, 127)]
    for ch in range(LANES):                                    # block 0's channels
        cmds += [(SETPARAM, P_BIAS, rng.randrange(-8, 8) & MASK32, ch),
                 (SETPARAM, P_MULTIPLIER, 1 << 30, ch), (SETPARAM, P_SHIFT, 1, ch)]
    for lane in range(LANES):                                  # word 0 of every lane, directly
        cmds.append((WLOAD, W_DIRECT, _small_positive_word(rng), (lane << g.addr_bits) | 0))
    cmds.append((WLOAD, W_SETUP, 1, 1))                        # word 1 of every lane, streamed
    cmds += [(WLOAD, W_STREAM, _small_positive_word(rng), 0) for _ in range(LANES)]

    def read_both_halves(slot):
        return [(READ, 0, g.read_operand(slot, word), 0) for word in range(g.read_words)]

    # CONV: one word of activations against each lane's word 0, then word 1 accumulated.
    cmds += [(SETPTR, 0, 0, 0), (MAC, CONV | COMMIT, _small_positive_word(rng), 0)]
    cmds += read_both_halves(0)
    cmds += [(SETPTR, 0, 1, 0), (MAC, CONV, _small_positive_word(rng), 0), (MAC, NOMAC | COMMIT, 0, 0)]
    cmds += read_both_halves(1)
    # DW: one activation byte per lane (eight in rs1:rs2) times each lane's weight byte 0
    # (lanes past the eighth take none: their output is their bias).
    cmds += [(SETPTR, 0, 0, 0),
             (MAC, DW | COMMIT, _small_positive_word(rng), _small_positive_word(rng))]
    cmds += read_both_halves(0)
    # FC: activations from lane 0's word, each pair of lanes in turn takes weights from rs1/rs2.
    for pair in range(g.pairs):
        cmds += [(SETPTR, 0, 0, pair << 8),
                 (MAC, FC | COMMIT, _small_positive_word(rng), _small_positive_word(rng))]
        cmds += read_both_halves((pair + 1) % 2)
    return cmds
