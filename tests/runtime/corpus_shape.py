"""Fuzzing-corpus models for the data-movement and resize ops (added to make_corpus.py's list):
small multi-op graphs so mutations reach each op's prepare and eval paths."""
import numpy as np
from opgen_shape import OPS, OPTS, const_i32, fb, options

from cfu_bench.model.tflite_builder import ModelBuilder


def _op(b, code, opt_type, opt, ins, shape, dtype="int8", q=(0.05, -3)):
    y = b.tensor(shape, dtype, *q) if dtype == "int8" else b.tensor(shape, dtype)
    b.raw_op(code, ins, [y], opt_type, opt)
    return y


def shape_models():
    """PAD -> CONCATENATION -> STRIDED_SLICE -> TRANSPOSE -> RESIZE_BILINEAR -> SPACE_TO_DEPTH ->
    DEPTH_TO_SPACE -> SLICE -> RESIZE_NEAREST_NEIGHBOR (int8), then GATHER/PACK/SQUEEZE/
    EXPAND_DIMS/PADV2/CAST in a second model."""
    q = (0.05, -3)
    b = ModelBuilder()
    x = b.input([1, 4, 4, 2], *q)
    c = b.input([1, 6, 6, 1], *q)
    p = _op(b, OPS.PAD, OPTS.PadOptions, fb.PadOptionsT(), [x, const_i32(b, [[0, 0], [1, 1], [1, 1], [0, 0]])],
            [1, 6, 6, 2])
    cat = _op(b, OPS.CONCATENATION, OPTS.ConcatenationOptions, options(fb.ConcatenationOptionsT, axis=-1),
              [p, c], [1, 6, 6, 3])
    ss = _op(b, OPS.STRIDED_SLICE, OPTS.StridedSliceOptions, options(fb.StridedSliceOptionsT, endMask=8),
             [cat, const_i32(b, [0, 5, 0, 0]), const_i32(b, [1, 0, 6, 3]), const_i32(b, [1, -1, 2, 1])],
             [1, 5, 3, 3])
    tr = _op(b, OPS.TRANSPOSE, OPTS.TransposeOptions, fb.TransposeOptionsT(), [ss, const_i32(b, [0, 2, 1, 3])],
             [1, 3, 5, 3])
    rb = _op(b, OPS.RESIZE_BILINEAR, OPTS.ResizeBilinearOptions,
             options(fb.ResizeBilinearOptionsT, halfPixelCenters=True), [tr, const_i32(b, [4, 6])], [1, 4, 6, 3])
    s2d = _op(b, OPS.SPACE_TO_DEPTH, OPTS.SpaceToDepthOptions, options(fb.SpaceToDepthOptionsT, blockSize=2),
              [rb], [1, 2, 3, 12])
    d2s = _op(b, OPS.DEPTH_TO_SPACE, OPTS.DepthToSpaceOptions, options(fb.DepthToSpaceOptionsT, blockSize=2),
              [s2d], [1, 4, 6, 3])
    sl = _op(b, OPS.SLICE, OPTS.SliceOptions, fb.SliceOptionsT(),
             [d2s, const_i32(b, [0, 1, 1, 0]), const_i32(b, [1, -1, 4, 2])], [1, 3, 4, 2])
    nn = _op(b, OPS.RESIZE_NEAREST_NEIGHBOR, OPTS.ResizeNearestNeighborOptions,
             options(fb.ResizeNearestNeighborOptionsT, alignCorners=True), [sl, const_i32(b, [5, 7])], [1, 5, 7, 2])
    b.output(nn)
    yield "shape_chain", b.build()

    b = ModelBuilder()
    x = b.input([3, 4], *q)
    g = _op(b, OPS.GATHER, OPTS.GatherOptions, options(fb.GatherOptionsT, axis=-1),
            [x, b.tensor([2], "int32", data=np.array([3, 1], np.int32))], [3, 2])
    pk = _op(b, OPS.PACK, OPTS.PackOptions, options(fb.PackOptionsT, valuesCount=2, axis=1), [g, g], [3, 2, 2])
    ex = _op(b, OPS.EXPAND_DIMS, OPTS.ExpandDimsOptions, fb.ExpandDimsOptionsT(), [pk, const_i32(b, [0])],
             [1, 3, 2, 2])
    sq = _op(b, OPS.SQUEEZE, OPTS.SqueezeOptions, options(fb.SqueezeOptionsT, squeezeDims=[0]), [ex], [3, 2, 2])
    pv = _op(b, OPS.PADV2, OPTS.PadV2Options, fb.PadV2OptionsT(),
             [sq, const_i32(b, [[1, 0], [0, 2], [0, 0]]), b.tensor([], "int8", *q, data=np.array(9, np.int8))],
             [4, 4, 2])
    b.output(_op(b, OPS.CAST, OPTS.CastOptions, fb.CastOptionsT(), [pv], [4, 4, 2], dtype="int32"))
    yield "shape_gather_pack", b.build()

    # several outputs: SPLIT -> SPLIT_V -> UNPACK, the parts joined again by CONCATENATION
    b = ModelBuilder()
    x = b.input([2, 6, 3], *q)
    s1 = [b.tensor([2, 3, 3], "int8", *q) for _ in range(2)]
    b.raw_op(OPS.SPLIT, [const_i32(b, [1]), x], s1, OPTS.SplitOptions, options(fb.SplitOptionsT, numSplits=2))
    s2 = [b.tensor([2, 3, k], "int8", *q) for k in (1, 2)]
    b.raw_op(OPS.SPLIT_V, [s1[1], const_i32(b, [1, -1]), const_i32(b, [-1])], s2, OPTS.SplitVOptions,
             options(fb.SplitVOptionsT, numSplits=2))
    s3 = [b.tensor([3, 2], "int8", *q) for _ in range(2)]
    b.raw_op(OPS.UNPACK, [s2[1]], s3, OPTS.UnpackOptions, options(fb.UnpackOptionsT, num=2, axis=0))
    b.output(_op(b, OPS.CONCATENATION, OPTS.ConcatenationOptions, options(fb.ConcatenationOptionsT, axis=0),
                 [s3[0], s3[1], s3[0]], [9, 2]))
    yield "shape_split", b.build()
