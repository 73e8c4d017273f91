"""Heavy ops on the host build of the runtime, every output byte compared with TFLM:
int16x8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED, TRANSPOSE_CONV, BATCH_MATMUL, SVDF,
UNIDIRECTIONAL_SEQUENCE_LSTM."""
import numpy as np
import pytest
from conftest import scale
from opgen_heavy import GENERATORS, gen_fc16
from runtime_checks import compare

from cfu_bench.model import golden
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
    from opgen_heavy import gen_lstm, soc_chain_int8

    from cfu_bench.model.model_info import info_from_model
    from cfu_bench.model.tflite_model import parse

    ops = {o["op"]: o for o in info_from_model(parse(soc_chain_int8()), "chain")["ops"]}
    assert ops["BATCH_MATMUL"]["macs"] == 8 * 6 * 32 and ops["SVDF"]["macs"] == 1 * 8 * (48 + 5)
    # their constant inputs are parameters: the 32x6 RHS; 8x48 + 8x5 weights and 4 biases
    assert ops["BATCH_MATMUL"]["params"] == 32 * 6 and ops["SVDF"]["params"] == 8 * 48 + 8 * 5 + 4
    model, d = gen_lstm(np.random.default_rng(5))
    [lstm] = info_from_model(parse(model), "lstm")["ops"]
    assert lstm["macs"] == d["batches"] * d["steps"] * 4 * d["state"] * (d["input"] + d["state"])


def _first_op(model):
    return model.subgraphs[0].operators[0]


def _zero_point(index, zp):
    def edit(model):
        model.subgraphs[0].tensors[_first_op(model).inputs[index]].quantization.zeroPoint = [zp]
    return edit


def _add_peephole(model):
    sg = model.subgraphs[0]
    op = _first_op(model)
    state = sg.tensors[op.inputs[5]].shape[0]
    t = type(sg.tensors[0])()
    t.shape, t.type, t.name = [state], 7, b"cell_to_forget"  # int16 peephole weights
    q = type(sg.tensors[op.inputs[19]].quantization)()
    q.scale, q.zeroPoint = [0.01], [0]
    t.quantization = q
    buf = type(model.buffers[0])()
    buf.data = np.zeros(2 * state, np.uint8)
    model.buffers.append(buf)
    t.buffer = len(model.buffers) - 1
    sg.tensors.append(t)
    op.inputs = [*op.inputs[:10], len(sg.tensors) - 1, *op.inputs[11:]]


def _relu_cell(model):
    _first_op(model).builtinOptions.fusedActivationFunction = 1


def _int32_bias(model):
    t = model.subgraphs[0].tensors[_first_op(model).inputs[2]]
    t.type = 2  # int32: TFLM's int16 depthwise would read it as int64
    buf = model.buffers[t.buffer]
    buf.data = buf.data[: len(buf.data) // 2]


# (generator, edit, does TFLM refuse it too, words of our one-line refusal)
REFUSALS = {
    "BATCH_MATMUL int16 with a nonzero zero point": ("BATCH_MATMUL/int16", _zero_point(0, 3), True,
                                                     ["BATCH_MATMUL", "zero points must be 0"]),
    "LSTM with peephole weights": ("UNIDIRECTIONAL_SEQUENCE_LSTM/int8", _add_peephole, True,
                                   ["UNIDIRECTIONAL_SEQUENCE_LSTM", "variant"]),
    "LSTM whose cell gate is not TANH": ("UNIDIRECTIONAL_SEQUENCE_LSTM/int8", _relu_cell, None,
                                         ["UNIDIRECTIONAL_SEQUENCE_LSTM", "TANH"]),
    "int16 DEPTHWISE_CONV_2D with an int32 bias": ("DEPTHWISE_CONV_2D/int16x8", _int32_bias, None,
                                                   ["DEPTHWISE_CONV_2D", "INT32"]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_heavy_refusals_are_one_line(hrt, case):
    """What TFLM refuses (or would misread or abort on) is refused in one line naming the op;
    None: TFLM would abort or read garbage, so it is not asked."""
    from runtime_checks import edit_tflite

    gen_name, edit, tflm_refuses, words = REFUSALS[case]
    rng = seeds.np_rng("test_rt_ops_heavy-refusals", case)
    model = edit_tflite(GENERATORS[gen_name](rng)[0], edit)
    run = hrt.run(model, golden.random_inputs(model, 1))
    assert run.rc != 0 and run.report.error is not None and run.report.error.code == run.rc, run.text
    message = run.report.error.message
    assert all(w in message for w in words) and "\n" not in message, message
    if tflm_refuses:
        with pytest.raises(Exception):
            golden.golden(model, golden.random_inputs(model, 1))
