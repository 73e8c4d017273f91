"""Quantization TFLM refuses for the elementwise and quantized-math ops: TFLM must refuse each
model (else the case is wrong) and the runtime must refuse it too, with one line naming the op,
before anything runs."""
import numpy as np
import pytest
from test_rt_refusals import refused
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model import golden
from cfu_bench.errors import UserError
from cfu_bench.model.tflite_builder import ModelBuilder


def unary(op, dtype, in_q, out_q, options=None, shape=(1, 8)):
    b = ModelBuilder()
    x = b.input(list(shape), *in_q, dtype=dtype)
    b.output(b.op(op, [x], list(shape), dtype, *out_q, options))
    return b.build()


def binary(op, dtype, qa, qb, qo, options):
    b = ModelBuilder()
    x = b.input([2, 4], *qa, dtype=dtype)
    y = b.input([2, 4], *qb, dtype=dtype)
    b.output(b.op(op, [x, y], [2, 4], dtype, *qo, options))
    return b.build()


def reduce_max_requant():
    b = ModelBuilder()
    x = b.input([2, 4], 0.1, 3)
    axis = b.tensor([1], "int32", data=np.array([1], np.int32))
    b.output(b.op("REDUCE_MAX", [x, axis], [2], "int8", 0.2, 3, fb.ReducerOptionsT()))
    return b.build()


def l2norm_relu():
    opt = fb.L2NormOptionsT()
    opt.fusedActivationFunction = fb.ActivationFunctionType.RELU
    return unary("L2_NORMALIZATION", "int8", (0.1, 0), (1 / 128, 0), opt)


CASES = {
    "MUL int16 zero point": lambda: binary("MUL", "int16", (1e-3, 3), (1e-3, 0), (1e-3, 0), fb.MulOptionsT()),
    "RELU int16 zero point": lambda: unary("RELU", "int16", (1e-3, 0), (1e-3, 7)),
    "LOGISTIC int8 output zero point": lambda: unary("LOGISTIC", "int8", (0.05, 0), (1 / 256, 0)),
    "LOGISTIC int16 output scale": lambda: unary("LOGISTIC", "int16", (2.0 ** -12, 0), (2.0 ** -14, 0)),
    "TANH int16 input zero point": lambda: unary("TANH", "int16", (2.0 ** -12, 5), (2.0 ** -15, 0)),
    "SOFTMAX int16 input zero point": lambda: unary("SOFTMAX", "int16", (1e-3, 4), (1 / 32768, 0), fb.SoftmaxOptionsT()),
    "SOFTMAX int16 output scale": lambda: unary("SOFTMAX", "int16", (1e-3, 0), (1 / 65536, 0), fb.SoftmaxOptionsT()),
    "SOFTMAX int8>int16 output zero point": lambda: unary("SOFTMAX", "int8", (0.1, 0), (1 / 65536, 0), fb.SoftmaxOptionsT()),
    "HARD_SWISH output multiplier above one": lambda: unary("HARD_SWISH", "int8", (0.5, 0), (1e-4, 0), fb.HardSwishOptionsT()),
    "REDUCE_MAX requantizing": reduce_max_requant,
    "L2_NORMALIZATION fused RELU": l2norm_relu,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_like_tflm(hrt, name):
    model = CASES[name]()
    # TFLM refuses at Prepare (UserError), or for REDUCE_MAX only when invoked (RuntimeError)
    with pytest.raises((UserError, RuntimeError)):
        golden.golden(model, golden.random_inputs(model, 1))
    err = refused(hrt, model)
    assert err.code in (2, 3) and name.split()[0] in err.message, err.message
