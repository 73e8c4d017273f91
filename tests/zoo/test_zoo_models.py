"""The zoo's committed files: what provenance.json says, the structure and quantization scheme
each is meant to have, and that TFLM (the tflite-micro interpreter) runs each of them."""
import hashlib
import json

import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
from zoo_checks import random_inputs, tflm_layer_outputs, tflm_outputs
from zoo_expected import EXPECTED

from cfu_bench.benchmarks.models.zoo import build, quirks, svdf_kws
from cfu_bench.model.model_summary import summarize
from cfu_bench.model.models_registry import ZOO_MODELS
from cfu_bench.paths import ZOO
from cfu_bench.testing import seeds


def test_registry_names_every_generated_model():
    assert set(ZOO_MODELS) == set(build.NAMES) == set(EXPECTED)


def test_provenance_describes_the_committed_files():
    recorded = json.loads((ZOO / "provenance.json").read_text())
    assert set(recorded) == set(ZOO_MODELS)
    for name, z in ZOO_MODELS.items():
        data = z.path.read_bytes()
        assert recorded[name]["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert recorded[name]["bytes"] == len(data), name


def test_structure(zoo_model):
    name, data = zoo_model
    want = EXPECTED[name]
    s = summarize(data)
    assert s.subgraphs == 1
    assert s.op_counts == want["ops"]
    assert s.inputs == want["inputs"] and s.outputs == want["outputs"]
    assert s.total_macs == want["macs"]
    activations = {t for o in s.ops for t in [o.input_types[0], *o.output_types]}
    assert activations == want["types"]
    assert len(s.variable_tensors) == want["variables"]


def _graph(data):
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    return model, model.subgraphs[0]


def _ops(model, graph, code):
    return [op for op in graph.operators
            if max(model.operatorCodes[op.opcodeIndex].builtinCode,
                   model.operatorCodes[op.opcodeIndex].deprecatedBuiltinCode) == code]


def test_int8_models_use_the_converters_scheme():
    """Per-channel symmetric int8 conv/depthwise weights, int32 biases, per-tensor activations."""
    for name in ("person_detect", "mobilenet_v2", "micro_speech", "presence"):
        model, g = _graph(ZOO_MODELS[name].path.read_bytes())
        for op in _ops(model, g, schema.BuiltinOperator.CONV_2D):
            w, b = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]]
            assert w.type == schema.TensorType.INT8 and len(w.quantization.scale) == w.shape[0]
            assert not np.any(w.quantization.zeroPoint), name
            assert b.type == schema.TensorType.INT32, name
            assert len(g.tensors[op.outputs[0]].quantization.scale) == 1, name


def test_int16x8_scheme():
    """int16 activations with zero point 0, int8 weights, int64 conv and depthwise biases."""
    model, g = _graph(ZOO_MODELS["int16x8"].path.read_bytes())
    convs = (_ops(model, g, schema.BuiltinOperator.CONV_2D)
             + _ops(model, g, schema.BuiltinOperator.DEPTHWISE_CONV_2D))
    assert len(convs) == 4
    for op in convs:
        assert g.tensors[op.inputs[1]].type == schema.TensorType.INT8
        assert g.tensors[op.inputs[2]].type == schema.TensorType.INT64
    for op in g.operators:
        out = g.tensors[op.outputs[0]]
        assert out.type == schema.TensorType.INT16 and list(out.quantization.zeroPoint) == [0]


def test_lstm_is_the_fused_op_with_intermediates():
    model, g = _graph(ZOO_MODELS["lstm_seq"].path.read_bytes())
    (lstm,) = _ops(model, g, schema.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM)
    assert len(lstm.inputs) == 24
    assert lstm.intermediates is not None and len(lstm.intermediates) == 5
    hidden, cell = (g.tensors[lstm.inputs[i]] for i in (18, 19))
    assert hidden.isVariable and cell.isVariable
    assert (hidden.type, cell.type) == (schema.TensorType.INT8, schema.TensorType.INT16)


def test_svdf_layout_is_tflms():
    model, g = _graph(ZOO_MODELS["svdf_kws"].path.read_bytes())
    svdfs = _ops(model, g, schema.BuiltinOperator.SVDF)
    assert len(svdfs) == 2
    T = schema.TensorType
    for op in svdfs:
        types = [g.tensors[i].type for i in op.inputs]
        assert types == [T.INT8, T.INT8, T.INT16, T.INT32, T.INT16]
        state, time, bias = (g.tensors[op.inputs[i]] for i in (4, 2, 3))
        assert state.isVariable and list(state.quantization.zeroPoint) == [0]
        # TFLM's prepare refuses a bias scale other than state scale x time-weight scale.
        assert abs(bias.quantization.scale[0]
                   - state.quantization.scale[0] * time.quantization.scale[0]) < 1e-5


def test_svdf_builder_reproduces_the_committed_file():
    assert svdf_kws.build() == ZOO_MODELS["svdf_kws"].path.read_bytes()


def test_person_detect_q3_differs_only_in_the_bias_quirk():
    plain = ZOO_MODELS["person_detect"].path.read_bytes()
    q3 = ZOO_MODELS["person_detect_q3"].path.read_bytes()
    assert set(quirks.bias_dimensions(plain)) == {0}
    assert quirks.bias_dimensions(q3) == [3] * 28
    assert quirks.bias_quantized_dimension(plain, 3) == q3
    samples = random_inputs(plain, 2, seeds.np_rng("test_zoo_models", "q3"))
    for a, b in zip(tflm_outputs(plain, samples), tflm_outputs(q3, samples)):
        assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_tflm_runs_each_model_with_varied_layers(zoo_model):
    """TFLM allocates and runs the model, and on random inputs (what the workbench checks
    with) every layer's output changes with the input: none collapsed to a constant in the
    untrained, calibrated model, so a bit-exact check of it proves something.

    Except the head after a global pooling: averaged over a whole feature map, uniform noise
    gives nearly the same vector for every input, and an untrained classifier maps that to
    one quantized output. The layers before it still vary."""
    name, data = zoo_model
    samples = random_inputs(data, 4, seeds.np_rng("test_zoo_models", name))
    layers = list(zip(*tflm_layer_outputs(data, samples)))
    head = _global_pool_index(summarize(data))
    constant = [i for i, outs in enumerate(layers) if len(set(outs)) == 1 and i < head]
    assert not constant, f"{name}: ops {constant} give the same output for every input"
    assert head > len(layers) // 2


def _global_pool_index(s) -> int:
    """Index of the first MEAN or AVERAGE_POOL_2D whose output has no spatial extent left
    (len(ops) if none)."""
    for o in s.ops:
        shape = o.output_shapes[0]
        if o.op in ("MEAN", "AVERAGE_POOL_2D") and (len(shape) == 2 or shape[1:3] == [1, 1]):
            return o.index
    return len(s.ops)


def test_converted_generator_reproduces_the_committed_file(tmp_path):
    """Rebuilding micro_speech (the quickest converted model) in a fresh process, as
    `cfu-bench models build` would, gives the committed bytes where TensorFlow, machine and
    CPU are the ones provenance.json names (float rounding depends on them), else bytes
    TFLM still runs with the committed structure."""
    import importlib.metadata
    import importlib.util
    import platform
    import subprocess
    import sys

    from cfu_bench.benchmarks.models.build import build_cpu
    from cfu_bench.paths import REPO

    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is needed to regenerate models (scripts/setup.sh --models)")
    subprocess.run([sys.executable, "-m", "cfu_bench.benchmarks.models.zoo.build", "micro_speech",
                    "--out", str(tmp_path)], cwd=REPO, check=True, timeout=600,
                   capture_output=True)
    rebuilt = (tmp_path / "micro_speech.tflite").read_bytes()
    recorded = json.loads((ZOO / "provenance.json").read_text())["micro_speech"]
    same_machine = (recorded["tensorflow"] == importlib.metadata.version("tensorflow")
                    and recorded["machine"] == platform.machine() and recorded["cpu"] == build_cpu())
    if same_machine:
        assert rebuilt == ZOO_MODELS["micro_speech"].path.read_bytes()
    else:
        assert summarize(rebuilt).op_counts == EXPECTED["micro_speech"]["ops"]
