"""Elementwise and quantized-math ops, int8 and int16: random single-op models, every output
byte compared with TFLM (tflite-micro's Python interpreter) on the host build of the runtime."""
import pytest
from conftest import scale
from opgen_math import GENERATORS, chain_int8, chain_int16
from runtime_checks import compare
from test_rt_ops import run_cases

from cfu_bench.model import golden
from cfu_bench.testing import seeds

CASES = {name: 100 for name in GENERATORS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_math_op_bit_exact_random(hrt, name):
    n = int(CASES[name] * scale())
    problems = run_cases(hrt, GENERATORS[name], n, seed=sum(map(ord, name)))
    assert not problems, f"{len(problems)} of {n} cases differ, first: " + "\n".join(problems[:5])


@pytest.mark.parametrize("build", [chain_int8, chain_int16], ids=["int8", "int16"])
def test_math_chain_bit_exact(hrt, build):
    """Every op of the family in one model (the fuzzing corpus' math_*.tflite), several inputs."""
    model = build()
    samples = golden.random_inputs(model, 8, seed=seeds.derive("test_rt_ops_math", 5))
    problems = compare(hrt, model, samples, build.__name__)
    assert not problems, "\n".join(problems[:5])


def test_softmax_tables_match_their_generator():
    """firmware/kernels/softmax_luts.c is what scripts/gen_softmax_luts.py writes (TFLM's gen_lut)."""
    import subprocess
    import sys
    from pathlib import Path
    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_softmax_luts.py"
    assert subprocess.run([sys.executable, str(script), "--check"]).returncode == 0, \
        "softmax_luts.c is stale: run scripts/gen_softmax_luts.py"
