"""Several subgraphs and resource variables, on a model TensorFlow's converter made from a
tf.Variable state (tests/runtime/make_stateful.py): every subgraph parsed and prepared, CALL_ONCE
runs the init subgraph on the first invoke, VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE keep
the state; bit-exact with TFLM both from the post-load state and as a stream."""
from pathlib import Path

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench import golden
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


def test_if_and_while_refused_by_name(hrt):
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
