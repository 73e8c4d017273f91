"""Variable tensors (SVDF and LSTM state): persistent, never planned over, reset as TFLM resets
them (int8 to its zero point, others to 0) at load and before each input of a run, so every
input starts from the state right after loading on both sides."""
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model import golden
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import ModelBuilder
from runtime_checks import compare


def _add(b, a, c, y):
    b.raw_op("ADD", [a, c], [y], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())


def stateful_model(rng, width: int) -> bytes:
    """state += x (in place), then y = state + x: y depends on the state's reset value, and on
    whether an earlier input's update leaked in. Activations in between are big enough that a
    planner placing them over the state would corrupt it."""
    b = ModelBuilder()
    x = b.input([1, width], 0.1, int(rng.integers(-10, 10)))
    zp = int(rng.integers(-100, 100))
    state = b.tensor([1, width], "int8", 0.1, zp, name="state")
    b.tensors[state].isVariable = True
    _add(b, x, state, state)
    t = b.tensor([1, width], "int8", 0.2, 0)
    _add(b, x, x, t)
    y = b.tensor([1, width], "int8", 0.3, 0)
    _add(b, state, t, y)
    b.output(y)
    return b.build()


def test_state_reset_to_zero_point_and_before_each_input(hrt):
    rng = seeds.np_rng("variables")
    for case in range(6):
        model = stateful_model(rng, int(rng.integers(1, 40)))
        samples = golden.random_inputs(model, 3, seed=seeds.derive("variables", case))
        assert not compare(hrt, model, samples, f"case {case}")


def test_state_is_not_shared_between_inputs(hrt):
    """The same input twice gives the same outputs only because of the reset."""
    model = stateful_model(seeds.np_rng("variables-twice"), 16)
    [s] = golden.random_inputs(model, 1, seed=seeds.derive("variables-twice"))
    run = hrt.run(model, [s, s])
    assert run.rc == 0, run.text
    assert [o.data for o in run.outputs[0]] == [o.data for o in run.outputs[1]]
    first, second = golden.golden(model, [s, s])
    assert [o.data for o in first] == [o.data for o in second]


def test_variable_with_constant_data_refused(hrt):
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    state = b.tensor([1, 4], "int8", 0.1, 0, data=np.zeros((1, 4), np.int8))
    b.tensors[state].isVariable = True
    y = b.tensor([1, 4], "int8", 0.1, 0)
    _add(b, x, state, y)
    b.output(y)
    run = hrt.run(b.build(), [bytes(4)])
    assert run.rc == 2 and "variable tensor with constant data" in run.report.error.message, run.text
