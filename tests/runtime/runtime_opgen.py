"""Random single-op INT8 models for the per-op bit-exactness tests.

Each generator takes a numpy Generator and returns (model_bytes, description). Parameters are
drawn to cover the corners that break integer kernels: SAME/VALID padding with windows larger
than strides, strides above the window, dilation, depth multipliers, odd and extreme zero
points, multipliers far below and above 1 (positive shifts), RELU / RELU6 / RELU_N1_TO_1,
missing bias, per-tensor and per-channel weights, batches above 1, broadcasting.
"""
from __future__ import annotations

import math

import numpy as np

from cfu_bench.model.tflite_builder import ModelBuilder, out_size

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def f32(x) -> float:
    return float(np.float32(x))


def log_uniform(rng, lo, hi) -> float:
    return f32(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def zero_point(rng) -> int:
    r = rng.random()
    if r < 0.15:
        return int(rng.choice([-128, 127, 0, -1, 1]))
    return int(rng.integers(-128, 128))


def out_scale_for(rng, in_scale, w_scale, fan_in) -> float:
    """Mostly an output scale that spreads results over int8; sometimes one that makes the
    requantization multiplier tiny or larger than one (positive shift)."""
    acc_std = math.sqrt(max(fan_in, 1)) * 70.0 * 70.0
    sensible = in_scale * w_scale * acc_std / 50.0
    r = rng.random()
    if r < 0.1:
        return f32(sensible * 2.0 ** rng.uniform(4, 12))     # multiplier tiny: everything near zp
    if r < 0.25:
        return f32(in_scale * w_scale * 2.0 ** rng.uniform(-6, 0))  # multiplier > 1
    return f32(sensible * 2.0 ** rng.uniform(-2, 2))


def weights(rng, shape, dense=True):
    if dense or rng.random() < 0.7:
        return rng.integers(-127, 128, size=shape).astype(np.int8)
    w = rng.integers(-127, 128, size=shape)
    w[rng.random(shape) < 0.5] = 0
    return w.astype(np.int8)


def bias(rng, n, scale=20000, optional=True):
    if optional and rng.random() < 0.1:
        return None
    r = rng.random()
    if r < 0.05:
        return rng.integers(-2 ** 31, 2 ** 31, size=n, dtype=np.int64).astype(np.int32)  # wrap-around
    return rng.integers(-scale, scale + 1, size=n).astype(np.int32)


def spatial(rng, k_max=5):
    """(in_size, kernel, stride, dilation) with a valid output for both paddings."""
    k = int(rng.integers(1, k_max + 1))
    stride = int(rng.choice([1, 1, 2, 2, 3, 4]))
    dil = 1 if rng.random() < 0.8 else int(rng.integers(2, 4))
    eff = (k - 1) * dil + 1
    size = int(rng.integers(max(1, eff // 2), eff + 10))
    return size, k, stride, dil, eff


def gen_conv(rng):
    b = ModelBuilder()
    batches = 1 if rng.random() < 0.8 else 2
    h, kh, sh, dh, eh = spatial(rng)
    w, kw, sw, dw, ew = spatial(rng)
    padding = "VALID" if (rng.random() < 0.4 and h >= eh and w >= ew) else "SAME"
    in_c = int(rng.integers(1, 17))
    out_c = int(rng.integers(1, 17))
    in_s, in_zp = log_uniform(rng, 1e-3, 1.0), zero_point(rng)
    x = b.input([batches, h, w, in_c], in_s, in_zp)
    per_channel = rng.random() < 0.8
    ws = np.array([log_uniform(rng, 1e-4, 0.1) for _ in range(out_c if per_channel else 1)], np.float32)
    act = str(rng.choice(ACTS))
    os_ = out_scale_for(rng, in_s, float(ws.mean()), kh * kw * in_c)
    y = b.conv2d(x, weights(rng, (out_c, kh, kw, in_c), rng.random() < 0.7), bias(rng, out_c), ws, os_,
                 zero_point(rng), stride=(sh, sw), padding=padding, activation=act, dilation=(dh, dw))
    b.output(y)
    return b.build(), dict(op="conv", shape=(batches, h, w, in_c), k=(kh, kw), s=(sh, sw), d=(dh, dw),
                           pad=padding, out_c=out_c, act=act, per_channel=per_channel)


def gen_depthwise(rng):
    # always with bias: TFLM's depthwise Prepare dereferences a missing bias and crashes
    b = ModelBuilder()
    batches = 1 if rng.random() < 0.85 else 2
    h, kh, sh, dh, eh = spatial(rng)
    w, kw, sw, dw, ew = spatial(rng)
    padding = "VALID" if (rng.random() < 0.4 and h >= eh and w >= ew) else "SAME"
    in_c = int(rng.integers(1, 17))
    mult = 1 if rng.random() < 0.6 else int(rng.integers(2, 5))
    out_c = in_c * mult
    in_s, in_zp = log_uniform(rng, 1e-3, 1.0), zero_point(rng)
    x = b.input([batches, h, w, in_c], in_s, in_zp)
    per_channel = rng.random() < 0.8
    ws = np.array([log_uniform(rng, 1e-4, 0.1) for _ in range(out_c if per_channel else 1)], np.float32)
    act = str(rng.choice(ACTS))
    os_ = out_scale_for(rng, in_s, float(ws.mean()), kh * kw)
    y = b.depthwise_conv2d(x, weights(rng, (1, kh, kw, out_c)), bias(rng, out_c, 3000, optional=False), ws, os_, zero_point(rng),
                           stride=(sh, sw), padding=padding, activation=act, depth_multiplier=mult,
                           dilation=(dh, dw))
    b.output(y)
    return b.build(), dict(op="dw", shape=(batches, h, w, in_c), k=(kh, kw), s=(sh, sw), d=(dh, dw),
                           pad=padding, mult=mult, act=act, per_channel=per_channel)


def gen_fc(rng, per_channel=None):
    b = ModelBuilder()
    batches = int(rng.choice([1, 1, 1, 2, 3]))
    depth = int(rng.integers(1, 300))
    units = int(rng.integers(1, 65))
    in_s, in_zp = log_uniform(rng, 1e-3, 1.0), zero_point(rng)
    four_d = batches == 1 and rng.random() < 0.2
    x = b.input([1, 1, 1, depth] if four_d else [batches, depth], in_s, in_zp)
    if per_channel is None:
        per_channel = False
    ws = np.array([log_uniform(rng, 1e-4, 0.1) for _ in range(units if per_channel else 1)], np.float32)
    wzp = 0 if (per_channel or rng.random() < 0.8) else int(rng.integers(-20, 21))
    act = str(rng.choice(ACTS))
    os_ = out_scale_for(rng, in_s, float(ws.mean()), depth)
    keep = (not four_d) and rng.random() < 0.2
    y = b.fully_connected(x, weights(rng, (units, depth)), bias(rng, units), ws, os_, zero_point(rng),
                          activation=act, keep_num_dims=keep, weight_zero_point=wzp)
    b.output(y)
    return b.build(), dict(op="fc", batches=batches, depth=depth, units=units, act=act, wzp=wzp,
                           per_channel=per_channel)


def _pool(rng, kind):
    b = ModelBuilder()
    batches = 1 if rng.random() < 0.85 else 2
    h, kh, sh, _, _ = spatial(rng, 6)
    w, kw, sw, _, _ = spatial(rng, 6)
    padding = "VALID" if (rng.random() < 0.5 and h >= kh and w >= kw) else "SAME"
    c = int(rng.integers(1, 17))
    x = b.input([batches, h, w, c], log_uniform(rng, 1e-3, 1.0), zero_point(rng))
    act = str(rng.choice(ACTS))
    fn = b.average_pool2d if kind == "avg" else b.max_pool2d
    y = fn(x, (kh, kw), (sh, sw), padding, act)
    b.output(y)
    return b.build(), dict(op=kind, shape=(batches, h, w, c), k=(kh, kw), s=(sh, sw), pad=padding, act=act)


def gen_avg_pool(rng):
    return _pool(rng, "avg")


def gen_max_pool(rng):
    return _pool(rng, "max")


def gen_add(rng):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 7)) for _ in range(rank)]
    sa, sb = list(shape), list(shape)
    if rng.random() < 0.3:  # broadcast: some dims become 1 on one side, maybe fewer dims
        for i in range(rank):
            if rng.random() < 0.4:
                (sa if rng.random() < 0.5 else sb)[i] = 1
        if rng.random() < 0.3 and rank > 1:
            sb = sb[int(rng.integers(1, rank)):]
    s1 = log_uniform(rng, 1e-3, 1.0)
    s2 = f32(s1 * 2.0 ** rng.uniform(-3, 3))
    a = b.input(sa, s1, zero_point(rng))
    if rng.random() < 0.2:  # a constant operand, read straight from the model
        c = b.tensor(sb, "int8", s2, zero_point(rng), data=rng.integers(-128, 128, size=sb).astype(np.int8))
    else:
        c = b.input(sb, s2, zero_point(rng))
    act = str(rng.choice(ACTS))
    out_s = f32(max(s1, s2) * 2.0 ** rng.uniform(-1, 2.5))
    y = b.add(a, c, out_s, zero_point(rng), activation=act)
    b.output(y)
    return b.build(), dict(op="add", a=sa, b=sb, act=act)


def gen_reshape(rng):
    b = ModelBuilder()
    dims = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    n = int(np.prod(dims))
    x = b.input(dims, log_uniform(rng, 1e-3, 1.0), zero_point(rng))
    new = [n] if rng.random() < 0.5 else [1, n]
    y = b.reshape(x, new, shape_tensor=rng.random() < 0.7)
    b.output(y)
    return b.build(), dict(op="reshape", dims=dims, new=new)


def gen_softmax(rng):
    b = ModelBuilder()
    depth = int(rng.choice([1, 2, 3, 10, 12, int(rng.integers(1, 100)), int(rng.integers(100, 400))]))
    outer = int(rng.integers(1, 4))
    shape = [outer, depth] if rng.random() < 0.7 else [1, outer, 1, depth]
    in_s = log_uniform(rng, 0.004, 0.5)
    x = b.input(shape, in_s, zero_point(rng))
    beta = 1.0 if rng.random() < 0.7 else f32(rng.uniform(0.3, 3.0))
    y = b.softmax(x, beta)
    b.output(y)
    return b.build(), dict(op="softmax", shape=shape, in_scale=in_s, beta=beta)


def gen_quantize(rng):
    b = ModelBuilder()
    shape = [int(rng.integers(1, 5)) for _ in range(int(rng.integers(1, 4)))]
    if rng.random() < 0.5:
        x = b.input(shape, dtype="float32")
        kind = "f32"
    else:
        x = b.input(shape, log_uniform(rng, 1e-3, 1.0), zero_point(rng))
        kind = "i8"
    y = b.quantize(x, log_uniform(rng, 1e-3, 1.0), zero_point(rng))
    b.output(y)
    return b.build(), dict(op="quantize", kind=kind, shape=shape)


def gen_dequantize(rng):
    b = ModelBuilder()
    shape = [int(rng.integers(1, 5)) for _ in range(int(rng.integers(1, 4)))]
    x = b.input(shape, log_uniform(rng, 1e-4, 10.0), zero_point(rng))
    y = b.dequantize(x)
    b.output(y)
    return b.build(), dict(op="dequantize", shape=shape)


def gen_chain(rng):
    """A few ops in sequence (conv -> dw -> pool -> reshape -> fc -> softmax), random params."""
    b = ModelBuilder()
    h = int(rng.integers(4, 12))
    c = int(rng.integers(1, 8))
    in_s = log_uniform(rng, 0.01, 0.5)
    x = b.input([1, h, h, c], in_s, zero_point(rng))
    oc = int(rng.integers(2, 12))
    ws = np.array([log_uniform(rng, 1e-3, 0.05) for _ in range(oc)], np.float32)
    s1 = out_scale_for(rng, in_s, float(ws.mean()), 9 * c)
    x = b.conv2d(x, weights(rng, (oc, 3, 3, c)), bias(rng, oc), ws, s1, -128, stride=(2, 2), activation="RELU")
    ws2 = np.array([log_uniform(rng, 1e-3, 0.05) for _ in range(oc)], np.float32)
    s2 = out_scale_for(rng, s1, float(ws2.mean()), 9)
    x = b.depthwise_conv2d(x, weights(rng, (1, 3, 3, oc)), bias(rng, oc, optional=False), ws2, s2, -128, activation="RELU6")
    hh = b.shape(x)[1]
    x = b.average_pool2d(x, (hh, hh), (hh, hh), "VALID")
    x = b.reshape(x, [1, oc])
    units = int(rng.integers(2, 12))
    ws3 = f32(log_uniform(rng, 1e-3, 0.05))
    # The softmax after it needs beta x input scale above 2^-26 (TFLM aborts below; the
    # refusal itself is tested in test_rt_refusals and tests/golden).
    fc_scale = max(out_scale_for(rng, s2, ws3, oc), 1e-6)
    x = b.fully_connected(x, weights(rng, (units, oc)), bias(rng, units), ws3, fc_scale, zero_point(rng))
    x = b.softmax(x)
    b.output(x)
    return b.build(), dict(op="chain", h=h, c=c)


GENERATORS = {
    "CONV_2D": gen_conv,
    "DEPTHWISE_CONV_2D": gen_depthwise,
    "FULLY_CONNECTED": gen_fc,
    "AVERAGE_POOL_2D": gen_avg_pool,
    "MAX_POOL_2D": gen_max_pool,
    "ADD": gen_add,
    "RESHAPE": gen_reshape,
    "SOFTMAX": gen_softmax,
    "QUANTIZE": gen_quantize,
    "DEQUANTIZE": gen_dequantize,
    "chain": gen_chain,
}

_ = out_size  # re-exported for tests that compute shapes
