"""Data-movement and resize ops (issue 23): random single-op models for every op x type TFLM's
reference kernels take, every output byte compared with TFLM (tflite-micro's Python
interpreter), plus the combinations TFLM refuses, which the runtime must refuse too."""
from pathlib import Path

import numpy as np
import pytest
from conftest import scale
from opgen_shape import GENERATORS, OPS, OPTS, act_input, act_tensor, const_i32, fb, options, qof
from runtime_checks import compare

from cfu_bench.model import golden
from cfu_bench.errors import UserError
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import ModelBuilder

# per type; CFUB_TEST_SCALE multiplies them (the default keeps the file near 45 s)
DEFAULT_CASES = 80
CASES = {"STRIDED_SLICE": 160, "RESIZE_BILINEAR": 200, "RESIZE_NEAREST_NEIGHBOR": 100, "GATHER": 120,
         "CAST": 50, "SPLIT": 60, "SPLIT_V": 60, "UNPACK": 60, "SQUEEZE": 50, "EXPAND_DIMS": 50}


def cases_for(key: str) -> int:
    return int(CASES.get(key.split("/")[0], DEFAULT_CASES) * scale())


@pytest.mark.parametrize("key", sorted(GENERATORS))
def test_shape_op_bit_exact_random(hrt, key):
    seed = seeds.derive("test_rt_ops_shape", key)
    rng = np.random.default_rng(seed)
    n = cases_for(key)
    problems = []
    for i in range(n):
        model, desc = GENERATORS[key](rng)
        samples = golden.random_inputs(model, 2, seed=seeds.derive("test_rt_ops_shape", key, i))
        problems += compare(hrt, model, samples, f"case {i} {desc}")
    assert not problems, (f"{seeds.reproduce_hint()}: {key}: {len(problems)} mismatches in {n} cases, first: "
                          + "\n".join(problems[:5]))


# ---- refusals: what TFLM refuses (or leaves undefined), refused with one line ---------------
def _strided(shape, begin, end, strides, out, shrink=0):
    b = ModelBuilder()
    x = b.input(shape, 0.1, 3)
    y = act_tensor(b, out, "int8", qof(b, x))
    b.raw_op(OPS.STRIDED_SLICE, [x, const_i32(b, begin), const_i32(b, end), const_i32(b, strides)], [y],
             OPTS.StridedSliceOptions, options(fb.StridedSliceOptionsT, shrinkAxisMask=shrink))
    b.output(y)
    return b.build()


def _concat(qs, dtype="int8", out_q=None):
    b = ModelBuilder()
    ins = [b.input([2, 3], s, z, dtype=dtype) for s, z in qs]
    y = b.tensor([4, 3], dtype, *(out_q or qs[0]))
    b.raw_op(OPS.CONCATENATION, ins, [y], OPTS.ConcatenationOptions, options(fb.ConcatenationOptionsT, axis=0))
    b.output(y)
    return b.build()


def _transpose(shape, dtype="int8"):
    b = ModelBuilder()
    x = act_input(b, np.random.default_rng(0), shape, dtype)
    perm = list(range(len(shape)))[::-1]
    y = act_tensor(b, [shape[p] for p in perm], dtype, qof(b, x))
    b.raw_op(OPS.TRANSPOSE, [x, const_i32(b, perm)], [y], OPTS.TransposeOptions, fb.TransposeOptionsT())
    b.output(y)
    return b.build()


def _transpose_perm_int64():
    # TFLM reads the perm as int32 words whatever its type: an int64 perm becomes another one
    b = ModelBuilder()
    x = b.input([2, 3], 0.1, 0)
    y = b.tensor([3, 2], "int8", 0.1, 0)
    b.raw_op(OPS.TRANSPOSE, [x, b.tensor([2], "int64", data=np.array([1, 0], np.int64))], [y],
             OPTS.TransposeOptions, fb.TransposeOptionsT())
    b.output(y)
    return b.build()


def _pad_variable_paddings():
    b = ModelBuilder()
    x = b.input([1, 2, 2, 1], 0.1, 0)
    p = b.input([4, 2], dtype="int32")
    y = b.tensor([1, 4, 4, 1], "int8", 0.1, 0)
    b.raw_op(OPS.PAD, [x, p], [y], OPTS.PadOptions, fb.PadOptionsT())
    b.output(y)
    return b.build()


def _resize_bilinear_both_flags():
    b = ModelBuilder()
    x = b.input([1, 3, 3, 1], 0.1, 0)
    y = b.tensor([1, 6, 6, 1], "int8", 0.1, 0)
    b.raw_op(OPS.RESIZE_BILINEAR, [x, const_i32(b, [6, 6])], [y], OPTS.ResizeBilinearOptions,
             options(fb.ResizeBilinearOptionsT, alignCorners=True, halfPixelCenters=True))
    b.output(y)
    return b.build()


def _resize(code, dtype):
    b = ModelBuilder()
    x = act_input(b, np.random.default_rng(0), [1, 2, 3, 1], dtype)
    y = act_tensor(b, [1, 4, 6, 1], dtype, qof(b, x))
    opt_type, opt = ((OPTS.ResizeBilinearOptions, fb.ResizeBilinearOptionsT()) if code == OPS.RESIZE_BILINEAR
                     else (OPTS.ResizeNearestNeighborOptions, fb.ResizeNearestNeighborOptionsT()))
    b.raw_op(code, [x, const_i32(b, [4, 6])], [y], opt_type, opt)
    b.output(y)
    return b.build()


def _gather(dtype):
    b = ModelBuilder()
    x = act_input(b, np.random.default_rng(0), [3, 4], dtype)
    p = b.tensor([2], "int32", data=np.array([2, 0], np.int32))
    y = act_tensor(b, [2, 4], dtype, qof(b, x))
    b.raw_op(OPS.GATHER, [x, p], [y], OPTS.GatherOptions, options(fb.GatherOptionsT, axis=0))
    b.output(y)
    return b.build()


def _gather_input_positions():
    b = ModelBuilder()
    x = b.input([3, 4], 0.1, 0)
    p = b.input([2], dtype="int32")  # random int32 samples: outside the axis
    y = b.tensor([2, 4], "int8", 0.1, 0)
    b.raw_op(OPS.GATHER, [x, p], [y], OPTS.GatherOptions, options(fb.GatherOptionsT, axis=0))
    b.output(y)
    return b.build()


REFUSALS = {
    # TFLM refuses these (checked below with tflite-micro itself)
    "strided_slice_rank5": (lambda: _strided([2] * 5, [0] * 5, [1] * 5, [1] * 5, [1] * 5), True,
                            "STRIDED_SLICE op 0: rank above what TFLM supports: 5"),
    "concat_int8_scales_differ": (lambda: _concat([(0.1, 3), (0.2, 3)]), True,
                                  "int8 input quantization differs from the output's"),
    "concat_int8_zero_points_differ": (lambda: _concat([(0.1, 3), (0.1, 3)], out_q=(0.1, 4)), True,
                                       "int8 input quantization differs from the output's"),
    "concat_int16_zero_point": (lambda: _concat([(0.1, 5), (0.1, 5)], "int16"), True, "int16 zero point is not 0"),
    "transpose_rank6": (lambda: _transpose([2, 1, 2, 1, 2, 1]), True, "rank above what TFLM supports: 6"),
    "transpose_int32": (lambda: _transpose([2, 3], "int32"), True, "unsupported tensor type INT32 for TRANSPOSE"),
    "gather_int16": (lambda: _gather("int16"), True, "unsupported tensor type INT16 for GATHER"),
    "resize_bilinear_int16": (lambda: _resize(OPS.RESIZE_BILINEAR, "int16"), True,
                              "unsupported tensor type INT16 for RESIZE_BILINEAR"),
    "resize_nearest_int32": (lambda: _resize(OPS.RESIZE_NEAREST_NEIGHBOR, "int32"), True,
                             "unsupported tensor type INT32 for RESIZE_NEAREST_NEIGHBOR"),
    "resize_bilinear_both_flags": (_resize_bilinear_both_flags, True, "half_pixel_centers and align_corners both set"),
    "pad_variable_paddings": (_pad_variable_paddings, True, "needs a constant tensor"),
    "gather_position_outside": (_gather_input_positions, True, "GATHER op 0: position outside the gathered axis"),
    # TFLM runs these but its Eval leaves the output unwritten, or reads an int64 perm as int32
    # words: refused rather than matched
    "transpose_perm_int64": (_transpose_perm_int64, False, "unsupported tensor type INT64 for TRANSPOSE input 1"),
    "strided_slice_shrink_outside": (lambda: _strided([4, 5], [7, 0], [8, 5], [1, 1], [5], shrink=1), False,
                                     "shrinks an axis TFLM would leave unwritten: 0"),
    "strided_slice_shrink_negative_stride": (lambda: _strided([4, 5], [1, 0], [0, 5], [-1, 1], [5], shrink=1), False,
                                             "shrinks an axis TFLM would leave unwritten: 0"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_shape_op_refusals(hrt, name):
    make, tflm_refuses, message = REFUSALS[name]
    model = make()
    samples = golden.random_inputs(model, 1, seed=1)
    run = hrt.run(model, samples)
    error = str(run.report.error)
    assert run.rc != 0 and message in error, error
    if tflm_refuses:
        with pytest.raises((UserError, RuntimeError)):
            golden.golden(model, samples)


def _bool_tensor(b, shape, data=None):
    # the builder has no bool dtype: a uint8 tensor retyped (same one-byte storage)
    t = b.tensor(shape, "uint8", data=data)
    b.tensors[t].type = fb.TensorType.BOOL
    b.info[t].dtype = "bool"
    return t


def test_bool_data_movement(hrt):
    """bool through STRIDED_SLICE (reversed), CONCATENATION, SLICE and CAST to int32, from a
    random bool constant (model inputs are never bool in the random tests)."""
    rng = seeds.np_rng("test_rt_ops_shape", "bool")
    b = ModelBuilder()
    b.input([1], 0.1, 0)  # the bool data is a constant; the model still takes an input
    c = _bool_tensor(b, [2, 3], (rng.random((2, 3)) < 0.5).astype(np.uint8))
    ss = _bool_tensor(b, [2, 2])
    b.raw_op(OPS.STRIDED_SLICE, [c, const_i32(b, [0, 2]), const_i32(b, [2, 0]), const_i32(b, [1, -1])], [ss],
             OPTS.StridedSliceOptions, fb.StridedSliceOptionsT())
    cat = _bool_tensor(b, [2, 5])
    b.raw_op(OPS.CONCATENATION, [c, ss], [cat], OPTS.ConcatenationOptions, options(fb.ConcatenationOptionsT, axis=1))
    sl = _bool_tensor(b, [1, 4])
    b.raw_op(OPS.SLICE, [cat, const_i32(b, [1, 1]), const_i32(b, [1, -1])], [sl], OPTS.SliceOptions,
             fb.SliceOptionsT())
    y = b.tensor([1, 4], "int32")
    b.raw_op(OPS.CAST, [sl], [y], OPTS.CastOptions, fb.CastOptionsT())
    b.output(y)
    model = b.build()
    problems = compare(hrt, model, golden.random_inputs(model, 1, seed=1))
    assert not problems, f"{seeds.reproduce_hint()}: " + "\n".join(problems)


def test_converter_output_bit_exact(hrt):
    """What TensorFlow's converter makes of the data-movement and resize ops, around a
    CONV_2D: tests/data/shape_ops_converted.tflite, from make_shape_converted.py."""
    model = (Path(__file__).resolve().parents[1] / "data" / "shape_ops_converted.tflite").read_bytes()
    ops = {o.op for o in golden.model_ops(model)}
    assert {"PAD", "STRIDED_SLICE", "CONCATENATION", "TRANSPOSE", "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR",
            "SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "SPLIT", "SLICE", "GATHER", "UNPACK", "PACK"} <= ops
    samples = golden.random_inputs(model, 4, seed=seeds.derive("test_rt_ops_shape", "converted"))
    problems = compare(hrt, model, samples)
    assert not problems, f"{seeds.reproduce_hint()}: " + "\n".join(problems[:5])
