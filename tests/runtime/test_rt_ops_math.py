"""Elementwise and quantized-math ops, int8 and int16: random single-op models, every output
byte compared with TFLM (tflite-micro's Python interpreter) on the host build of the runtime."""
import pytest
from conftest import scale
from opgen_math import GENERATORS
from test_rt_ops import run_cases

CASES = {name: 100 for name in GENERATORS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_math_op_bit_exact_random(hrt, name):
    n = int(CASES[name] * scale())
    problems = run_cases(hrt, GENERATORS[name], n, seed=sum(map(ord, name)))
    assert not problems, f"{len(problems)} of {n} cases differ, first: " + "\n".join(problems[:5])
