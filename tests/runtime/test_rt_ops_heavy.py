"""Heavy ops on the host build of the runtime, every output byte compared with TFLM:
int16x8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED, TRANSPOSE_CONV, BATCH_MATMUL, SVDF,
UNIDIRECTIONAL_SEQUENCE_LSTM."""
import pytest
from conftest import scale
from opgen_heavy import GENERATORS, gen_fc16
from runtime_checks import compare

from cfu_bench import golden
from cfu_bench.testing import seeds

# about 2450 models, ~11 s of CPU (CFUB_TEST_SCALE=4 for a deeper run)
CASES = {"CONV_2D/int16x8": 250, "DEPTHWISE_CONV_2D/int16x8": 250, "FULLY_CONNECTED/int16x8": 250,
         "TRANSPOSE_CONV/int8": 250, "TRANSPOSE_CONV/int16x8": 250, "BATCH_MATMUL/int8": 250,
         "BATCH_MATMUL/int16": 250, "SVDF/int8": 200, "UNIDIRECTIONAL_SEQUENCE_LSTM/int8": 150,
         "UNIDIRECTIONAL_SEQUENCE_LSTM/int16": 100}


def run_cases(hrt, gen, n, salt):
    rng = seeds.np_rng("test_rt_ops_heavy", salt)
    problems = []
    for i in range(n):
        model, desc = gen(rng)
        samples = golden.random_inputs(model, 2, seed=seeds.derive("test_rt_ops_heavy", salt, i))
        problems += compare(hrt, model, samples, f"case {i} {desc}")
    return problems


@pytest.mark.parametrize("op", sorted(CASES))
def test_heavy_op_bit_exact_random(hrt, op):
    n = int(CASES[op] * scale())
    problems = run_cases(hrt, GENERATORS[op], n, op)
    assert not problems, (f"{len(problems)} of {n} cases differ ({seeds.reproduce_hint()}), first: "
                          + "\n".join(problems[:5]))


def test_fully_connected_int16x8_per_channel(hrt):
    n = int(100 * scale())
    problems = run_cases(hrt, lambda rng: gen_fc16(rng, per_channel=True), n, "fc16-per-channel")
    assert not problems, (f"{len(problems)} of {n} cases differ ({seeds.reproduce_hint()}), first: "
                          + "\n".join(problems[:5]))


def test_info_counts_the_matrix_ops_macs():
    """`cfu-bench info` (and profile's cycles/MAC) count BATCH_MATMUL, SVDF and LSTM MACs as the
    firmware does: output elements x depth; batches x filters x (input + memory);
    batches x steps x 4 gates x state x (input + state)."""
    import numpy as np
    from opgen_heavy import gen_lstm, soc_chain_int8

    from cfu_bench.model_info import info_from_model
    from cfu_bench.tflite_model import parse

    macs = {o["op"]: o["macs"] for o in info_from_model(parse(soc_chain_int8()), "chain")["ops"]}
    assert macs["BATCH_MATMUL"] == 8 * 6 * 32 and macs["SVDF"] == 1 * 8 * (48 + 5)
    model, d = gen_lstm(np.random.default_rng(5))
    [lstm] = info_from_model(parse(model), "lstm")["ops"]
    assert lstm["macs"] == d["batches"] * d["steps"] * 4 * d["state"] * (d["input"] + d["state"])
