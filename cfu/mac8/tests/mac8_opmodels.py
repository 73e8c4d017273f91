"""Random single-op INT8 models (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) that probe the
mac8 kernels' corners: input depths that are not multiples of 4, even and odd kernels,
strides, SAME/VALID padding, batches, partial channel blocks, more channels than the
parameter table, missing bias, fused activations, extreme zero points, per-tensor and
per-channel scales. Some fall outside what mac8 accepts (dilation, depth multiplier, odd
depths): those must run on the reference kernel and still match."""
import math

import numpy as np

from cfu_bench.design import ModelBuilder, out_size

ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _f32(x):
    return float(np.float32(x))


def _zero_point(rng):
    return int(rng.choice([-128, 127, 0])) if rng.random() < 0.2 else int(rng.integers(-128, 128))


def _weights(rng, shape):
    return rng.integers(-127, 128, shape, dtype=np.int64).astype(np.int8)


def _scales(rng, n, per_channel):
    count = n if per_channel else 1
    return np.array([_f32(math.exp(rng.uniform(math.log(0.002), math.log(0.05)))) for _ in range(count)],
                    dtype=np.float32)


def _out_scale(rng, in_scale, w_scales, fan_in):
    spread = in_scale * float(np.mean(w_scales)) * math.sqrt(fan_in) * 60 * 60 / 40
    return _f32(spread * math.exp(rng.uniform(-1.0, 1.0)))


def _bias(rng, n):
    return None if rng.random() < 0.15 else rng.integers(-20000, 20000, n)


def conv_model(rng, *, in_c=None, k=None, stride=None, dilation=1):
    in_c = in_c or int(rng.choice([1, 2, 3, 4, 5, 8, 12, 16, 20]))
    k = k or int(rng.choice([1, 1, 2, 3, 3, 5]))
    sh, sw = (stride, stride) if stride else (int(rng.integers(1, 4)), int(rng.integers(1, 3)))
    span = (k - 1) * dilation + 1
    h, w = int(rng.integers(span, span + 7)), int(rng.integers(span, span + 7))
    out_c = int(rng.choice([1, 3, 8, 9, 16, 20, 33]))
    batches = int(rng.choice([1, 1, 1, 2]))
    padding = str(rng.choice(["SAME", "VALID"]))
    per_channel = rng.random() < 0.8
    b = ModelBuilder()
    in_scale = _f32(rng.uniform(0.01, 0.1))
    x = b.input([batches, h, w, in_c], scale=in_scale, zero_point=_zero_point(rng))
    ws = _scales(rng, out_c, per_channel)
    y = b.conv2d(x, _weights(rng, (out_c, k, k, in_c)), _bias(rng, out_c), ws,
                 _out_scale(rng, in_scale, ws, k * k * in_c), _zero_point(rng), stride=(sh, sw),
                 padding=padding, activation=str(rng.choice(ACTIVATIONS)), dilation=(dilation, dilation))
    b.output(y)
    return b.build()


def depthwise_model(rng, *, channels=None, depth_multiplier=1, dilation=1):
    c = channels or int(rng.choice([4, 8, 12, 20, 36]))
    k = int(rng.choice([3, 3, 5, 2]))
    s = int(rng.integers(1, 3))
    h, w = int(rng.integers(k, k + 6)), int(rng.integers(k, k + 6))
    b = ModelBuilder()
    in_scale = _f32(rng.uniform(0.01, 0.1))
    x = b.input([int(rng.choice([1, 1, 2])), h, w, c], scale=in_scale, zero_point=_zero_point(rng))
    out_c = c * depth_multiplier
    ws = _scales(rng, out_c, True)
    # Always a bias: TFLM's Python interpreter crashes on a DEPTHWISE_CONV_2D without one.
    y = b.depthwise_conv2d(x, _weights(rng, (1, k, k, out_c)), rng.integers(-20000, 20000, out_c), ws,
                           _out_scale(rng, in_scale, ws, k * k), _zero_point(rng), stride=(s, s),
                           padding=str(rng.choice(["SAME", "VALID"])),
                           activation=str(rng.choice(ACTIVATIONS)), depth_multiplier=depth_multiplier,
                           dilation=(dilation, dilation))
    b.output(y)
    return b.build()


def fc_model(rng, *, depth=None, units=None):
    depth = depth or int(rng.choice([4, 12, 64, 100, 256]))
    units = units or int(rng.choice([1, 2, 7, 8, 10, 24]))
    batches = int(rng.choice([1, 1, 3]))
    per_channel = rng.random() < 0.3
    b = ModelBuilder()
    in_scale = _f32(rng.uniform(0.01, 0.1))
    x = b.input([batches, depth], scale=in_scale, zero_point=_zero_point(rng))
    ws = _scales(rng, units, per_channel)
    y = b.fully_connected(x, _weights(rng, (units, depth)), _bias(rng, units), ws,
                          _out_scale(rng, in_scale, ws, depth), _zero_point(rng),
                          activation=str(rng.choice(ACTIVATIONS)))
    b.output(y)
    return b.build()


def random_cases(rng, n_each: int):
    """(name, model bytes, expected kernel name or None for 'reference')."""
    cases = []
    for i in range(n_each):
        cases.append((f"conv{i}", conv_model(rng), "mac8_conv"))
        cases.append((f"depthwise{i}", depthwise_model(rng), "mac8_dw"))
        cases.append((f"fc{i}", fc_model(rng), "mac8_fc"))
    cases += [
        ("conv_dilated", conv_model(rng, k=3, stride=1, dilation=2), None),
        ("depthwise_multiplier2", depthwise_model(rng, depth_multiplier=2), None),
        ("depthwise_odd_channels", depthwise_model(rng, channels=6), None),
        ("fc_odd_depth", fc_model(rng, depth=30), None),
        ("fc_600_units", fc_model(rng, depth=16, units=600), "mac8_fc"),
        ("conv_many_blocks", conv_model(rng, in_c=16, k=3, stride=1), "mac8_conv"),
    ]
    return cases
