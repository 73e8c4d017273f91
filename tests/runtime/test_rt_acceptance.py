"""Acceptance equal to TFLM's: every quirk TFLM's loader tolerates (micro_allocator.cc,
kernel_util.cc), carried by an edited file, is accepted by the host reader and by the firmware
runtime, and the model then runs bit-exact with TFLM."""
import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from cfu_bench.model import golden
from cfu_bench.model.model_info import info_from_model
from cfu_bench.model.models_registry import BENCHMARKS
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import ModelBuilder
from cfu_bench.model.tflite_model import parse
from runtime_checks import compare, edit_tflite


def small_model() -> bytes:
    """conv (per-channel) -> depthwise -> fully connected -> softmax, seeded."""
    rng = seeds.np_rng("acceptance-model")
    b = ModelBuilder()
    x = b.input([1, 6, 6, 3], 0.05, -3)
    y = b.conv2d(x, rng.integers(-127, 128, (4, 3, 3, 3)), rng.integers(-500, 500, 4),
                 rng.uniform(0.002, 0.01, 4), 0.08, 2, activation="RELU")
    y = b.depthwise_conv2d(y, rng.integers(-127, 128, (1, 3, 3, 4)), rng.integers(-500, 500, 4),
                           rng.uniform(0.002, 0.01, 4), 0.1, -1, stride=(2, 2))
    y = b.reshape(y, [1, 36])
    y = b.fully_connected(y, rng.integers(-127, 128, (5, 36)), rng.integers(-500, 500, 5), 0.004, 0.2, 0)
    b.output(b.softmax(y))
    return b.build()


def _graph(m):
    return m.subgraphs[0]


def _biases(m):
    g = _graph(m)
    return [g.tensors[op.inputs[2]] for op in g.operators if len(op.inputs) > 2 and op.inputs[2] >= 0]


def bias_dim_3(m):
    """person_detect.tflite's quirk: 1-D int32 biases with C scales and quantized_dimension=3"""
    for t in _biases(m):
        assert len(t.shape) == 1 and len(t.quantization.scale) >= 1
        t.quantization.quantizedDimension = 3


def extra_zero_points(m):
    """more zero points than scales on activations: zero_point[0] counts"""
    g = _graph(m)
    for op in g.operators:
        t = g.tensors[op.outputs[0]]
        zp = int(t.quantization.zeroPoint[0])
        t.quantization.zeroPoint = [zp, zp + 7, -100]


def missing_zero_points(m):
    """per-channel weights with a single zero point (the space-saving form)"""
    g = _graph(m)
    for op in g.operators:
        if len(op.inputs) > 1 and op.inputs[1] >= 0:
            q = g.tensors[op.inputs[1]].quantization
            if q is not None and q.scale is not None and len(q.scale) > 1:
                q.zeroPoint = [0]


def bias_scale_without_zero_point(m):
    """quantization is read only when scale and zero_point are both non-empty"""
    for t in _biases(m):
        t.quantization.zeroPoint = []


def opcode_versions_and_codes(m):
    """versions ignored; builtin code = max(builtin_code, deprecated_builtin_code); duplicate
    and unused (even unknown, even custom) operator codes"""
    for oc in m.operatorCodes:
        oc.version = 99
        code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
        oc.deprecatedBuiltinCode, oc.builtinCode = (code, 0) if code < 127 else (127, code)
    dup = schema.OperatorCodeT()
    dup.builtinCode = m.operatorCodes[_graph(m).operators[0].opcodeIndex].builtinCode
    dup.deprecatedBuiltinCode = m.operatorCodes[_graph(m).operators[0].opcodeIndex].deprecatedBuiltinCode
    m.operatorCodes.append(dup)
    _graph(m).operators[0].opcodeIndex = len(m.operatorCodes) - 1
    for code, custom in ((250, None), (schema.BuiltinOperator.CUSTOM, b"SignalWindow"),
                         (schema.BuiltinOperator.LSTM, None)):
        oc = schema.OperatorCodeT()
        oc.builtinCode, oc.deprecatedBuiltinCode, oc.customCode = code, min(code, 127), custom
        m.operatorCodes.append(oc)


def empty_buffers_everywhere(m):
    """each activation with its own empty buffer (the converter's layout), buffer 0 shared too"""
    g = _graph(m)
    for t in g.tensors:
        if t.buffer == 0 or m.buffers[t.buffer].data is None or len(m.buffers[t.buffer].data) == 0:
            m.buffers.append(schema.BufferT())
            t.buffer = len(m.buffers) - 1
    g.tensors[g.operators[0].outputs[0]].buffer = 0


def shape_signature(m):
    """shape_signature with -1 (a dynamic batch) is never read"""
    for t in _graph(m).tensors:
        t.shapeSignature = [-1] + list(t.shape[1:]) if t.shape is not None and len(t.shape) else None


def zero_size_intermediates(m):
    """op intermediates of shape [0], as LSTM files carry, are never planned"""
    g = _graph(m)
    first = len(g.tensors)
    for k in range(5):
        t = schema.TensorT()
        t.shape, t.type, t.name = [0], schema.TensorType.INT16, f"intermediate_{k}".encode()
        m.buffers.append(schema.BufferT())
        t.buffer = len(m.buffers) - 1
        g.tensors.append(t)
    g.operators[0].intermediates = list(range(first, first + 5))


def metadata(m, offline=True):
    """OfflineMemoryAllocation (every tensor planned online: -1) and other metadata"""
    def add(name, payload):
        buf = schema.BufferT()
        buf.data = np.frombuffer(payload, np.uint8)
        m.buffers.append(buf)
        md = schema.MetadataT()
        md.name, md.buffer = name, len(m.buffers) - 1
        m.metadata = (m.metadata or []) + [md]
    add(b"min_runtime_version", b"1.14.0\0\0")
    n = len(_graph(m).tensors)
    add(b"OfflineMemoryAllocation", np.array([1, 0, n] + [-1] * n, np.int32).tobytes())


QUIRKS = [bias_dim_3, extra_zero_points, missing_zero_points, bias_scale_without_zero_point,
          opcode_versions_and_codes, empty_buffers_everywhere, shape_signature,
          zero_size_intermediates, metadata]


@pytest.mark.parametrize("quirk", QUIRKS, ids=lambda f: f.__name__)
def test_quirk_accepted_and_bit_exact(hrt, quirk):
    model = edit_tflite(small_model(), quirk)
    info_from_model(parse(model, "edited.tflite"), "edited")  # the host reader and `info`
    samples = golden.random_inputs(model, 3, seed=seeds.derive("acceptance", quirk.__name__))
    assert not compare(hrt, model, samples, quirk.__name__)


def test_person_detect_biases_with_quantized_dimension_3(hrt):
    """The issue's headline: vww (MobileNetV1 0.25, person_detect's structure) with its 1-D
    biases carrying quantized_dimension=3, as TFLM's person_detect.tflite has them."""
    model = edit_tflite(BENCHMARKS["vww"].path.read_bytes(), bias_dim_3)
    g = parse(model).main
    assert all(g.tensors[op.inputs[2]].quantization.quantized_dimension == 3
               for op in g.operators if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D"))
    samples = golden.random_inputs(model, 1, seed=seeds.derive("acceptance-pdti8"))
    assert not compare(hrt, model, samples, "vww with bias dim 3")


def test_filter_scales_still_checked_where_the_op_uses_them(hrt):
    """quantized_dimension matters where an op reads it: a conv filter quantized along a
    dimension of another size is refused by the op (as TFLM's conv prepare does), not the reader."""
    def edit(m):
        g = _graph(m)
        g.tensors[g.operators[0].inputs[1]].quantization.quantizedDimension = 3
    model = edit_tflite(small_model(), edit)
    parse(model)
    run = hrt.run(model, golden.random_inputs(model, 1))
    assert run.rc == 3 and "CONV_2D" in run.report.error.message, run.text


def test_unknown_opcode_refused_where_used(hrt):
    def edit(m):
        m.operatorCodes[_graph(m).operators[-1].opcodeIndex].builtinCode = 250
    model = edit_tflite(small_model(), edit)
    assert parse(model).main.operators[-1].opcode == "BUILTIN_250"
    run = hrt.run(model, golden.random_inputs(model, 1))
    assert run.rc == 2 and "builtin 250" in run.report.error.message, run.text


def test_zero_size_operand_refused_in_one_line(hrt):
    b = ModelBuilder()
    x = b.input([1, 0, 4], 0.1, 0)
    b.output(b.add(x, x, 0.2, 0))
    run = hrt.run(b.build(), [b""])
    assert run.rc == 2 and "zero-size tensor" in run.report.error.message, run.text
