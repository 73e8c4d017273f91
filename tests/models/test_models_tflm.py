"""The benchmark models run in TFLM, and their int8 activations carry information."""
import importlib

import numpy as np
import pytest
from tflite_micro.python.tflite_micro import runtime

from cfu_bench.model.models_registry import BENCHMARKS
from cfu_bench.model.tflite_model import load
from cfu_bench.testing import seeds

SAMPLES = 8


def _interpreter(name):
    data = BENCHMARKS[name].path.read_bytes()
    return runtime.Interpreter.from_bytes(
        data, intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors)


def _realistic_inputs(name, model, n):
    """Synthetic inputs from the generator's distribution, quantized like the model wants."""
    x, _ = importlib.import_module(f"cfu_bench.benchmarks.models.{name}").training_set(
        seeds.np_rng("test_models_tflm", 2024), n)
    q = model.main.tensors[model.main.inputs[0]].quantization
    return np.clip(np.round(x / q.scale[0] + q.zero_point[0]), -128, 127).astype(np.int8)


def _run(ip, x):
    ip.set_input(x[None], 0)
    ip.invoke()
    return ip.get_output(0).copy()


def test_outputs_differ_across_random_inputs(benchmark):
    # White noise is far from anything the classifiers saw, and VWW's softmax saturates on
    # all of it; the logits (the input of a final SOFTMAX) must still follow the input.
    name, model = benchmark
    g = model.main
    last = g.operators[-1]
    logits = last.inputs[0] if last.opcode == "SOFTMAX" else last.outputs[0]
    ip = _interpreter(name)
    shape = g.tensors[g.inputs[0]].shape[1:]
    rng = seeds.np_rng("test_models_tflm", 7)
    outs, pre = [], []
    for _ in range(SAMPLES):
        outs.append(_run(ip, rng.integers(-128, 128, shape, dtype=np.int8)))
        pre.append(ip.GetTensor(logits, 0)["tensor_data"].tobytes())
    assert all(o.dtype == np.int8 and o.shape == (1, *g.tensors[g.outputs[0]].shape[1:])
               for o in outs)
    assert len(set(pre)) == SAMPLES


def test_outputs_differ_across_realistic_inputs(benchmark):
    name, model = benchmark
    ip = _interpreter(name)
    outs = [_run(ip, x) for x in _realistic_inputs(name, model, SAMPLES)]
    assert len({o.tobytes() for o in outs}) >= SAMPLES // 2


@pytest.mark.parametrize("name", [n for n in BENCHMARKS if n != "ad"])
def test_classifiers_learned_their_synthetic_task(name):
    # Weights that learned something have the structure of real ones (not random noise).
    model = load(BENCHMARKS[name].path)
    spec = importlib.import_module(f"cfu_bench.benchmarks.models.{name}")
    x, y = spec.training_set(seeds.np_rng("test_models_tflm", 2024), 32)
    xq = _realistic_inputs(name, model, 32)
    ip = _interpreter(name)
    predictions = np.array([_run(ip, xi).argmax() for xi in xq])
    chance = 1 / len(np.unique(y))
    assert np.mean(predictions == y) > (1 + chance) / 2


def test_intermediate_activations_are_not_degenerate(benchmark):
    # A layer whose output sits at its zero point for every input (dead ReLU everywhere) or
    # never changes would make a cycle benchmark meaningless for the layers after it.
    name, model = benchmark
    g = model.main
    ip = _interpreter(name)
    seen = {op.index: [] for op in g.operators}
    for x in _realistic_inputs(name, model, SAMPLES):
        _run(ip, x)
        for op in g.operators:
            seen[op.index].append(ip.GetTensor(op.outputs[0], 0)["tensor_data"].copy())
    for op in g.operators:
        values = np.array(seen[op.index])
        zero = g.tensors[op.outputs[0]].quantization.zero_point[0]
        assert np.mean(values != zero) > 0.05, f"op {op.index} {op.opcode} is mostly zero"
        assert np.any(values != values[:1]), f"op {op.index} {op.opcode} ignores its input"
        if op.opcode != "SOFTMAX":
            levels = min(16, values.size // 4)  # a 1x2 output over 8 inputs has only 16 values
            assert len(np.unique(values)) > levels, f"op {op.index} {op.opcode} uses few levels"
