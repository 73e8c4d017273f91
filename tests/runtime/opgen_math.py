"""Random single-op models for the elementwise and quantized-math ops (int8 and int16).

Each generator takes a numpy Generator and returns (model_bytes, description), like
runtime_opgen.py's. Corners drawn on purpose: extreme and odd zero points (int16 ones where
TFLM allows them), multipliers far above and below one, broadcasting with missing leading
dimensions, negative and repeated axes, keep_dims both ways, MEAN's plain and requantizing
paths, power-of-two and general int16 LOGISTIC/TANH input scales, negative LEAKY_RELU alphas.
"""
from __future__ import annotations

import numpy as np
from runtime_opgen import ACTS, f32, log_uniform, zero_point
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model.tflite_builder import ModelBuilder

QMIN = {"int8": -128, "int16": -32768}
QMAX = {"int8": 127, "int16": 32767}


def zp_for(rng, dtype) -> int:
    if dtype == "int8":
        return zero_point(rng)
    r = rng.random()
    if r < 0.15:
        return int(rng.choice([-32768, 32767, 0, -1, 1]))
    if r < 0.5:
        return 0
    return int(rng.integers(-32768, 32768))


def shape(rng, max_rank=4, max_dim=6):
    return [int(rng.integers(1, max_dim + 1)) for _ in range(int(rng.integers(1, max_rank + 1)))]


def broadcast_pair(rng, max_rank=4):
    """Two shapes: equal most of the time, else broadcastable (1s on either side, fewer dims)."""
    s = shape(rng, max_rank)
    sa, sb = list(s), list(s)
    if rng.random() < 0.4:
        for i in range(len(s)):
            if rng.random() < 0.4:
                (sa if rng.random() < 0.5 else sb)[i] = 1
        if rng.random() < 0.3 and len(s) > 1:
            cut = int(rng.integers(1, len(s)))
            if rng.random() < 0.5:
                sb = sb[cut:]
            else:
                sa = sa[cut:]
    return sa, sb


def _operand(b, rng, shp, dtype, scale, zp):
    """An input, or sometimes a constant tensor read straight from the model."""
    if rng.random() < 0.2:
        data = rng.integers(QMIN[dtype], QMAX[dtype] + 1, size=shp)
        return b.tensor(shp, dtype, scale, zp, data=data)
    return b.input(shp, scale, zp, dtype=dtype)


def _act(rng):
    return fb.ActivationFunctionType.__dict__[str(rng.choice(ACTS))]


# ---- ADD / SUB / MUL ---------------------------------------------------------------------
def _add_sub(rng, op, dtype):
    b = ModelBuilder()
    sa, sb = broadcast_pair(rng, 4 if dtype == "int8" else 5)
    s1 = log_uniform(rng, 1e-4 if dtype == "int16" else 1e-3, 1.0)
    s2 = f32(s1 * 2.0 ** rng.uniform(-3, 3))
    x = _operand(b, rng, sa, dtype, s1, zp_for(rng, dtype))
    y = _operand(b, rng, sb, dtype, s2, zp_for(rng, dtype))
    out_s = f32(max(s1, s2) * 2.0 ** rng.uniform(-1, 2.5))
    opt = fb.AddOptionsT() if op == "ADD" else fb.SubOptionsT()
    opt.fusedActivationFunction = _act(rng)
    out_shape = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
    b.output(b.op(op, [x, y], out_shape, dtype, out_s, zp_for(rng, dtype), opt))
    return b.build(), dict(op=op, dtype=dtype, a=sa, b=sb, act=opt.fusedActivationFunction)


def _mul(rng, dtype):
    b = ModelBuilder()
    sa, sb = broadcast_pair(rng, 4)
    s1, s2 = log_uniform(rng, 1e-3, 1.0), log_uniform(rng, 1e-3, 1.0)
    zps = [zp_for(rng, dtype) if dtype == "int8" else 0 for _ in range(3)]
    x = _operand(b, rng, sa, dtype, s1, zps[0])
    y = _operand(b, rng, sb, dtype, s2, zps[1])
    span = 128.0 if dtype == "int8" else 32768.0
    # product scale s1 * s2 * span^2 spread over the output range, or far off it either way
    out_s = f32(s1 * s2 * span * 2.0 ** rng.uniform(-4, 4))
    if rng.random() < 0.1:
        out_s = f32(s1 * s2 * 2.0 ** rng.uniform(-3, 0))  # multiplier > 1
    opt = fb.MulOptionsT()
    opt.fusedActivationFunction = _act(rng)
    out_shape = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
    b.output(b.op("MUL", [x, y], out_shape, dtype, out_s, zps[2], opt))
    return b.build(), dict(op="MUL", dtype=dtype, a=sa, b=sb)


def _minmax(rng, op, dtype):
    b = ModelBuilder()
    sa, sb = broadcast_pair(rng, 5)
    s = log_uniform(rng, 1e-3, 1.0)
    zp = zp_for(rng, dtype)
    x = _operand(b, rng, sa, dtype, s, zp)
    y = _operand(b, rng, sb, dtype, s, zp)
    out_shape = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
    b.output(b.op(op, [x, y], out_shape, dtype, s, zp, fb.MaximumMinimumOptionsT()))
    return b.build(), dict(op=op, dtype=dtype, a=sa, b=sb)


# ---- activations -------------------------------------------------------------------------
def _unary(rng, op, dtype, in_s, in_zp, out_s, out_zp, options=None, shp=None):
    b = ModelBuilder()
    shp = shp or shape(rng, 4, 8)
    x = b.input(shp, in_s, in_zp, dtype=dtype)
    b.output(b.op(op, [x], shp, dtype, out_s, out_zp, options))
    return b.build(), dict(op=op, dtype=dtype, shape=shp, in_s=in_s, in_zp=in_zp, out_s=out_s, out_zp=out_zp)


def _relu(rng, op, dtype):
    in_s = log_uniform(rng, 1e-3, 1.0) if dtype == "int8" else log_uniform(rng, 1e-5, 1e-2)
    zp_in = zp_for(rng, dtype) if dtype == "int8" else 0
    zp_out = zp_for(rng, dtype) if dtype == "int8" else 0
    out_s = f32(in_s * 2.0 ** rng.uniform(-2, 2)) if rng.random() < 0.7 else in_s
    if op == "RELU6":
        out_s, zp_out = in_s, zp_in  # TFLM's RELU6 clamps without requantizing
    return _unary(rng, op, dtype, in_s, zp_in, out_s, zp_out)


def _leaky_relu(rng, dtype):
    in_s = log_uniform(rng, 1e-3, 1.0) if dtype == "int8" else log_uniform(rng, 1e-5, 1e-2)
    opt = fb.LeakyReluOptionsT()
    opt.alpha = f32(rng.choice([0.1, 0.2, 0.01, 0.3, float(rng.uniform(-1.5, 1.5))]))
    out_s = f32(in_s * 2.0 ** rng.uniform(-2, 2))
    return _unary(rng, "LEAKY_RELU", dtype, in_s, zp_for(rng, dtype), out_s, zp_for(rng, dtype), opt)


def _prelu(rng, dtype):
    b = ModelBuilder()
    shp = shape(rng, 4, 6)
    # alpha: per channel (the usual converter output), a full shape, or a scalar
    r = rng.random()
    ashp = [shp[-1]] if r < 0.5 else (list(shp) if r < 0.8 else [1])
    in_s = log_uniform(rng, 1e-3, 1.0) if dtype == "int8" else log_uniform(rng, 1e-5, 1e-2)
    x = b.input(shp, in_s, zp_for(rng, dtype), dtype=dtype)
    a_s = log_uniform(rng, 1e-3, 0.05)
    alpha = b.tensor(ashp, "int8", a_s, zero_point(rng), data=rng.integers(-128, 128, size=ashp))
    out_s = f32(in_s * 2.0 ** rng.uniform(-2, 2))
    b.output(b.op("PRELU", [x, alpha], shp, dtype, out_s, zp_for(rng, dtype)))
    return b.build(), dict(op="PRELU", dtype=dtype, shape=shp, alpha=ashp)


def gen_hard_swish(rng):
    in_s = log_uniform(rng, 1e-3, 0.5)
    # TFLM refuses an output multiplier (in_s / 128 / out_s) above one
    out_s = f32(in_s / 128.0 * 2.0 ** rng.uniform(0.01, 9))
    return _unary(rng, "HARD_SWISH", "int8", in_s, zero_point(rng), out_s, zero_point(rng), fb.HardSwishOptionsT())


def _sigmoid(rng, op, dtype):
    if dtype == "int8":
        in_s = log_uniform(rng, 1e-3, 0.5)
        out_s, out_zp = (1 / 256, -128) if op == "LOGISTIC" else (1 / 128, 0)
        return _unary(rng, op, dtype, in_s, zero_point(rng), out_s, out_zp)
    r = rng.random()
    if r < 0.3:
        in_s = 2.0 ** -12
    elif r < 0.4 and op == "TANH":
        in_s = 2.0 ** -11
    else:
        in_s = log_uniform(rng, 1e-5, 0.5)
    return _unary(rng, op, dtype, f32(in_s), 0, 2.0 ** -15, 0)


# ---- reductions --------------------------------------------------------------------------
def _reduce(rng, op, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 6 if op != "REDUCE_MAX" else 5))
    shp = [int(rng.integers(1, 7)) for _ in range(rank)]
    if rank == 4 and rng.random() < 0.3:
        axes = [1, 2]  # global average pooling, the converter's favourite
    else:
        k = int(rng.integers(1, min(rank, 2 if op != "REDUCE_MAX" else rank) + 1))
        axes = [int(a) for a in rng.choice(rank, size=k, replace=False)]
        axes = [a - rank if rng.random() < 0.3 else a for a in axes]
        if rng.random() < 0.1:
            axes = axes + [axes[0]]  # repeated axis
    keep = bool(rng.random() < 0.5)
    resolved = sorted({a % rank for a in axes})
    out_shape = [1 if i in resolved else d for i, d in enumerate(shp)] if keep else \
        [d for i, d in enumerate(shp) if i not in resolved]
    in_s = log_uniform(rng, 1e-3, 1.0) if dtype == "int8" else log_uniform(rng, 1e-5, 1e-2)
    in_zp = zp_for(rng, dtype)
    count = int(np.prod([shp[i] for i in resolved]))
    if op == "REDUCE_MAX" or (op == "MEAN" and rng.random() < 0.4):
        out_s, out_zp = in_s, in_zp  # MAX requires it; MEAN takes its plain integer path
    elif op == "SUM":
        out_s, out_zp = f32(in_s * np.sqrt(count) * 2.0 ** rng.uniform(-1, 3)), zp_for(rng, dtype)
    else:
        out_s, out_zp = f32(in_s * 2.0 ** rng.uniform(-3, 3)), zp_for(rng, dtype)
    x = b.input(shp, in_s, in_zp, dtype=dtype)
    ax = b.tensor([len(axes)], "int32", data=np.asarray(axes, np.int32))
    opt = fb.ReducerOptionsT()
    opt.keepDims = keep
    b.output(b.op(op, [x, ax], out_shape, dtype, out_s, out_zp, opt))
    return b.build(), dict(op=op, dtype=dtype, shape=shp, axes=axes, keep=keep)


def _bind(fn, *args):
    return lambda rng: fn(rng, *args)


GENERATORS = {
    "ADD int16": _bind(_add_sub, "ADD", "int16"),
    "SUB int8": _bind(_add_sub, "SUB", "int8"),
    "SUB int16": _bind(_add_sub, "SUB", "int16"),
    "MUL int8": _bind(_mul, "int8"),
    "MUL int16": _bind(_mul, "int16"),
    "MAXIMUM int8": _bind(_minmax, "MAXIMUM", "int8"),
    "MAXIMUM int16": _bind(_minmax, "MAXIMUM", "int16"),
    "MINIMUM int8": _bind(_minmax, "MINIMUM", "int8"),
    "MINIMUM int16": _bind(_minmax, "MINIMUM", "int16"),
    "RELU int8": _bind(_relu, "RELU", "int8"),
    "RELU int16": _bind(_relu, "RELU", "int16"),
    "RELU6 int8": _bind(_relu, "RELU6", "int8"),
    "RELU6 int16": _bind(_relu, "RELU6", "int16"),
    "LEAKY_RELU int8": _bind(_leaky_relu, "int8"),
    "LEAKY_RELU int16": _bind(_leaky_relu, "int16"),
    "PRELU int8": _bind(_prelu, "int8"),
    "PRELU int16": _bind(_prelu, "int16"),
    "HARD_SWISH int8": gen_hard_swish,
    "LOGISTIC int8": _bind(_sigmoid, "LOGISTIC", "int8"),
    "LOGISTIC int16": _bind(_sigmoid, "LOGISTIC", "int16"),
    "TANH int8": _bind(_sigmoid, "TANH", "int8"),
    "TANH int16": _bind(_sigmoid, "TANH", "int16"),
    "MEAN int8": _bind(_reduce, "MEAN", "int8"),
    "MEAN int16": _bind(_reduce, "MEAN", "int16"),
    "SUM int8": _bind(_reduce, "SUM", "int8"),
    "SUM int16": _bind(_reduce, "SUM", "int16"),
    "REDUCE_MAX int8": _bind(_reduce, "REDUCE_MAX", "int8"),
}

# ---- pools, QUANTIZE / DEQUANTIZE, SOFTMAX, L2_NORMALIZATION -----------------------------
def _pool16(rng, op):
    b = ModelBuilder()
    shp = [int(rng.choice([1, 1, 2])), int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 9))]
    k = (int(rng.integers(1, min(shp[1], 4) + 1)), int(rng.integers(1, min(shp[2], 4) + 1)))
    stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    padding = str(rng.choice(["SAME", "VALID"]))
    s, zp = log_uniform(rng, 1e-5, 1e-2), zp_for(rng, "int16")
    x = b.input(shp, s, zp, dtype="int16")
    fn = b.average_pool2d if op == "AVERAGE_POOL_2D" else b.max_pool2d
    b.output(fn(x, k, stride, padding, str(rng.choice(ACTS))))
    return b.build(), dict(op=op, dtype="int16", shape=shp, k=k, s=stride, pad=padding)


def _quantize(rng, in_dtype, out_dtype):
    b = ModelBuilder()
    shp = shape(rng, 3, 6)
    if in_dtype == "float32":
        x = b.input(shp, dtype="float32")
        in_s = 1.0
    else:
        in_s = log_uniform(rng, 1e-4, 1.0)
        in_zp = 0 if in_dtype == "int32" and rng.random() < 0.7 else zp_for(rng, "int16" if in_dtype == "int32" else in_dtype)
        x = b.input(shp, in_s, in_zp, dtype=in_dtype)
    if out_dtype == "int32":
        out_s, out_zp = f32(in_s * 2.0 ** rng.uniform(-8, 2)), int(rng.choice([0, 0, 5, -300]))
    elif in_dtype == "float32":
        out_s, out_zp = log_uniform(rng, 1e-4, 0.1), zp_for(rng, out_dtype)
    else:
        out_s, out_zp = f32(in_s * 2.0 ** rng.uniform(-6, 10)), zp_for(rng, out_dtype)
    b.output(b.op("QUANTIZE", [x], shp, out_dtype, out_s, out_zp, fb.QuantizeOptionsT()))
    return b.build(), dict(op="QUANTIZE", types=(in_dtype, out_dtype), shape=shp)


def gen_dequantize_i16(rng):
    b = ModelBuilder()
    shp = shape(rng, 3, 6)
    x = b.input(shp, log_uniform(rng, 1e-6, 1.0), zp_for(rng, "int16"), dtype="int16")
    b.output(b.op("DEQUANTIZE", [x], shp, "float32", options=fb.DequantizeOptionsT()))
    return b.build(), dict(op="DEQUANTIZE", dtype="int16", shape=shp)


def gen_softmax_i8_i16(rng):
    b = ModelBuilder()
    depth = int(rng.choice([1, 2, 10, int(rng.integers(1, 100)), int(rng.integers(100, 300))]))
    shp = [int(rng.integers(1, 4)), depth]
    x = b.input(shp, log_uniform(rng, 0.004, 0.5), zero_point(rng))
    opt = fb.SoftmaxOptionsT()
    opt.beta = 1.0 if rng.random() < 0.7 else f32(rng.uniform(0.3, 3.0))
    b.output(b.op("SOFTMAX", [x], shp, "int16", 1.0 / 65536.0, -32768, opt))
    return b.build(), dict(op="SOFTMAX", types=("int8", "int16"), shape=shp)


def gen_softmax_i16(rng):
    b = ModelBuilder()
    depth = int(rng.choice([1, 2, 10, int(rng.integers(1, 100)), int(rng.integers(100, 600))]))
    shp = [int(rng.integers(1, 4)), depth] if rng.random() < 0.7 else [1, int(rng.integers(1, 3)), 1, depth]
    x = b.input(shp, log_uniform(rng, 1e-5, 2e-3), 0, dtype="int16")
    opt = fb.SoftmaxOptionsT()
    opt.beta = 1.0 if rng.random() < 0.7 else f32(rng.uniform(0.3, 3.0))
    b.output(b.op("SOFTMAX", [x], shp, "int16", 1.0 / 32768.0, 0, opt))
    return b.build(), dict(op="SOFTMAX", types=("int16", "int16"), shape=shp)


def gen_l2norm(rng):
    b = ModelBuilder()
    shp = shape(rng, 4, 8)
    if rng.random() < 0.2:
        shp[-1] = int(rng.integers(50, 400))
    x = b.input(shp, log_uniform(rng, 1e-3, 1.0), zero_point(rng))
    b.output(b.op("L2_NORMALIZATION", [x], shp, "int8", 1.0 / 128.0, 0, fb.L2NormOptionsT()))
    return b.build(), dict(op="L2_NORMALIZATION", shape=shp)


GENERATORS.update({
    "AVERAGE_POOL_2D int16": _bind(_pool16, "AVERAGE_POOL_2D"),
    "MAX_POOL_2D int16": _bind(_pool16, "MAX_POOL_2D"),
    "QUANTIZE float32>int16": _bind(_quantize, "float32", "int16"),
    "QUANTIZE int8>int8": _bind(_quantize, "int8", "int8"),
    "QUANTIZE int8>int16": _bind(_quantize, "int8", "int16"),
    "QUANTIZE int8>int32": _bind(_quantize, "int8", "int32"),
    "QUANTIZE int16>int8": _bind(_quantize, "int16", "int8"),
    "QUANTIZE int16>int16": _bind(_quantize, "int16", "int16"),
    "QUANTIZE int16>int32": _bind(_quantize, "int16", "int32"),
    "QUANTIZE int32>int8": _bind(_quantize, "int32", "int8"),
    "QUANTIZE int32>int16": _bind(_quantize, "int32", "int16"),
    "DEQUANTIZE int16>float32": gen_dequantize_i16,
    "SOFTMAX int8>int16": gen_softmax_i8_i16,
    "SOFTMAX int16>int16": gen_softmax_i16,
    "L2_NORMALIZATION int8": gen_l2norm,
})


# ---- multi-op models: the fuzzing corpus and the SoC check -------------------------------
def chain_int8(rng=None):
    """Every int8 op of this family once, in a plausible order (MobileNetV3/MobileNetV2-like
    pieces, a small head)."""
    rng = rng if rng is not None else np.random.default_rng(23)
    b = ModelBuilder("cfu-bench math chain int8")
    x = b.input([1, 4, 4, 6], 0.05, -3)
    c = b.tensor([6], "int8", 0.04, 2, data=rng.integers(-128, 128, size=6))
    x = b.op("MUL", [x, c], [1, 4, 4, 6], "int8", 0.02, -5, fb.MulOptionsT())
    x = b.op("HARD_SWISH", [x], [1, 4, 4, 6], "int8", 0.015, -20, fb.HardSwishOptionsT())
    alpha = b.tensor([6], "int8", 0.01, 0, data=rng.integers(-128, 128, size=6))
    x = b.op("PRELU", [x, alpha], [1, 4, 4, 6], "int8", 0.015, -10)
    opt = fb.LeakyReluOptionsT()
    opt.alpha = 0.2
    x = b.op("LEAKY_RELU", [x], [1, 4, 4, 6], "int8", 0.015, -12, opt)
    y = b.op("RELU", [x], [1, 4, 4, 6], "int8", 0.012, -128)
    z = b.op("RELU6", [x], [1, 4, 4, 6], "int8", 0.015, -12)
    d = b.op("SUB", [x, y], [1, 4, 4, 6], "int8", 0.004, 20, fb.SubOptionsT())  # the leaky part
    x = b.op("MAXIMUM", [d, z], [1, 4, 4, 6], "int8", 0.015, -12, fb.MaximumMinimumOptionsT())
    x = b.op("MINIMUM", [x, b.tensor([1], "int8", 0.015, -12, data=[60])], [1, 4, 4, 6], "int8", 0.015, -12,
             fb.MaximumMinimumOptionsT())
    s = b.op("LOGISTIC", [x], [1, 4, 4, 6], "int8", 1 / 256, -128)
    t = b.op("TANH", [x], [1, 4, 4, 6], "int8", 1 / 128, 0)
    x = b.op("MUL", [s, t], [1, 4, 4, 6], "int8", 1 / 128, -128, fb.MulOptionsT())
    axes = b.tensor([2], "int32", data=np.array([1, 2], np.int32))
    red = fb.ReducerOptionsT()
    red.keepDims = True
    m = b.op("MEAN", [x, axes], [1, 1, 1, 6], "int8", 1 / 256, -128, red)
    mx = b.op("REDUCE_MAX", [x, axes], [1, 1, 1, 6], "int8", 1 / 128, -128, red)
    sm = b.op("SUM", [x, axes], [1, 1, 1, 6], "int8", 1 / 16, -128, red)
    x = b.op("ADD", [m, mx], [1, 1, 1, 6], "int8", 1 / 64, -128, fb.AddOptionsT())
    x = b.op("SUB", [x, sm], [1, 1, 1, 6], "int8", 1 / 16, 0, fb.SubOptionsT())
    x = b.op("L2_NORMALIZATION", [x], [1, 1, 1, 6], "int8", 1 / 128, 0, fb.L2NormOptionsT())
    x = b.reshape(x, [1, 6])
    opt = fb.SoftmaxOptionsT()
    opt.beta = 1.0
    b.output(b.op("SOFTMAX", [x], [1, 6], "int16", 1 / 65536, -32768, opt))
    return b.build()


def chain_int16(rng=None):
    """The int16 ops once each, between float32 edges (an int16x8 model's activations)."""
    rng = rng if rng is not None else np.random.default_rng(24)
    b = ModelBuilder("cfu-bench math chain int16")
    x = b.input([1, 6, 6, 3], dtype="float32")
    x = b.op("QUANTIZE", [x], [1, 6, 6, 3], "int16", 2.0 ** -12, 0, fb.QuantizeOptionsT())
    y = b.max_pool2d(x, (2, 2), (2, 2), "VALID")
    z = b.average_pool2d(x, (3, 3), (2, 2), "SAME", "RELU")
    x = b.op("ADD", [y, z], [1, 3, 3, 3], "int16", 2.0 ** -11, 0, fb.AddOptionsT())
    c = b.tensor([3], "int16", 2.0 ** -13, 0, data=rng.integers(-32768, 32768, size=3))
    x = b.op("MUL", [x, c], [1, 3, 3, 3], "int16", 2.0 ** -12, 0, fb.MulOptionsT())
    x = b.op("SUB", [x, y], [1, 3, 3, 3], "int16", 2.0 ** -11, 0, fb.SubOptionsT())
    r = b.op("RELU", [x], [1, 3, 3, 3], "int16", 2.0 ** -11, 0)
    opt = fb.LeakyReluOptionsT()
    opt.alpha = 0.1
    lr = b.op("LEAKY_RELU", [x], [1, 3, 3, 3], "int16", 2.0 ** -11, 0, opt)
    s = b.op("LOGISTIC", [r], [1, 3, 3, 3], "int16", 2.0 ** -15, 0)
    t = b.op("TANH", [lr], [1, 3, 3, 3], "int16", 2.0 ** -15, 0)
    x = b.op("MAXIMUM", [s, t], [1, 3, 3, 3], "int16", 2.0 ** -15, 0, fb.MaximumMinimumOptionsT())
    axes = b.tensor([1], "int32", data=np.array([-1], np.int32))
    x = b.op("MEAN", [x, axes], [1, 3, 3], "int16", 2.0 ** -15, 0, fb.ReducerOptionsT())
    x = b.op("QUANTIZE", [x], [1, 3, 3], "int8", 1 / 256, -128, fb.QuantizeOptionsT())
    x = b.op("QUANTIZE", [x], [1, 3, 3], "int32", 1 / 512, 0, fb.QuantizeOptionsT())
    x = b.op("QUANTIZE", [x], [1, 3, 3], "int16", 2.0 ** -14, 0, fb.QuantizeOptionsT())
    b.output(b.op("DEQUANTIZE", [x], [1, 3, 3], "float32", options=fb.DequantizeOptionsT()))
    return b.build()
