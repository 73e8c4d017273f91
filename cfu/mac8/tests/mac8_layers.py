"""Whole layers on mac8: TFLite-style reference layers (numpy), and the mac8 command programs
that compute them, built the way the C kernels drive the CFU.

The reference follows TFLM's reference_integer_ops loops (per-channel quantization, padding
skipped, requantization from requant_model); it does not use the instruction model, so a
program's READ results checked against it test the instruction set's meaning as well.
"""
from dataclasses import dataclass

import numpy as np

from cfu_bench.design import quantize_multiplier, requantize
from mac8_model import (C_CLAMP, C_OFFSETS, CLEAR, COMMIT, CONFIG, CONV, CURRENT, DW, FC, MAC, MASK32,
                        NOMAC, P_BIAS, P_MULTIPLIER, P_SHIFT, READ, SETPARAM, SETPTR, W_SETUP,
                        W_STREAM, WLOAD)

# The programs are built for the geometry the design was built with (mac8_model.CURRENT).
G = CURRENT
LANES = G.lanes


@dataclass
class Quant:
    input_offset: int
    output_offset: int
    act_min: int
    act_max: int
    bias: np.ndarray          # int32 per output channel
    multiplier: np.ndarray    # int32 per output channel
    shift: np.ndarray         # int per output channel


def random_quant(rng: np.random.Generator, channels: int, depth: int) -> Quant:
    """Scales such that outputs spread over the int8 range for accumulators of `depth` MACs."""
    scale = 1.0 / (128.0 * np.sqrt(depth) * 2.0)
    mults, shifts = zip(*(quantize_multiplier(scale * rng.uniform(0.5, 2.0)) for _ in range(channels)))
    act_min, act_max = (-128, 127) if rng.random() < 0.7 else (int(rng.integers(-128, -20)), int(rng.integers(20, 128)))
    return Quant(int(rng.integers(-127, 129)), int(rng.integers(-128, 128)), act_min, act_max,
                 rng.integers(-(1 << 14), 1 << 14, channels, dtype=np.int64),
                 np.array(mults, dtype=np.int64), np.array(shifts, dtype=np.int64))


def _requant(acc: int, q: Quant, ch: int) -> int:
    return requantize(acc, int(q.bias[ch]), int(q.multiplier[ch]), int(q.shift[ch]),
                      q.output_offset, q.act_min, q.act_max)


def output_size(size: int, k: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - k) // stride + 1


# ---- reference layers (TFLM semantics) -------------------------------------------------------

def reference_conv(x, w, q: Quant, stride: int, pad: int) -> np.ndarray:
    """x: HWC int8, w: OHWI int8 -> HWO int8."""
    H, W, C = x.shape
    O, K, _, _ = w.shape
    OH, OW = output_size(H, K, stride, pad), output_size(W, K, stride, pad)
    out = np.zeros((OH, OW, O), dtype=np.int8)
    xs = x.astype(np.int64) + q.input_offset
    for oy in range(OH):
        for ox in range(OW):
            for o in range(O):
                acc = 0
                for ky in range(K):
                    for kx in range(K):
                        iy, ix = oy * stride - pad + ky, ox * stride - pad + kx
                        if 0 <= iy < H and 0 <= ix < W:
                            acc += int(np.dot(xs[iy, ix], w[o, ky, kx].astype(np.int64)))
                out[oy, ox, o] = _requant(acc, q, o)
    return out


def reference_depthwise(x, w, q: Quant, stride: int, pad: int) -> np.ndarray:
    """x: HWC int8, w: 1HWC int8 (depth multiplier 1) -> HWC int8."""
    H, W, C = x.shape
    K = w.shape[1]
    OH, OW = output_size(H, K, stride, pad), output_size(W, K, stride, pad)
    out = np.zeros((OH, OW, C), dtype=np.int8)
    xs = x.astype(np.int64) + q.input_offset
    for oy in range(OH):
        for ox in range(OW):
            for c in range(C):
                acc = 0
                for ky in range(K):
                    for kx in range(K):
                        iy, ix = oy * stride - pad + ky, ox * stride - pad + kx
                        if 0 <= iy < H and 0 <= ix < W:
                            acc += int(xs[iy, ix, c]) * int(w[0, ky, kx, c])
                out[oy, ox, c] = _requant(acc, q, c)
    return out


def reference_fc(x, w, q: Quant) -> np.ndarray:
    """x: D int8, w: OD int8 -> O int8."""
    xs = x.astype(np.int64) + q.input_offset
    return np.array([_requant(int(np.dot(xs, w[o].astype(np.int64))), q, o) for o in range(w.shape[0])],
                    dtype=np.int8)


# ---- mac8 programs ------------------------------------------------------------------------------

def _words(values) -> list[int]:
    b = np.asarray(values, dtype=np.int8).tobytes()
    assert len(b) % 4 == 0
    return [int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4)]


def _setup_layer(q: Quant, channels: int, per_block: int = LANES) -> list:
    """per_block: channels per block of lanes (depthwise on 16 lanes uses 8 of each block)."""
    cmds = [(CLEAR, 0, 0, 0),
            (CONFIG, C_OFFSETS, q.input_offset & MASK32, q.output_offset & MASK32),
            (CONFIG, C_CLAMP, q.act_min & MASK32, q.act_max & MASK32)]
    for ch in range(channels):
        slot = (ch // per_block) * LANES + ch % per_block
        cmds += [(SETPARAM, P_BIAS, int(q.bias[ch]) & MASK32, slot),
                 (SETPARAM, P_MULTIPLIER, int(q.multiplier[ch]) & MASK32, slot),
                 (SETPARAM, P_SHIFT, int(q.shift[ch]) & MASK32, slot)]
    return cmds


def _commit_and_read(cmds: list, last_mac_index: int | None, slot: int) -> None:
    if last_mac_index is None:
        cmds.append((MAC, NOMAC | COMMIT, 0, 0))
    else:
        f3, f7, a, b = cmds[last_mac_index]
        cmds[last_mac_index] = (f3, f7 | COMMIT, a, b)
    cmds += [(READ, 0, G.read_operand(slot, word), 0) for word in range(G.read_words)]


@dataclass
class Program:
    commands: list
    shape: tuple          # of the output
    channels: int         # real output channels (the last block may be partial)
    per_block: int = LANES  # channels a commit computes (its first lanes)

    def outputs(self, responses: list[int]) -> np.ndarray:
        """The layer's output from the responses to `commands`, in order."""
        reads = [r for c, r in zip(self.commands, responses) if c[0] == READ]
        data = np.frombuffer(b"".join(r.to_bytes(4, "little") for r in reads), dtype=np.int8)
        blocks = -(-self.channels // self.per_block)
        pixels = data.reshape(-1, blocks, 4 * G.read_words)[:, :, :self.per_block]  # all blocks of a pixel in order
        return pixels.reshape(-1, blocks * self.per_block)[:, :self.channels].reshape(self.shape)


def conv_program(x, w, q: Quant, stride: int, pad: int) -> Program:
    """Cin a multiple of 4; all blocks of output channels held in the buffers at once."""
    H, W, C = x.shape
    O, K, _, _ = w.shape
    assert C % 4 == 0
    row_words = K * K * C // 4
    blocks = -(-O // LANES)
    assert blocks * row_words <= G.depth
    cmds = _setup_layer(q, O)
    for b in range(blocks):
        cmds.append((WLOAD, W_SETUP, b * row_words, row_words))
        for lane in range(LANES):
            o = b * LANES + lane
            row = w[o].reshape(-1) if o < O else np.zeros(row_words * 4, np.int8)
            cmds += [(WLOAD, W_STREAM, word, 0) for word in _words(row)]
    OH, OW = output_size(H, K, stride, pad), output_size(W, K, stride, pad)
    slot = 0
    for oy in range(OH):
        for ox in range(OW):
            for b in range(blocks):
                last = None
                for ky in range(K):
                    iy = oy * stride - pad + ky
                    if not 0 <= iy < H:
                        continue
                    kx0 = max(0, pad - ox * stride)
                    kx1 = min(K, W + pad - ox * stride)
                    if kx0 >= kx1:
                        continue
                    ix0 = ox * stride - pad + kx0
                    cmds.append((SETPTR, 0, b * row_words + (ky * K + kx0) * C // 4, b))
                    for word in _words(x[iy, ix0:ix0 + kx1 - kx0].reshape(-1)):
                        cmds.append((MAC, CONV, word, 0))
                        last = len(cmds) - 1
                _commit_and_read(cmds, last, slot)
                slot ^= 1
    return Program(cmds, (OH, OW, O), O)


def depthwise_program(x, w, q: Quant, stride: int, pad: int) -> Program:
    H, W, C = x.shape
    K = w.shape[1]
    taps = K * K
    n = G.dw_lanes          # channels per MAC DW
    groups = -(-C // n)
    cmds = _setup_layer(q, C, n)
    padded_w = np.zeros((taps, groups * n), np.int8)
    padded_w[:, :C] = w.reshape(taps, C)
    for g in range(groups):
        cmds.append((WLOAD, W_SETUP, g * taps, taps))
        for lane in range(n):
            cmds += [(WLOAD, W_STREAM, int(padded_w[t, g * n + lane]) & 0xFF, 0) for t in range(taps)]
    padded_x = np.zeros((H, W, groups * n), np.int8)
    padded_x[:, :, :C] = x
    OH, OW = output_size(H, K, stride, pad), output_size(W, K, stride, pad)
    slot = 0
    for oy in range(OH):
        for ox in range(OW):
            for g in range(groups):
                last = None
                for ky in range(K):
                    iy = oy * stride - pad + ky
                    if not 0 <= iy < H:
                        continue
                    kx0 = max(0, pad - ox * stride)
                    kx1 = min(K, W + pad - ox * stride)
                    if kx0 >= kx1:
                        continue
                    cmds.append((SETPTR, 0, g * taps + ky * K + kx0, g))
                    for kx in range(kx0, kx1):
                        ix = ox * stride - pad + kx
                        words = _words(padded_x[iy, ix, g * n:(g + 1) * n]) + [0]
                        cmds.append((MAC, DW, words[0], words[1]))
                        last = len(cmds) - 1
                _commit_and_read(cmds, last, slot)
                slot ^= 1
    return Program(cmds, (OH, OW, C), C, n)


def fc_program(x, w, q: Quant) -> Program:
    O, D = w.shape
    assert D % 4 == 0
    blocks = -(-O // LANES)
    cmds = _setup_layer(q, O)
    cmds.append((WLOAD, W_SETUP, 0, D // 4))
    cmds += [(WLOAD, W_STREAM, word, 0) for word in _words(x)]
    padded_w = np.zeros((blocks * LANES, D), np.int8)
    padded_w[:O] = w
    slot = 0
    for b in range(blocks):
        last = None
        for pair in range(G.pairs):
            cmds.append((SETPTR, 0, 0, b | (pair << 8)))
            even = _words(padded_w[b * LANES + 2 * pair])
            odd = _words(padded_w[b * LANES + 2 * pair + 1])
            for we, wo in zip(even, odd):
                cmds.append((MAC, FC, we, wo))
                last = len(cmds) - 1
        _commit_and_read(cmds, last, slot)
        slot ^= 1
    return Program(cmds, (O,), O)


def random_layer_cases(rng: np.random.Generator):
    """Small layers covering 1x1 and KxK, strides 1 and 2, padding, partial channel blocks."""
    def tensor(*shape):
        return rng.integers(-128, 128, shape, dtype=np.int64).astype(np.int8)

    cases = []
    for (H, W, C, O, K, stride, pad) in ((5, 5, 8, 12, 3, 1, 1), (6, 5, 4, 8, 3, 2, 1),
                                         (4, 4, 16, 8, 1, 1, 0), (5, 6, 4, 3, 2, 2, 0)):
        x, w = tensor(H, W, C), tensor(O, K, K, C)
        q = random_quant(rng, O, K * K * C)
        cases.append(("conv", conv_program(x, w, q, stride, pad), reference_conv(x, w, q, stride, pad)))
    for (H, W, C, K, stride, pad) in ((5, 5, 16, 3, 1, 1), (6, 6, 12, 3, 2, 1)):
        x, w = tensor(H, W, C), tensor(1, K, K, C)
        q = random_quant(rng, C, K * K)
        cases.append(("depthwise", depthwise_program(x, w, q, stride, pad),
                      reference_depthwise(x, w, q, stride, pad)))
    for (D, O) in ((64, 10), (40, 16)):
        x, w = tensor(D), tensor(O, D)
        q = random_quant(rng, O, D)
        cases.append(("fc", fc_program(x, w, q), reference_fc(x, w, q)))
    return cases
