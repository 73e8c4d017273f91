"""Models the runtime must refuse, before running anything, with a message that names the
problem: unsupported ops and tensor types, malformed flatbuffers, too small an arena, wrong
input sizes."""
import flatbuffers
import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model import golden
from cfu_bench.errors import UserError
from cfu_bench.run.protocol import parse
from cfu_bench.model.tflite_builder import ModelBuilder, synthetic_model


def pack(model_t) -> bytes:
    b = flatbuffers.Builder(1024)
    b.Finish(model_t.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def refused(hrt, model, samples=None, n=1):
    if samples is None:
        try:
            samples = golden.random_inputs(model, n)
        except Exception:
            samples = [b""] * n
    run = hrt.run(model, samples)
    assert run.rc != 0
    assert "CFUB OP" not in run.text and "CFUB INPUT" not in run.text, run.text
    rep = parse(run.text)
    assert rep.error is not None and rep.error.code == run.rc
    return rep.error


def conv_then(builder_fn):
    """A supported CONV_2D followed by whatever builder_fn appends: refusal must still come
    before the first op runs."""
    b = ModelBuilder()
    x = b.input([1, 4, 4, 2], 0.1, 0)
    y = b.conv2d(x, np.ones((2, 1, 1, 2), np.int8), None, [0.1, 0.1], 0.2, 0)
    return b, builder_fn(b, y)


def test_unsupported_op_named(hrt):
    b, y = conv_then(lambda b, y: y)
    z = b.tensor([1, 4, 4, 2], "int8", 0.1, 0)
    b.raw_op("DIV", [y, y], [z])
    b.output(z)
    err = refused(hrt, b.build())
    assert err.code == 2 and "DIV" in err.message and "op 1" in err.message


@pytest.mark.parametrize("op", ["MIRROR_PAD", "ELU", "LOG_SOFTMAX", "ARG_MAX", "BATCH_TO_SPACE_ND", "REVERSE_V2"])
def test_other_unsupported_ops(hrt, op):
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    y = b.tensor([1, 4], "int8", 0.1, 0)
    b.raw_op(op, [x], [y])
    b.output(y)
    err = refused(hrt, b.build())
    assert err.code == 2 and op in err.message


def test_custom_op_named(hrt):
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    y = b.tensor([1, 4], "int8", 0.1, 0)
    b.raw_op("MUL", [x], [y])
    b.output(y)
    m = b.model_t()
    m.operatorCodes[0].builtinCode = fb.BuiltinOperator.CUSTOM
    m.operatorCodes[0].deprecatedBuiltinCode = fb.BuiltinOperator.CUSTOM
    m.operatorCodes[0].customCode = "MyFancyOp"
    err = refused(hrt, pack(m))
    assert err.code == 2 and "MyFancyOp" in err.message


# (int16 CONV_2D with int8 weights runs now: int16x8, tests/runtime/test_rt_ops_heavy.py)
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_unsupported_tensor_type_named(hrt, dtype):
    b = ModelBuilder()
    x = b.input([1, 4, 4, 2], 0.1 if dtype != "float32" else None, 0 if dtype != "float32" else None,
                dtype=dtype)
    wt = b.tensor([2, 1, 1, 2], "int8", [0.1, 0.1], 0, data=np.ones((2, 1, 1, 2), np.int8))
    y = b.tensor([1, 4, 4, 2], dtype, 0.1 if dtype != "float32" else None, 0)
    opt = fb.Conv2DOptionsT()
    opt.strideH = opt.strideW = 1
    b.raw_op("CONV_2D", [x, wt], [y], fb.BuiltinOptions.Conv2DOptions, opt)
    b.output(y)
    err = refused(hrt, b.build())
    assert err.code == 2 and "CONV_2D" in err.message and dtype.upper() in err.message, err.message


def test_int64_bias_refused(hrt):
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    wt = b.tensor([3, 4], "int8", 0.1, 0, data=np.ones((3, 4), np.int8))
    bt = b.tensor([3], "int64", 0.01, 0, data=np.zeros(3, np.int64))
    y = b.tensor([1, 3], "int8", 0.5, 0)
    b.raw_op("FULLY_CONNECTED", [x, wt, bt], [y])
    b.output(y)
    err = refused(hrt, b.build())
    assert err.code == 2 and "INT64" in err.message and "FULLY_CONNECTED" in err.message


def test_unsupported_fused_activation(hrt):
    b = ModelBuilder()
    x = b.input([1, 4, 4, 2], 0.1, 0)
    b.conv2d(x, np.ones((2, 1, 1, 2), np.int8), None, [0.1, 0.1], 0.2, 0, activation="TANH")
    err = refused(hrt, b.build())
    assert err.code == 2 and "activation" in err.message


def test_inconsistent_output_shape(hrt):
    b = ModelBuilder()
    x = b.input([1, 8, 8, 2], 0.1, 0)
    y = b.conv2d(x, np.ones((2, 3, 3, 2), np.int8), None, [0.1, 0.1], 0.2, 0, stride=(2, 2))
    b.tensors[y].shape = [1, 5, 4, 2]
    err = refused(hrt, b.build(), samples=[bytes(128)])
    assert err.code == 3 and "output size" in err.message


def test_arena_too_small(hrt):
    model = synthetic_model("kws")
    run = hrt.run(model, golden.random_inputs(model, 1), arena_size=4096)
    assert run.rc == 4 and parse(run.text).error.code == 4


def test_wrong_input_size(hrt):
    model = synthetic_model("ad")
    run = hrt.run(model, [bytes(100)])
    rep = parse(run.text)
    assert run.rc == 5 and rep.model is not None and rep.error.code == 5 and not rep.invokes


@pytest.mark.parametrize("blob", [b"", b"\x00" * 4, b"TFL3" * 8, bytes(range(256)) * 4,
                                  b"\x04\x00\x00\x00" + b"\xff" * 60])
def test_garbage_is_malformed(hrt, blob):
    run = hrt.run(blob, [b""])
    assert run.rc in (1, 2, 3), run.text
    assert parse(run.text).error is not None


def test_every_truncation_refused(hrt):
    """Every prefix of a real model is refused cleanly (or, rarely, still a valid model)."""
    b = ModelBuilder()
    x = b.input([1, 6, 6, 3], 0.05, 1)
    y = b.conv2d(x, np.ones((4, 3, 3, 3), np.int8), np.arange(4, dtype=np.int32), [0.01] * 4, 0.1, -3,
                 padding="SAME", activation="RELU")
    y = b.average_pool2d(y, (6, 6), (6, 6))
    b.output(y)
    model = b.build()
    codes = set()
    for n in range(len(model)):
        run = hrt.run(model[:n], [bytes(108)], collect=False)
        codes.add(run.rc)
        assert run.rc != 0 or "CFUB DONE" in run.text
    assert codes - {0} <= {1, 2, 3}


def test_model_version_checked(hrt):
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    b.output(b.reshape(x, [4]))
    m = b.model_t()
    m.version = 2
    err = refused(hrt, pack(m))
    assert "version" in err.message


def test_reading_unwritten_tensor_refused(hrt):
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    dangling = b.tensor([1, 4], "int8", 0.1, 0)
    y = b.tensor([1, 4], "int8", 0.1, 0)
    b.raw_op("ADD", [x, dangling], [y], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())
    b.output(y)
    err = refused(hrt, b.build())
    assert err.code == 3 and "no earlier op" in err.message


def test_softmax_scale_too_small_is_refused_by_both_references(hrt):
    """TFLM aborts the process on it (QuantizeMultiplierGreaterThanOne); the golden side must
    say so as an error instead, and the runtime refuse it the same way."""
    b = ModelBuilder()
    x = b.input([1, 6], 1e-9, 0)
    b.output(b.softmax(x))
    model = b.build()
    with pytest.raises(UserError, match="SOFTMAX: beta x input scale .* too small"):
        golden.golden(model, golden.random_inputs(model, 1))
    assert "too small" in refused(hrt, model).message
