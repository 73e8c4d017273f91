"""Random single-op models for the heavy ops: int16x8 CONV_2D, DEPTHWISE_CONV_2D and
FULLY_CONNECTED (int16 activations, int8 weights, int64 or int32 bias).

Built with ModelBuilder's tensor() and raw_op(), since its conv/fc helpers are int8-only.
Corners: int64 biases far beyond int32, int32 biases (TFLM's 32-bit accumulator path), no bias,
nonzero int16 zero points (ignored by the kernels but used for the fused activation's bounds),
multipliers below and above one, per-tensor and per-channel weights, dilation, groups.
"""
from __future__ import annotations

import math

import numpy as np
from runtime_opgen import ACTS, bias, f32, log_uniform, out_scale_for, spatial, weights, zero_point
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model.tflite_builder import ACTIVATIONS, PADDINGS, ModelBuilder, out_size

INT16_STD = 65536 / math.sqrt(12)  # a uniform int16 input's standard deviation


def zero_point16(rng) -> int:
    """Mostly 0, as the converter writes for int16; sometimes not (TFLM ignores it in the
    kernels but its fused activation bounds use it)."""
    r = rng.random()
    if r < 0.75:
        return 0
    if r < 0.85:
        return int(rng.choice([-32768, 32767, -1, 1]))
    return int(rng.integers(-3000, 3001))


def out_scale16(rng, in_scale, w_scale, fan_in) -> float:
    """An int16 output scale spreading results over int16; sometimes one giving a tiny
    multiplier or one above one."""
    acc_std = math.sqrt(max(fan_in, 1)) * 70.0 * INT16_STD
    sensible = in_scale * w_scale * acc_std / 8000.0
    r = rng.random()
    if r < 0.1:
        return f32(sensible * 2.0 ** rng.uniform(4, 14))
    if r < 0.2:
        return f32(in_scale * w_scale * 2.0 ** rng.uniform(-6, 0))  # multiplier > 1 (shift <= 6)
    return f32(sensible * 2.0 ** rng.uniform(-2, 2))


def act16(rng, out_scale) -> str:
    """A fused activation whose bounds quantize inside int32 (TFLM refuses the others; that
    refusal is tested elsewhere)."""
    act = str(rng.choice(ACTS))
    bound = {"RELU6": 6.0, "RELU_N1_TO_1": 1.0}.get(act, 0.0)
    return "RELU" if bound / out_scale >= 2.0 ** 30 else act


def bias16(rng, n, fan_in, allow_int32=True, optional=True):
    """(values, dtype) or (None, None)."""
    if optional and rng.random() < 0.1:
        return None, None
    dtype = "int32" if (allow_int32 and rng.random() < 0.25) else "int64"
    span = int(math.sqrt(max(fan_in, 1)) * 70 * INT16_STD)
    r = rng.random()
    if dtype == "int64" and r < 0.05:  # far beyond any int32, still inside TFLM's 2^47 domain
        return rng.integers(-2 ** 40, 2 ** 40, size=n, dtype=np.int64), dtype
    if dtype == "int32" and r < 0.05:  # the 32-bit accumulator wraps
        return rng.integers(-2 ** 31, 2 ** 31, size=n, dtype=np.int64).astype(np.int32), dtype
    return rng.integers(-span, span + 1, size=n, dtype=np.int64).astype(dtype), dtype


def _bias_tensor(b, values, dtype, in_scale, w_scales):
    if values is None:
        return -1
    n = len(values)
    bscale = (np.float32(in_scale) * np.atleast_1d(w_scales)).astype(np.float32)
    return b.tensor([n], dtype, bscale, np.zeros(bscale.size, np.int64), data=values, quantized_dimension=0)


def _weight_scales(rng, n, per_channel):
    return np.array([log_uniform(rng, 1e-4, 0.1) for _ in range(n if per_channel else 1)], np.float32)


def gen_conv16(rng):
    b = ModelBuilder()
    batches = 1 if rng.random() < 0.8 else 2
    h, kh, sh, dh, eh = spatial(rng)
    w, kw, sw, dw, ew = spatial(rng)
    padding = "VALID" if (rng.random() < 0.4 and h >= eh and w >= ew) else "SAME"
    filter_in_c = int(rng.integers(1, 13))
    groups = 1 if rng.random() < 0.85 else int(rng.integers(2, 4))
    in_c = filter_in_c * groups
    out_c = groups * int(rng.integers(1, 9))
    in_s = log_uniform(rng, 1e-5, 1e-2)
    x = b.input([batches, h, w, in_c], in_s, zero_point16(rng), dtype="int16")
    per_channel = rng.random() < 0.8
    ws = _weight_scales(rng, out_c, per_channel)
    wt = b.tensor((out_c, kh, kw, filter_in_c), "int8", ws, np.zeros(ws.size, np.int64),
                  data=weights(rng, (out_c, kh, kw, filter_in_c), rng.random() < 0.7))
    fan_in = kh * kw * filter_in_c
    bv, bt = bias16(rng, out_c, fan_in)
    bias_t = _bias_tensor(b, bv, bt, in_s, ws)
    oh, ow = out_size(padding, h, kh, sh, dh), out_size(padding, w, kw, sw, dw)
    out_s = out_scale16(rng, in_s, float(ws.mean()), fan_in)
    y = b.tensor([batches, oh, ow, out_c], "int16", out_s, zero_point16(rng))
    act = act16(rng, out_s)
    opt = fb.Conv2DOptionsT()
    opt.padding = PADDINGS[padding]
    opt.strideH, opt.strideW = sh, sw
    opt.dilationHFactor, opt.dilationWFactor = dh, dw
    opt.fusedActivationFunction = ACTIVATIONS[act]
    ins = [x, wt] if (bias_t < 0 and rng.random() < 0.5) else [x, wt, bias_t]
    b.raw_op(fb.BuiltinOperator.CONV_2D, ins, [y], fb.BuiltinOptions.Conv2DOptions, opt)
    b.output(y)
    return b.build(), dict(op="conv16", shape=(batches, h, w, in_c), k=(kh, kw), s=(sh, sw), d=(dh, dw),
                           groups=groups, pad=padding, out_c=out_c, act=act, bias=bt, per_channel=per_channel)


def gen_depthwise16(rng):
    b = ModelBuilder()
    batches = 1 if rng.random() < 0.85 else 2
    h, kh, sh, dh, eh = spatial(rng)
    w, kw, sw, dw, ew = spatial(rng)
    padding = "VALID" if (rng.random() < 0.4 and h >= eh and w >= ew) else "SAME"
    in_c = int(rng.integers(1, 17))
    mult = 1 if rng.random() < 0.6 else int(rng.integers(2, 5))
    out_c = in_c * mult
    in_s = log_uniform(rng, 1e-5, 1e-2)
    x = b.input([batches, h, w, in_c], in_s, zero_point16(rng), dtype="int16")
    per_channel = rng.random() < 0.8
    ws = _weight_scales(rng, out_c, per_channel)
    wt = b.tensor((1, kh, kw, out_c), "int8", ws, np.zeros(ws.size, np.int64),
                  data=weights(rng, (1, kh, kw, out_c)), quantized_dimension=3)
    # always a bias: TFLM's depthwise Prepare dereferences a missing one
    bv, bt = bias16(rng, out_c, kh * kw, allow_int32=False, optional=False)
    bias_t = _bias_tensor(b, bv, bt, in_s, ws)
    oh, ow = out_size(padding, h, kh, sh, dh), out_size(padding, w, kw, sw, dw)
    out_s = out_scale16(rng, in_s, float(ws.mean()), kh * kw)
    y = b.tensor([batches, oh, ow, out_c], "int16", out_s, zero_point16(rng))
    act = act16(rng, out_s)
    opt = fb.DepthwiseConv2DOptionsT()
    opt.padding = PADDINGS[padding]
    opt.strideH, opt.strideW = sh, sw
    opt.dilationHFactor, opt.dilationWFactor = dh, dw
    opt.depthMultiplier = mult
    opt.fusedActivationFunction = ACTIVATIONS[act]
    b.raw_op(fb.BuiltinOperator.DEPTHWISE_CONV_2D, [x, wt, bias_t], [y],
             fb.BuiltinOptions.DepthwiseConv2DOptions, opt)
    b.output(y)
    return b.build(), dict(op="dw16", shape=(batches, h, w, in_c), k=(kh, kw), s=(sh, sw), d=(dh, dw),
                           pad=padding, mult=mult, act=act, per_channel=per_channel)


def gen_fc16(rng, per_channel=False):
    b = ModelBuilder()
    batches = int(rng.choice([1, 1, 1, 2, 3]))
    depth = int(rng.integers(1, 300))
    units = int(rng.integers(1, 65))
    in_s = log_uniform(rng, 1e-5, 1e-2)
    four_d = batches == 1 and rng.random() < 0.2
    x = b.input([1, 1, 1, depth] if four_d else [batches, depth], in_s, zero_point16(rng), dtype="int16")
    ws = _weight_scales(rng, units, per_channel)
    wzp = 0 if (per_channel or rng.random() < 0.8) else int(rng.integers(-20, 21))
    wt = b.tensor((units, depth), "int8", ws, np.full(ws.size, wzp, np.int64), data=weights(rng, (units, depth)))
    bv, bt = bias16(rng, units, depth)
    bias_t = _bias_tensor(b, bv, bt, in_s, ws)
    keep = (not four_d) and rng.random() < 0.2
    oshape = [batches, units]
    out_s = out_scale16(rng, in_s, float(ws.mean()), depth)
    y = b.tensor(oshape, "int16", out_s, zero_point16(rng))
    act = act16(rng, out_s)
    opt = fb.FullyConnectedOptionsT()
    opt.fusedActivationFunction = ACTIVATIONS[act]
    opt.keepNumDims = keep
    b.raw_op(fb.BuiltinOperator.FULLY_CONNECTED, [x, wt, bias_t], [y],
             fb.BuiltinOptions.FullyConnectedOptions, opt)
    b.output(y)
    return b.build(), dict(op="fc16", batches=batches, depth=depth, units=units, act=act, wzp=wzp,
                           bias=bt, per_channel=per_channel)


def gen_transpose_conv(rng, int16=False):
    b = ModelBuilder()
    batches = 1 if rng.random() < 0.85 else 2
    h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    sh, sw = int(rng.choice([1, 2, 2, 3])), int(rng.choice([1, 2, 2, 3]))
    padding = str(rng.choice(["SAME", "VALID"]))
    # the converter's output size; TFLM never checks it, so sometimes another one
    oh = h * sh if padding == "SAME" else (h - 1) * sh + kh
    ow = w * sw if padding == "SAME" else (w - 1) * sw + kw
    if rng.random() < 0.1:
        oh, ow = max(1, oh + int(rng.integers(-2, 3))), max(1, ow + int(rng.integers(-2, 3)))
    in_c, out_c = int(rng.integers(1, 13)), int(rng.integers(1, 13))
    dtype = "int16" if int16 else "int8"
    if int16:
        in_s, in_zp = log_uniform(rng, 1e-5, 1e-2), 0
    else:
        in_s, in_zp = log_uniform(rng, 1e-3, 1.0), zero_point(rng)
    x = b.input([batches, h, w, in_c], in_s, in_zp, dtype=dtype)
    per_channel = rng.random() < 0.8
    ws = _weight_scales(rng, out_c, per_channel)
    wt = b.tensor((out_c, kh, kw, in_c), "int8", ws, np.zeros(ws.size, np.int64),
                  data=weights(rng, (out_c, kh, kw, in_c), rng.random() < 0.7))
    fan_in = max(1, (kh // sh) * (kw // sw)) * in_c
    if int16:
        bv, bt = bias16(rng, out_c, fan_in, allow_int32=False)
        if bv is not None and rng.random() < 0.2:  # the old converters' int16 bias, widened by TFLM
            bv, bt = rng.integers(-32768, 32768, size=out_c).astype(np.int16), "int16"
        out_s, out_zp = out_scale16(rng, in_s, float(ws.mean()), fan_in), 0
    else:
        bv = bias(rng, out_c)
        bt = None if bv is None else "int32"
        out_s, out_zp = out_scale_for(rng, in_s, float(ws.mean()), fan_in), zero_point(rng)
    bias_t = _bias_tensor(b, bv, bt, in_s, ws)
    shape_t = b.tensor([4], "int32", data=np.array([batches, oh, ow, out_c], np.int32))
    y = b.tensor([batches, oh, ow, out_c], dtype, out_s, out_zp)
    act = act16(rng, out_s) if int16 else str(rng.choice(ACTS))
    opt = fb.TransposeConvOptionsT()
    opt.padding = PADDINGS[padding]
    opt.strideH, opt.strideW = sh, sw
    opt.fusedActivationFunction = ACTIVATIONS[act]
    ins = [shape_t, wt, x] if (bias_t < 0 and rng.random() < 0.5) else [shape_t, wt, x, bias_t]
    b.raw_op(fb.BuiltinOperator.TRANSPOSE_CONV, ins, [y], fb.BuiltinOptions.TransposeConvOptions, opt)
    b.output(y)
    return b.build(), dict(op="tconv16" if int16 else "tconv", shape=(batches, h, w, in_c), k=(kh, kw),
                           s=(sh, sw), pad=padding, out=(oh, ow, out_c), act=act, bias=bt, per_channel=per_channel)


def gen_transpose_conv16(rng):
    return gen_transpose_conv(rng, int16=True)


def gen_batch_matmul(rng, int16=False):
    b = ModelBuilder()
    rows, depth, cols = int(rng.integers(1, 9)), int(rng.integers(1, 40)), int(rng.integers(1, 9))
    adj_x, adj_y = bool(rng.random() < 0.3), bool(rng.random() < 0.3)
    nb = int(rng.integers(0, 4))  # batch dimensions of the output
    batch = [int(rng.integers(1, 4)) for _ in range(nb)]
    lb, rb = list(batch), list(batch)
    for i in range(nb):  # broadcasting: one side 1
        if rng.random() < 0.3:
            (lb if rng.random() < 0.5 else rb)[i] = 1
    if nb and rng.random() < 0.3:  # one side with fewer dimensions
        if rng.random() < 0.5:
            lb = lb[int(rng.integers(1, nb + 1)):]
        else:
            rb = rb[int(rng.integers(1, nb + 1)):]
    if adj_x and len(lb) > 0 and len(rb) > 0 and rb[-1] == 1:
        # TFLM's eval folds an LHS batch into rows when the RHS's third-last dimension is 1,
        # which with adj_x leaves most of the output unwritten: no defined result to compare
        rb[-1] = 2 if len(lb) and lb[-1] in (1, 2) else lb[-1]
    lshape = lb + ([depth, rows] if adj_x else [rows, depth])
    rshape = rb + ([cols, depth] if adj_y else [depth, cols])
    dtype = "int16" if int16 else "int8"
    zp = (lambda: 0) if int16 else (lambda: zero_point(rng))
    ls, rs = log_uniform(rng, 1e-4, 0.1), log_uniform(rng, 1e-4, 0.1)
    x = b.input(lshape, ls, zp(), dtype=dtype)
    if rng.random() < 0.5:  # a constant RHS, as converters emit for weights
        info = np.iinfo(np.int16 if int16 else np.int8)
        data = rng.integers(info.min, int(info.max) + 1, size=rshape).astype(dtype)
        y_in = b.tensor(rshape, dtype, rs, zp(), data=data)
        const = True
    else:
        y_in = b.input(rshape, rs, zp(), dtype=dtype)
        const = False
    amp = INT16_STD if int16 else 70.0
    sensible = ls * rs * math.sqrt(depth) * amp * amp / (8000.0 if int16 else 50.0)
    r = rng.random()
    out_s = f32(sensible * 2.0 ** (rng.uniform(-2, 2) if r < 0.85 else rng.uniform(4, 10)))
    if rng.random() < 0.1:
        out_s = f32(ls * rs * 2.0 ** rng.uniform(-6, 0))  # multiplier above one
    out_shape = list(np.broadcast_shapes(tuple(lb), tuple(rb))) + [rows, cols]
    y = b.tensor(out_shape, dtype, out_s, zp())
    opt = fb.BatchMatMulOptionsT()
    opt.adjX, opt.adjY = adj_x, adj_y
    b.raw_op(fb.BuiltinOperator.BATCH_MATMUL, [x, y_in], [y], fb.BuiltinOptions.BatchMatMulOptions, opt)
    b.output(y)
    return b.build(), dict(op="bmm16" if int16 else "bmm", lhs=lshape, rhs=rshape, adj=(adj_x, adj_y), const=const)


def gen_batch_matmul16(rng):
    return gen_batch_matmul(rng, int16=True)


def gen_svdf(rng):
    """One SVDF, or (30%) two in a row sharing one state, so the second sees the first's shifted
    state within one input (each input starts from the reset state on both sides)."""
    b = ModelBuilder()
    batches = int(rng.choice([1, 1, 1, 2]))
    input_size, memory = int(rng.integers(1, 40)), int(rng.integers(1, 12))
    rank, units = int(rng.integers(1, 4)), int(rng.integers(1, 9))
    filters = rank * units
    state16 = rng.random() < 0.5
    sdt = "int16" if state16 else "int8"
    in_s = log_uniform(rng, 1e-3, 1.0)
    x = b.input([batches, input_size], in_s, zero_point(rng))
    wf_s = log_uniform(rng, 1e-4, 0.1)
    st_amp = INT16_STD / 4 if state16 else 50.0
    st_s = f32(in_s * wf_s * math.sqrt(input_size) * 70 * 70 / st_amp * 2.0 ** rng.uniform(-2, 2))
    st_zp = (0 if rng.random() < 0.8 else int(rng.integers(-100, 101))) if state16 else zero_point(rng)
    state = b.tensor([batches, memory * filters], sdt, st_s, st_zp, name="svdf_state")
    b.tensors[state].isVariable = True
    act = str(rng.choice(["NONE", "RELU", "RELU6"]))
    twice = rng.random() < 0.3
    wt_s = log_uniform(rng, 1e-4, 0.1)
    y = x
    for step in range(2 if twice else 1):
        depth = input_size if step == 0 else units
        wf_scale = wf_s if step == 0 else f32(b.info[y].scale and wf_s * in_s / b.info[y].scale)
        wf = b.tensor([filters, depth], "int8", wf_scale, 0, data=weights(rng, (filters, depth)))
        info = np.iinfo(np.int16 if state16 else np.int8)
        wt = b.tensor([filters, memory], sdt, wt_s, 0,
                      data=rng.integers(-info.max, int(info.max) + 1, size=(filters, memory)).astype(sdt))
        # always a bias: TFLM's integer SVDF reads its scale unconditionally (crashes without)
        bt = b.tensor([units], "int32", f32(st_s * wt_s), 0, data=bias(rng, units, optional=False))
        amp = INT16_STD / 4 if state16 else 70.0
        out_s = f32(st_s * wt_s * math.sqrt(memory * rank) * amp * amp / 50.0 * 2.0 ** rng.uniform(-2, 2))
        if rng.random() < 0.1:
            out_s = f32(st_s * wt_s * 2.0 ** rng.uniform(-5, 0))  # multiplier above one
        out = b.tensor([batches, units], "int8", out_s, zero_point(rng))
        opt = fb.SVDFOptionsT()
        opt.rank = rank
        opt.fusedActivationFunction = ACTIVATIONS[act]
        b.raw_op(fb.BuiltinOperator.SVDF, [y, wf, wt, bt, state], [out], fb.BuiltinOptions.SVDFOptions, opt)
        y = out
    b.output(y)
    return b.build(), dict(op="svdf", batches=batches, input=input_size, memory=memory, rank=rank, units=units,
                           state=sdt, state_zp=st_zp, twice=twice, act=act)


def gen_lstm(rng, int16=False):
    """UNIDIRECTIONAL_SEQUENCE_LSTM as the converter writes the integer LSTM: 24 inputs (no CIFG,
    peephole, projection or layer norm), int8 weights, int16 cell state with a power-of-two
    scale, TANH cell activation; int8 activations with int32 biases or int16 activations with
    int64 biases; both time layouts, with and without cell clipping."""
    b = ModelBuilder()
    batches, steps = int(rng.integers(1, 4)), int(rng.integers(1, 6))
    input_size, state = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    time_major = bool(rng.random() < 0.4)
    dtype, bias_type = ("int16", "int64") if int16 else ("int8", "int32")
    amp = INT16_STD if int16 else 70.0
    if int16:
        in_s, in_zp = log_uniform(rng, 1e-5, 1e-3), 0
        h_s, h_zp = log_uniform(rng, 1.0 / 65536, 1.0 / 16384), 0
    else:
        in_s, in_zp = log_uniform(rng, 0.005, 0.5), zero_point(rng)
        h_s, h_zp = log_uniform(rng, 1.0 / 256, 1.0 / 64), zero_point(rng)
    x = b.input([steps, batches, input_size] if time_major else [batches, steps, input_size], in_s, in_zp,
                dtype=dtype)
    cell_power = int(rng.integers(-15, -9))
    ins = [x]
    # fan-in aware weight scales keep the gates' pre-activations within Q3.12's +-8 most of the time
    wz = lambda: 0 if rng.random() < 0.9 else int(rng.integers(-5, 6))  # noqa: E731
    for _ in range(4):
        ws = f32(4.0 / (math.sqrt(input_size) * 70 * in_s * amp) * 2.0 ** rng.uniform(-2, 1.5))
        ins.append(b.tensor([state, input_size], "int8", ws, wz(), data=weights(rng, (state, input_size))))
    for _ in range(4):
        ws = f32(4.0 / (math.sqrt(state) * 70 * h_s * amp) * 2.0 ** rng.uniform(-2, 1.5))
        ins.append(b.tensor([state, state], "int8", ws, wz(), data=weights(rng, (state, state))))
    ins += [-1, -1, -1]  # peephole
    for g in range(4):
        bs = f32(in_s * b.info[ins[1 + g]].scale)
        span = int(min(1.0 / bs, 2 ** 40))
        ins.append(b.tensor([state], bias_type, bs, 0,
                            data=rng.integers(-span, span + 1, size=state, dtype=np.int64).astype(bias_type)))
    ins += [-1, -1]  # projection
    hidden = b.tensor([batches, state], dtype, h_s, h_zp, name="hidden_state")
    cell = b.tensor([batches, state], "int16", f32(2.0 ** cell_power), 0, name="cell_state")
    b.tensors[hidden].isVariable = True
    b.tensors[cell].isVariable = True
    ins += [hidden, cell, -1, -1, -1, -1]
    out_shape = [steps, batches, state] if time_major else [batches, steps, state]
    y = b.tensor(out_shape, dtype, h_s, h_zp)
    opt = fb.UnidirectionalSequenceLSTMOptionsT()
    opt.fusedActivationFunction = ACTIVATIONS["TANH"]
    opt.cellClip = 0.0 if rng.random() < 0.6 else f32(rng.uniform(0.5, 12.0))
    opt.projClip = 0.0
    opt.timeMajor = time_major
    b.raw_op(fb.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, ins, [y],
             fb.BuiltinOptions.UnidirectionalSequenceLSTMOptions, opt)
    b.output(y)
    return b.build(), dict(op="lstm16" if int16 else "lstm", batches=batches, steps=steps, input=input_size,
                           state=state, time_major=time_major, cell_power=cell_power, clip=opt.cellClip)


def gen_lstm16(rng):
    return gen_lstm(rng, int16=True)


GENERATORS = {
    "CONV_2D/int16x8": gen_conv16,
    "DEPTHWISE_CONV_2D/int16x8": gen_depthwise16,
    "FULLY_CONNECTED/int16x8": gen_fc16,
    "TRANSPOSE_CONV/int8": gen_transpose_conv,
    "TRANSPOSE_CONV/int16x8": gen_transpose_conv16,
    "BATCH_MATMUL/int8": gen_batch_matmul,
    "BATCH_MATMUL/int16": gen_batch_matmul16,
    "SVDF/int8": gen_svdf,
    "UNIDIRECTIONAL_SEQUENCE_LSTM/int8": gen_lstm,
    "UNIDIRECTIONAL_SEQUENCE_LSTM/int16": gen_lstm16,
}


# ---- small fixed multi-op models for the simulated SoC (tests/soc/test_heavy_ops_on_soc.py) ----
def soc_chain_int16x8(seed: int = 0) -> bytes:
    """int16x8 CONV_2D -> DEPTHWISE_CONV_2D -> FULLY_CONNECTED (int64 biases, nonzero-free int16
    zero points as the converter writes them)."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder("cfu-bench soc int16x8 chain")
    x = b.input([1, 8, 8, 3], 2e-4, 0, dtype="int16")

    def int16_layer(code, options_type, opt, x, w, ws, qdim, out_shape, fan_in):
        in_s = b.info[x].scale
        wt = b.tensor(w.shape, "int8", ws, np.zeros(ws.size, np.int64), data=w, quantized_dimension=qdim)
        n = out_shape[-1]
        bt = _bias_tensor(b, rng.integers(-200000, 200001, size=n).astype(np.int64), "int64", in_s, ws)
        y = b.tensor(out_shape, "int16", out_scale16(np.random.default_rng(0), in_s, float(ws.mean()), fan_in), 0)
        b.raw_op(code, [x, wt, bt], [y], options_type, opt)
        return y

    opt = fb.Conv2DOptionsT()
    opt.padding, opt.strideH, opt.strideW = PADDINGS["SAME"], 1, 1
    opt.dilationHFactor = opt.dilationWFactor = 1
    opt.fusedActivationFunction = ACTIVATIONS["RELU"]
    x = int16_layer(fb.BuiltinOperator.CONV_2D, fb.BuiltinOptions.Conv2DOptions, opt, x,
                    weights(rng, (8, 3, 3, 3)), _weight_scales(rng, 8, True), 0, [1, 8, 8, 8], 27)
    opt = fb.DepthwiseConv2DOptionsT()
    opt.padding, opt.strideH, opt.strideW, opt.depthMultiplier = PADDINGS["SAME"], 2, 2, 1
    opt.dilationHFactor = opt.dilationWFactor = 1
    opt.fusedActivationFunction = ACTIVATIONS["RELU6"]
    x = int16_layer(fb.BuiltinOperator.DEPTHWISE_CONV_2D, fb.BuiltinOptions.DepthwiseConv2DOptions, opt, x,
                    weights(rng, (1, 3, 3, 8)), _weight_scales(rng, 8, True), 3, [1, 4, 4, 8], 9)
    opt = fb.FullyConnectedOptionsT()
    x = int16_layer(fb.BuiltinOperator.FULLY_CONNECTED, fb.BuiltinOptions.FullyConnectedOptions, opt, x,
                    weights(rng, (10, 128)), _weight_scales(rng, 1, False), 0, [1, 10], 128)
    b.output(x)
    return b.build()


def soc_chain_int8(seed: int = 0) -> bytes:
    """int8 TRANSPOSE_CONV -> RESHAPE -> BATCH_MATMUL (constant RHS) -> RESHAPE -> SVDF."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder("cfu-bench soc heavy int8 chain")
    x = b.input([1, 4, 4, 3], 0.05, -3)
    ws = _weight_scales(rng, 4, True)
    wt = b.tensor((4, 3, 3, 3), "int8", ws, np.zeros(4, np.int64), data=weights(rng, (4, 3, 3, 3)))
    bt = _bias_tensor(b, rng.integers(-2000, 2001, size=4).astype(np.int32), "int32", 0.05, ws)
    shape_t = b.tensor([4], "int32", data=np.array([1, 8, 8, 4], np.int32))
    y = b.tensor([1, 8, 8, 4], "int8", out_scale_for(np.random.default_rng(1), 0.05, float(ws.mean()), 27), 5)
    opt = fb.TransposeConvOptionsT()
    opt.padding, opt.strideH, opt.strideW = PADDINGS["SAME"], 2, 2
    b.raw_op(fb.BuiltinOperator.TRANSPOSE_CONV, [shape_t, wt, x, bt], [y], fb.BuiltinOptions.TransposeConvOptions, opt)
    x = b.reshape(y, [8, 32])
    rhs = b.tensor([32, 6], "int8", 0.02, 0, data=weights(rng, (32, 6)))
    y = b.tensor([8, 6], "int8", f32(b.info[x].scale * 0.02 * math.sqrt(32) * 70 * 70 / 50), -7)
    opt = fb.BatchMatMulOptionsT()
    b.raw_op(fb.BuiltinOperator.BATCH_MATMUL, [x, rhs], [y], fb.BuiltinOptions.BatchMatMulOptions, opt)
    x = b.reshape(y, [1, 48])
    in_s = b.info[x].scale
    st_s = f32(in_s * 0.01 * math.sqrt(48) * 70 * 70 / 50)
    state = b.tensor([1, 5 * 8], "int8", st_s, 3, name="svdf_state")
    b.tensors[state].isVariable = True
    wf = b.tensor([8, 48], "int8", 0.01, 0, data=weights(rng, (8, 48)))
    wtime = b.tensor([8, 5], "int8", 0.02, 0, data=weights(rng, (8, 5)))
    sb = b.tensor([4], "int32", f32(st_s * np.float32(0.02)), 0, data=rng.integers(-500, 501, size=4).astype(np.int32))
    out = b.tensor([1, 4], "int8", f32(st_s * 0.02 * math.sqrt(10) * 70 * 70 / 50), 0)
    opt = fb.SVDFOptionsT()
    opt.rank = 2
    b.raw_op(fb.BuiltinOperator.SVDF, [x, wf, wtime, sb, state], [out], fb.BuiltinOptions.SVDFOptions, opt)
    b.output(out)
    return b.build()
