"""Several subgraphs and resource variables, on a model TensorFlow's converter made from a
tf.Variable state (tests/runtime/make_stateful.py): every subgraph parsed and prepared, CALL_ONCE
runs the init subgraph on the first invoke, VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE keep
the state; bit-exact with TFLM both from the post-load state and as a stream."""
from pathlib import Path

import numpy as np

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model import golden
from cfu_bench.testing import seeds
from runtime_checks import compare, edit_tflite

MODEL = Path(__file__).resolve().parents[1] / "data" / "resource_variable.tflite"


def test_converted_model_has_the_control_ops():
    ops = [o.op for o in golden.model_ops(MODEL.read_bytes())]
    assert ops[:3] == ["CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE"] and "ASSIGN_VARIABLE" in ops


def test_each_input_from_the_post_load_state(hrt):
    model = MODEL.read_bytes()
    samples = golden.random_inputs(model, 4, seed=seeds.derive("subgraphs-fresh"))
    assert not compare(hrt, model, samples, "fresh")


def test_state_carried_through_a_stream(hrt):
    model = MODEL.read_bytes()
    samples = golden.random_inputs(model, 5, seed=seeds.derive("subgraphs-stream"))
    assert not compare(hrt, model, samples, "stream", stream=True)
    # the state really changes what later samples compute
    same = golden.random_inputs(model, 1, seed=seeds.derive("subgraphs-same")) * 3
    outs = [[o.data for o in per_op] for per_op in hrt.run(model, same, stream=True).outputs]
    assert outs[0] != outs[1]
    fresh = [[o.data for o in per_op] for per_op in hrt.run(model, same).outputs]
    assert fresh[0] == fresh[1] == fresh[2]


def test_while_refused_by_name(hrt):
    def to_while(m):
        code = m.operatorCodes[m.subgraphs[0].operators[0].opcodeIndex]
        code.builtinCode = code.deprecatedBuiltinCode = fb.BuiltinOperator.WHILE
    model = edit_tflite(MODEL.read_bytes(), to_while)
    run = hrt.run(model, golden.random_inputs(model, 1))
    assert run.rc == 2 and "unsupported op WHILE" in run.report.error.message, run.text


def test_problem_in_another_subgraph_names_it(hrt):
    def init_reads_nothing(m):
        init = m.subgraphs[1]
        init.operators[1].inputs = [init.operators[1].inputs[0], 5]  # value tensor out of range
    model = edit_tflite(MODEL.read_bytes(), init_reads_nothing)
    run = hrt.run(model, [bytes(8)])  # the host reader refuses it too: no golden inputs
    assert run.rc == 1 and "of subgraph 1" in run.report.error.message, run.text


def _combine(main: bytes, *branches: bytes) -> bytes:
    """main's model with the subgraphs of `branches` appended (buffers and operator codes
    merged), so branch k is subgraph k."""
    import flatbuffers

    def obj(data):
        return fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(data, 0))
    m = obj(main)
    for data in branches:
        other = obj(data)
        base = len(m.buffers)
        m.buffers += other.buffers
        codes = []
        for oc in other.operatorCodes:
            m.operatorCodes.append(oc)
            codes.append(len(m.operatorCodes) - 1)
        g = other.subgraphs[0]
        for t in g.tensors:
            t.buffer += base
        for op in g.operators:
            op.opcodeIndex = codes[op.opcodeIndex]
        m.subgraphs.append(g)
    b = flatbuffers.Builder(4096)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return edit_tflite(bytes(b.Output()), lambda m: None)


def if_model(rng, cond: bool) -> bytes:
    """y = IF(cond, x) with branches x + x (then) and x + x at another scale (else), then
    z = y + x: bit-exact only if the right branch ran on the right copy of x."""
    from cfu_bench.model.tflite_builder import ModelBuilder
    shape = [1, int(rng.integers(1, 6)), int(rng.integers(1, 9))]
    xq = (0.05, int(rng.integers(-20, 20)))
    yq = (0.15, int(rng.integers(-20, 20)))

    def branch(scale):
        b = ModelBuilder()
        x = b.input(shape, *xq)
        b.output(b.add(x, x, scale, yq[1]))
        return b.build()
    b = ModelBuilder()
    x = b.input(shape, *xq)
    c = b.tensor([1], "uint8", data=np.array([int(cond)], np.uint8))
    y = b.tensor(shape, "int8", *yq)
    opts = fb.IfOptionsT()
    opts.thenSubgraphIndex, opts.elseSubgraphIndex = 1, 2
    b.raw_op("IF", [c, x], [y], fb.BuiltinOptions.IfOptions, opts)
    b.output(b.add(y, x, 0.2, 0))
    main = edit_tflite(b.build(), lambda m: setattr(m.subgraphs[0].tensors[c], "type", fb.TensorType.BOOL))
    # the else branch computes at yq's scale from a different sum: x + x with output scale 0.3
    return _combine(main, branch(yq[0]), branch(0.3))


def test_if_runs_the_chosen_branch_bit_exact(hrt):
    rng = seeds.np_rng("subgraphs-if")
    for case in range(8):
        model = if_model(rng, cond=bool(case % 2))
        samples = golden.random_inputs(model, 2, seed=seeds.derive("subgraphs-if", case))
        assert not compare(hrt, model, samples, f"if case {case}")
