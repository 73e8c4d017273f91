"""Random single-op models for the data-movement and resize ops (issue 23).

Each generator takes a numpy Generator and a tensor type ("int8", "int16", "int32",
"float32") and returns (model_bytes, description). Shape/axis inputs are constant int32
tensors, as the converter writes them. Parameters are drawn to reach the corners: negative
axes, negative strides, every StridedSlice mask (ellipsis/new_axis/offset included, which TFLM
ignores), out-of-range begin/end that TFLM clamps, odd and extreme zero points, pad values
from the zero point or a constant, align_corners/half_pixel_centers, block sizes of 1.
"""
from __future__ import annotations

import math

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model.tflite_builder import ModelBuilder

OPS = fb.BuiltinOperator
OPTS = fb.BuiltinOptions


def f32(x) -> float:
    return float(np.float32(x))


def zero_point(rng) -> int:
    if rng.random() < 0.2:
        return int(rng.choice([-128, 127, 0, -1, 1]))
    return int(rng.integers(-128, 128))


def quant(rng, dtype):
    """(scale, zero point) for an activation of dtype: int16 symmetric (zp 0) as TFLite's
    int16x8 scheme; int32 and float32 unquantized."""
    if dtype == "int8":
        return f32(math.exp(rng.uniform(math.log(1e-3), math.log(1.0)))), zero_point(rng)
    if dtype == "int16":
        return f32(math.exp(rng.uniform(math.log(1e-5), math.log(1e-2)))), 0
    return None, None


def act_input(b, rng, shape, dtype, q=None):
    s, z = q or quant(rng, dtype)
    return b.input(shape, s, z, dtype=dtype)


def act_tensor(b, shape, dtype, q):
    return b.tensor(shape, dtype, q[0], q[1])


def const_i32(b, values, shape=None):
    arr = np.asarray(values, np.int32)
    return b.tensor(list(arr.shape) if shape is None else shape, "int32", data=arr)


def qof(b, t):
    i = b.info[t]
    return i.scale, i.zero_point


def dims(rng, rank, lo=1, hi=6):
    return [int(rng.integers(lo, hi + 1)) for _ in range(rank)]


def options(cls, **fields):
    o = cls()
    for k, v in fields.items():
        setattr(o, k, v)
    return o


def finish(b, y, desc):
    b.output(y)
    return b.build(), desc


# ---- PAD / PADV2 ---------------------------------------------------------------------------
def gen_pad(rng, dtype, v2=False):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    shape = dims(rng, rank, 1, 5)
    x = act_input(b, rng, shape, dtype)
    pads = rng.integers(0, 4, size=(rank, 2))
    pads[rng.random(rank) < 0.3] = 0
    out_shape = [int(d + p[0] + p[1]) for d, p in zip(shape, pads)]
    # the output's quantization: TFLM's pad value for int8 is the OUTPUT zero point
    oq = (qof(b, x)[0], zero_point(rng)) if dtype == "int8" and rng.random() < 0.3 else qof(b, x)
    y = act_tensor(b, out_shape, dtype, oq)
    ins = [x, const_i32(b, pads)]
    if v2 and rng.random() < 0.8:
        info = np.iinfo(np.dtype(dtype)) if dtype != "float32" else None
        val = (np.float32(rng.uniform(-3, 3)) if dtype == "float32" else
               int(rng.integers(max(info.min, -2 ** 31), min(int(info.max), 2 ** 31 - 1) + 1)))
        ins.append(b.tensor([], dtype, oq[0], oq[1], data=np.asarray(val)))
    code, opt = (OPS.PADV2, OPTS.PadV2Options) if v2 else (OPS.PAD, OPTS.PadOptions)
    cls = fb.PadV2OptionsT if v2 else fb.PadOptionsT
    b.raw_op(code, ins, [y], opt, cls())
    return finish(b, y, dict(op="padv2" if v2 else "pad", shape=shape, pads=pads.tolist(), const=len(ins) == 3))


def gen_padv2(rng, dtype):
    return gen_pad(rng, dtype, v2=True)


# ---- CONCATENATION / PACK ------------------------------------------------------------------
def gen_concatenation(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    base = dims(rng, rank, 1, 4)
    axis = int(rng.integers(-rank, rank))
    n = int(rng.choice([1, 2, 2, 3, 4, int(rng.integers(5, 11))]))
    q = quant(rng, dtype)
    ins, total = [], 0
    for _ in range(n):
        s = list(base)
        s[axis] = int(rng.integers(1, 5))
        total += s[axis]
        if rng.random() < 0.15:  # a constant operand
            data = (rng.uniform(-4, 4, s) if dtype == "float32"
                    else rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, s, dtype=np.int64))
            ins.append(b.tensor(s, dtype, q[0], q[1], data=np.asarray(data).astype(dtype)))
        else:
            ins.append(act_input(b, rng, s, dtype, q))
    if all(b.tensors[i].buffer for i in ins):
        ins[0] = act_input(b, rng, b.shape(ins[0]), dtype, q)
    out_shape = list(base)
    out_shape[axis] = total
    y = act_tensor(b, out_shape, dtype, q)
    b.raw_op(OPS.CONCATENATION, ins, [y], OPTS.ConcatenationOptions,
             options(fb.ConcatenationOptionsT, axis=axis, fusedActivationFunction=0))
    return finish(b, y, dict(op="concat", base=base, axis=axis, n=n))


def gen_pack(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 4))
    shape = dims(rng, rank, 1, 4)
    n = int(rng.integers(1, 7))
    axis = int(rng.integers(-(rank + 1), rank + 1))
    q = quant(rng, dtype)
    ins = [act_input(b, rng, shape, dtype, q) for _ in range(n)]
    out_shape = list(shape)
    out_shape.insert(axis if axis >= 0 else rank + 1 + axis, n)
    y = act_tensor(b, out_shape, dtype, q)
    b.raw_op(OPS.PACK, ins, [y], OPTS.PackOptions, options(fb.PackOptionsT, valuesCount=n, axis=axis))
    return finish(b, y, dict(op="pack", shape=shape, n=n, axis=axis))


# ---- STRIDED_SLICE / SLICE -----------------------------------------------------------------
def _clamp(v, lo, hi):
    return max(lo, min(hi, v))


def strided_axis(size, begin, end, stride, begin_mask, end_mask, shrink):
    """TFLM's per-axis start/stop (strided_slice_logic.h, offset ignored) and the element count."""
    start = begin + size if begin < 0 else begin
    start = _clamp(start, 0, size) if stride > 0 else _clamp(start, -1, size - 1)
    if begin_mask:
        start = 0 if stride > 0 else size - 1
    if shrink:
        stop = start if start >= size else start + 1
    else:
        stop = end + size if end < 0 else end
        stop = _clamp(stop, 0, size) if stride > 0 else _clamp(stop, -1, size - 1)
        if end_mask:
            stop = size if stride > 0 else -1
    count = max(0, -(-(stop - start) // stride))
    return count


def gen_strided_slice(rng, dtype):
    while True:
        rank = int(rng.integers(1, 5))
        shape = dims(rng, rank, 1, 7)
        begin, end, strides = [], [], []
        masks = {k: 0 for k in ("begin", "end", "shrink", "ellipsis", "new_axis")}
        out_shape, ok = [], True
        for i, size in enumerate(shape):
            stride = int(rng.choice([1, 1, 1, 2, 3, -1, -1, -2, int(rng.integers(4, 9))]))
            bgn = int(rng.integers(-size - 2, size + 3))
            e = int(rng.integers(-size - 2, size + 3))
            bm, em = rng.random() < 0.2, rng.random() < 0.2
            shrink = rng.random() < 0.15
            if shrink and stride < 0:
                stride = 1
            n = strided_axis(size, bgn, e, stride, bm, em, shrink)
            if (shrink and n != 1) or (not shrink and n < 1):
                ok = False
                break
            masks["begin"] |= bm << i
            masks["end"] |= em << i
            masks["shrink"] |= shrink << i
            begin.append(bgn)
            end.append(e)
            strides.append(stride)
            if not shrink:
                out_shape.append(n)
        if ok:
            break
    # TFLM zeroes ellipsis_mask and new_axis_mask and never sets offset: a model carrying them
    # is sliced as if they were absent (checked against TFLM, which runs these models)
    if rng.random() < 0.1:
        masks["ellipsis"] = int(rng.integers(1, 1 << (rank + 1)))
    if rng.random() < 0.1:
        masks["new_axis"] = int(rng.integers(1, 1 << (rank + 1)))
    offset = bool(rng.random() < 0.1)
    b = ModelBuilder()
    x = act_input(b, rng, shape, dtype)
    y = act_tensor(b, out_shape, dtype, qof(b, x))
    opt = options(fb.StridedSliceOptionsT, beginMask=masks["begin"], endMask=masks["end"],
                  ellipsisMask=masks["ellipsis"], newAxisMask=masks["new_axis"],
                  shrinkAxisMask=masks["shrink"], offset=offset)
    b.raw_op(OPS.STRIDED_SLICE, [x, const_i32(b, begin), const_i32(b, end), const_i32(b, strides)], [y],
             OPTS.StridedSliceOptions, opt)
    return finish(b, y, dict(op="strided_slice", shape=shape, begin=begin, end=end, strides=strides, masks=masks, offset=offset))


def gen_slice(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    shape = dims(rng, rank, 1, 7)
    begin, size = [], []
    for d in shape:
        bg = int(rng.integers(0, d))
        sz = -1 if rng.random() < 0.25 else int(rng.integers(1, d - bg + 1))
        begin.append(bg)
        size.append(sz)
    out_shape = [d - bg if sz == -1 else sz for d, bg, sz in zip(shape, begin, size)]
    x = act_input(b, rng, shape, dtype)
    y = act_tensor(b, out_shape, dtype, qof(b, x))
    if rng.random() < 0.3:  # TFLM takes int64 begin/size too
        ins = [b.tensor([rank], "int64", data=np.asarray(v, np.int64)) for v in (begin, size)]
    else:
        ins = [const_i32(b, begin), const_i32(b, size)]
    b.raw_op(OPS.SLICE, [x] + ins, [y], OPTS.SliceOptions, fb.SliceOptionsT())
    i64 = b.tensors[ins[0]].type == fb.TensorType.INT64
    return finish(b, y, dict(op="slice", shape=shape, begin=begin, size=size, i64=i64))


# ---- SQUEEZE / EXPAND_DIMS -----------------------------------------------------------------
def gen_squeeze(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 6))
    shape = [1 if rng.random() < 0.4 else int(rng.integers(2, 5)) for _ in range(rank)]
    ones = [i for i, d in enumerate(shape) if d == 1]
    chosen = [i for i in ones if rng.random() < 0.6] if ones and rng.random() < 0.6 else []
    squeeze = set(chosen) if chosen else set(ones)
    out_shape = [d for i, d in enumerate(shape) if i not in squeeze]
    sdims = [i - rank if rng.random() < 0.4 else i for i in chosen]
    x = act_input(b, rng, shape, dtype)
    y = act_tensor(b, out_shape, dtype, qof(b, x))
    b.raw_op(OPS.SQUEEZE, [x], [y], OPTS.SqueezeOptions, options(fb.SqueezeOptionsT, squeezeDims=sdims))
    return finish(b, y, dict(op="squeeze", shape=shape, dims=sdims))


def gen_expand_dims(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(0, 5))
    shape = dims(rng, rank, 1, 5)
    axis = int(rng.integers(-(rank + 1), rank + 1))
    out_shape = list(shape)
    out_shape.insert(axis if axis >= 0 else rank + 1 + axis, 1)
    x = act_input(b, rng, shape, dtype)
    y = act_tensor(b, out_shape, dtype, qof(b, x))
    b.raw_op(OPS.EXPAND_DIMS, [x, const_i32(b, [axis])], [y], OPTS.ExpandDimsOptions, fb.ExpandDimsOptionsT())
    return finish(b, y, dict(op="expand_dims", shape=shape, axis=axis))


# ---- TRANSPOSE / DEPTH_TO_SPACE / SPACE_TO_DEPTH -------------------------------------------
def gen_transpose(rng, dtype, max_rank=5):
    b = ModelBuilder()
    rank = int(rng.integers(1, max_rank + 1))
    shape = dims(rng, rank, 1, 5 if rank < 5 else 3)
    perm = [int(p) for p in rng.permutation(rank)]
    x = act_input(b, rng, shape, dtype)
    y = act_tensor(b, [shape[p] for p in perm], dtype, qof(b, x))
    b.raw_op(OPS.TRANSPOSE, [x, const_i32(b, perm)], [y], OPTS.TransposeOptions, fb.TransposeOptionsT())
    return finish(b, y, dict(op="transpose", shape=shape, perm=perm))


def gen_depth_to_space(rng, dtype):
    b = ModelBuilder()
    bs = int(rng.choice([1, 2, 2, 3, 4]))
    shape = [int(rng.choice([1, 1, 2])), int(rng.integers(1, 5)), int(rng.integers(1, 5)),
             bs * bs * int(rng.integers(1, 4))]
    x = act_input(b, rng, shape, dtype)
    out = [shape[0], shape[1] * bs, shape[2] * bs, shape[3] // (bs * bs)]
    y = act_tensor(b, out, dtype, qof(b, x))
    b.raw_op(OPS.DEPTH_TO_SPACE, [x], [y], OPTS.DepthToSpaceOptions, options(fb.DepthToSpaceOptionsT, blockSize=bs))
    return finish(b, y, dict(op="depth_to_space", shape=shape, bs=bs))


def gen_space_to_depth(rng, dtype):
    b = ModelBuilder()
    bs = int(rng.choice([1, 2, 2, 3, 4]))
    shape = [int(rng.choice([1, 1, 2])), bs * int(rng.integers(1, 4)), bs * int(rng.integers(1, 4)),
             int(rng.integers(1, 5))]
    x = act_input(b, rng, shape, dtype)
    out = [shape[0], shape[1] // bs, shape[2] // bs, shape[3] * bs * bs]
    y = act_tensor(b, out, dtype, qof(b, x))
    b.raw_op(OPS.SPACE_TO_DEPTH, [x], [y], OPTS.SpaceToDepthOptions, options(fb.SpaceToDepthOptionsT, blockSize=bs))
    return finish(b, y, dict(op="space_to_depth", shape=shape, bs=bs))


# ---- GATHER --------------------------------------------------------------------------------
def gen_gather(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    shape = dims(rng, rank, 1, 5)
    axis = int(rng.integers(0, rank))
    batch_dims = int(rng.integers(0, axis + 1)) if rng.random() < 0.4 else 0
    pos_rank = batch_dims + int(rng.integers(0 if batch_dims else 1, 3))
    pos_shape = shape[:batch_dims] + dims(rng, pos_rank - batch_dims, 1, 4)
    positions = rng.integers(0, shape[axis], size=pos_shape).astype(np.int32)
    out_shape = shape[:axis] + pos_shape[batch_dims:] + shape[axis + 1:]
    x = act_input(b, rng, shape, dtype)
    p = b.tensor(pos_shape, "int32", data=positions)
    y = act_tensor(b, out_shape, dtype, qof(b, x))
    neg_axis = rng.random() < 0.3
    neg_bd = 0 < batch_dims < pos_rank and rng.random() < 0.3
    opt = options(fb.GatherOptionsT, axis=axis - rank if neg_axis else axis,
                  batchDims=batch_dims - pos_rank if neg_bd else batch_dims)
    b.raw_op(OPS.GATHER, [x, p], [y], OPTS.GatherOptions, opt)
    return finish(b, y, dict(op="gather", shape=shape, pos=pos_shape, axis=opt.axis, batch_dims=opt.batchDims))


# ---- RESIZE --------------------------------------------------------------------------------
def _resize(rng, dtype, bilinear):
    b = ModelBuilder()
    shape = [int(rng.choice([1, 1, 2])), int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 5))]
    oh = int(rng.choice([1, shape[1], 2 * shape[1], int(rng.integers(1, 20))]))
    ow = int(rng.choice([1, shape[2], 2 * shape[2], int(rng.integers(1, 20))]))
    align = bool(rng.random() < 0.35)
    half = bool(rng.random() < 0.4) and not (bilinear and align)
    x = act_input(b, rng, shape, dtype)
    y = act_tensor(b, [shape[0], oh, ow, shape[3]], dtype, qof(b, x))
    size = const_i32(b, [oh, ow])
    if bilinear:
        b.raw_op(OPS.RESIZE_BILINEAR, [x, size], [y], OPTS.ResizeBilinearOptions,
                 options(fb.ResizeBilinearOptionsT, alignCorners=align, halfPixelCenters=half))
    else:
        b.raw_op(OPS.RESIZE_NEAREST_NEIGHBOR, [x, size], [y], OPTS.ResizeNearestNeighborOptions,
                 options(fb.ResizeNearestNeighborOptionsT, alignCorners=align, halfPixelCenters=half))
    return finish(b, y, dict(op="resize_bilinear" if bilinear else "resize_nn", shape=shape, out=(oh, ow),
                             align=align, half=half))


def gen_resize_nearest_neighbor(rng, dtype):
    return _resize(rng, dtype, False)


def gen_resize_bilinear(rng, dtype):
    return _resize(rng, dtype, True)


# ---- CAST ----------------------------------------------------------------------------------
CAST_TYPES = ["int8", "int16", "int32", "float32"]


def gen_cast(rng, dtype):
    b = ModelBuilder()
    out_type = str(rng.choice([t for t in CAST_TYPES if t != dtype]))
    shape = dims(rng, int(rng.integers(1, 4)), 1, 6)
    x = act_input(b, rng, shape, dtype)
    y = b.tensor(shape, out_type, *quant(rng, out_type))
    b.raw_op(OPS.CAST, [x], [y], OPTS.CastOptions, fb.CastOptionsT())
    return finish(b, y, dict(op="cast", shape=shape, to=out_type))


# (op, type) -> generator; the types are the ones TFLM's reference kernels take for the op
# (CAST: the input type, cast to each of the others)
GENERATORS = {}
for _op, _gen, _types in [
    ("PAD", gen_pad, ["int8", "int16", "int32", "float32"]),
    ("PADV2", gen_padv2, ["int8", "int16", "int32", "float32"]),
    ("CONCATENATION", gen_concatenation, ["int8", "int16", "int32", "int64", "float32"]),
    ("PACK", gen_pack, ["int8", "int16", "int32", "int64", "float32"]),
    ("STRIDED_SLICE", gen_strided_slice, ["int8", "int16", "int32", "float32"]),
    ("SLICE", gen_slice, ["int8", "int16", "int32", "float32"]),
    ("SQUEEZE", gen_squeeze, ["int8", "int16", "int32", "float32"]),
    ("EXPAND_DIMS", gen_expand_dims, ["int8", "int16", "float32"]),
    ("TRANSPOSE", gen_transpose, ["int8", "int16", "float32"]),
    ("GATHER", gen_gather, ["int8", "float32"]),
    ("DEPTH_TO_SPACE", gen_depth_to_space, ["int8", "float32"]),
    ("SPACE_TO_DEPTH", gen_space_to_depth, ["int8", "float32"]),
    ("RESIZE_NEAREST_NEIGHBOR", gen_resize_nearest_neighbor, ["int8", "int16", "float32"]),
    ("RESIZE_BILINEAR", gen_resize_bilinear, ["int8"]),
    ("CAST", gen_cast, CAST_TYPES),
]:
    for _t in _types:
        GENERATORS[f"{_op}/{_t}"] = (lambda g, t: (lambda rng: g(rng, t)))(_gen, _t)


# ---- SPLIT / SPLIT_V / UNPACK (several outputs) --------------------------------------------
def _split_outputs(b, shape, axis, sizes, dtype, q, keep_axis=True):
    outs = []
    for s in sizes:
        o = list(shape)
        if keep_axis:
            o[axis] = s
        else:
            del o[axis]
        outs.append(act_tensor(b, o, dtype, q))
    return outs


def gen_split(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(0, rank))
    n = int(rng.integers(1, 5))
    shape = dims(rng, rank, 1, 4)
    shape[axis] = n * int(rng.integers(1, 4))
    x = act_input(b, rng, shape, dtype)
    outs = _split_outputs(b, shape, axis, [shape[axis] // n] * n, dtype, qof(b, x))
    a = axis - rank if rng.random() < 0.3 else axis
    b.raw_op(OPS.SPLIT, [const_i32(b, [a]), x], outs, OPTS.SplitOptions, options(fb.SplitOptionsT, numSplits=n))
    for o in outs:
        b.output(o)
    return b.build(), dict(op="split", shape=shape, axis=a, n=n)


def gen_split_v(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(0, rank))
    shape = dims(rng, rank, 1, 4)
    sizes = [int(rng.integers(1, 4)) for _ in range(int(rng.integers(1, 5)))]
    shape[axis] = sum(sizes)
    x = act_input(b, rng, shape, dtype)
    outs = _split_outputs(b, shape, axis, sizes, dtype, qof(b, x))
    given = list(sizes)
    if len(sizes) > 1 and rng.random() < 0.3:
        given[int(rng.integers(0, len(sizes)))] = -1  # the converter's "the rest"
    a = axis - rank if rng.random() < 0.3 else axis
    b.raw_op(OPS.SPLIT_V, [x, const_i32(b, given), const_i32(b, [a])], outs, OPTS.SplitVOptions,
             options(fb.SplitVOptionsT, numSplits=len(sizes)))
    for o in outs:
        b.output(o)
    return b.build(), dict(op="split_v", shape=shape, axis=a, sizes=given)


def gen_unpack(rng, dtype):
    b = ModelBuilder()
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(0, rank))
    shape = dims(rng, rank, 1, 4)
    x = act_input(b, rng, shape, dtype)
    outs = _split_outputs(b, shape, axis, [1] * shape[axis], dtype, qof(b, x), keep_axis=False)
    a = axis - rank if rng.random() < 0.3 else axis
    b.raw_op(OPS.UNPACK, [x], outs, OPTS.UnpackOptions, options(fb.UnpackOptionsT, num=shape[axis], axis=a))
    for o in outs:
        b.output(o)
    return b.build(), dict(op="unpack", shape=shape, axis=a)


for _op, _gen in [("SPLIT", gen_split), ("SPLIT_V", gen_split_v), ("UNPACK", gen_unpack)]:
    for _t in ["int8", "int16", "int32", "float32"]:
        GENERATORS[f"{_op}/{_t}"] = (lambda g, t: (lambda rng: g(rng, t)))(_gen, _t)
