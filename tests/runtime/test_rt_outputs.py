"""Ops with several outputs (SPLIT, SPLIT_V, UNPACK): one CRC per op over all its outputs'
bytes concatenated in output order, on both sides; a single-output op listing two outputs is
refused."""
import zlib

import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model import golden
from cfu_bench.run import protocol
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import ModelBuilder
from runtime_checks import compare


def split_model(rng, parts: int) -> tuple[bytes, list[int]]:
    """input -> ADD(x, x) -> SPLIT along the channels into `parts` outputs, each a model output."""
    b = ModelBuilder()
    c = parts * int(rng.integers(1, 4))
    shape = [1, int(rng.integers(1, 5)), int(rng.integers(1, 5)), c]
    x = b.input(shape, 0.05, int(rng.integers(-20, 20)))
    y = b.add(x, x, 0.1, int(rng.integers(-20, 20)))
    axis = b.tensor([], "int32", data=np.array(3, np.int32))
    outs = [b.tensor(shape[:3] + [c // parts], "int8", 0.1, b.info[y].zero_point) for _ in range(parts)]
    opts = fb.SplitOptionsT()
    opts.numSplits = parts
    b.raw_op("SPLIT", [axis, y], outs, fb.BuiltinOptions.SplitOptions, opts)
    for o in outs:
        b.output(o)
    return b.build(), outs


def test_golden_crc_covers_every_output_in_order():
    rng = seeds.np_rng("outputs-golden")
    model, outs = split_model(rng, 3)
    [per_op] = golden.golden(model, golden.random_inputs(model, 1, seed=seeds.derive("outputs-golden-in")))
    split = per_op[1]
    assert split.op == "SPLIT" and split.tensors == tuple(outs) and len(split.parts) == 3
    assert split.data == b"".join(split.parts)
    assert split.crc == zlib.crc32(b"".join(split.parts))
    # the parts are genuinely different tensors: the channels of ADD's output, in order
    c = golden.describe(model).tensors[per_op[0].tensor].shape[-1]
    rows = np.frombuffer(per_op[0].data, np.int8).reshape(-1, 3, c // 3)
    assert [rows[:, j].tobytes() for j in range(3)] == list(split.parts)

def test_single_output_op_with_two_outputs_refused(hrt):
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    y1, y2 = b.tensor([1, 4], "int8", 0.1, 0), b.tensor([1, 4], "int8", 0.1, 0)
    b.raw_op("ADD", [x, x], [y1, y2], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())
    b.output(y1)
    run = hrt.run(b.build(), [bytes(4)])
    err = protocol.parse(run.text).error
    assert run.rc == 3 and "wrong number of outputs: 2" in err.message and "ADD" in err.message, run.text


def test_op_writing_one_tensor_twice_refused(hrt):
    """The data-flow check covers every output: one tensor listed twice is refused at load."""
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    y = b.tensor([1, 4], "int8", 0.1, 0)
    b.raw_op("ADD", [x, x], [y, y], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())
    b.output(y)
    run = hrt.run(b.build(), [bytes(4)])
    assert run.rc == 3 and "op 0: writes a tensor that is already written" in run.report.error.message, run.text


def test_dumps_of_several_outputs_concatenate():
    a, b = bytes(range(70)), bytes(range(100, 110))
    text = []
    for part in (a, b):
        for pos in range(0, len(part), 64):
            text.append(f"CFUB DUMP 0 5 {pos} {part[pos:pos + 64].hex()}")
        text.append(f"CFUB DUMPEND 0 5 {len(part)} {zlib.crc32(part):08x}")
    assert protocol.dumps("\n".join(text) + "\n") == {(0, 5): a + b}


def test_split_bit_exact_with_tflm(hrt):
    """Runs once an op with several outputs is in the runtime (SPLIT: branch ops-shape)."""
    rng = seeds.np_rng("outputs-split")
    model, _ = split_model(rng, 2)
    probe = hrt.run(model, golden.random_inputs(model, 1))
    if probe.rc == 2 and "unsupported op SPLIT" in probe.text:
        pytest.skip("SPLIT is not in this runtime yet")
    problems = []
    for case in range(20):
        model, _ = split_model(rng, int(rng.integers(1, 5)))
        samples = golden.random_inputs(model, 2, seed=seeds.derive("outputs-split", case))
        problems += compare(hrt, model, samples, f"case {case}")
    assert not problems, "\n".join(problems[:10])
