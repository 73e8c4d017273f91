"""Per-op random tests: thousands of single-op INT8 models with random shapes and parameters,
every output byte compared with TFLM (tflite-micro's Python interpreter)."""
import numpy as np
import pytest
from conftest import scale
from runtime_checks import compare
from runtime_opgen import GENERATORS, gen_fc

from cfu_bench.model import golden
from cfu_bench.testing import seeds

CASES = {"CONV_2D": 400, "DEPTHWISE_CONV_2D": 400, "FULLY_CONNECTED": 350, "AVERAGE_POOL_2D": 250,
         "MAX_POOL_2D": 250, "ADD": 300, "RESHAPE": 100, "SOFTMAX": 300, "QUANTIZE": 200,
         "DEQUANTIZE": 150, "chain": 100}


def run_cases(hrt, gen, n, seed):
    rng = seeds.np_rng("test_rt_ops", seed)
    problems = []
    for i in range(n):
        model, desc = gen(rng)
        samples = golden.random_inputs(model, 2, seed=seeds.derive("test_rt_ops", seed * 100003 + i))
        problems += compare(hrt, model, samples, f"case {i} {desc}")
    return problems


@pytest.mark.parametrize("op", sorted(CASES))
def test_op_bit_exact_random(hrt, op):
    n = int(CASES[op] * scale())
    problems = run_cases(hrt, GENERATORS[op], n, seed=sum(map(ord, op)))
    assert not problems, f"{len(problems)} mismatches, first: " + "\n".join(problems[:5])


def test_fully_connected_per_channel(hrt):
    problems = run_cases(hrt, lambda rng: gen_fc(rng, per_channel=True), int(100 * scale()), seed=77)
    assert not problems, "\n".join(problems[:5])
