"""`cfu-bench info` marks every layer the runtime cannot run (op or type), judged op by op by
the host build of the runtime before anything is built."""
import json

import numpy as np
from click.testing import CliRunner
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.commands.cli import main
from cfu_bench.model.tflite_builder import ModelBuilder


def mixed_model() -> bytes:
    """op 0 LSH_PROJECTION (an op TFLM has not either), op 1 ADD (runs), op 2 ADD on uint8
    (a type TFLM's ADD refuses too), op 3 CUSTOM (named)."""
    b = ModelBuilder()
    x = b.input([1, 4], 0.1, 0)
    y = b.tensor([1, 4], "int8", 0.1, 0)
    b.raw_op("LSH_PROJECTION", [x], [y])
    z = b.add(y, y, 0.2, 0)
    w = b.tensor([1, 4], "uint8", 0.1, 0)
    b.raw_op("ADD", [z, z], [w], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())
    v = b.tensor([1, 4], "int8", 0.1, 0)
    b.raw_op("CUSTOM", [z], [v])
    b.output(w)
    b.output(v)
    m = b.model_t()
    m.operatorCodes[b.ops[3].opcodeIndex].customCode = b"SignalFftAutoScale"
    import flatbuffers
    fbb = flatbuffers.Builder(1024)
    fbb.Finish(m.Pack(fbb), file_identifier=b"TFL3")
    return bytes(fbb.Output())


def test_info_marks_each_layer_the_runtime_cannot_run(tmp_path):
    path = tmp_path / "mixed.tflite"
    path.write_bytes(mixed_model())
    r = CliRunner().invoke(main, ["info", str(path), "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    why = [o["runtime_refusal"] for o in info["ops"]]
    assert "LSH_PROJECTION" in why[0] and why[1] is None
    assert "UINT8" in why[2] and "ADD" in why[2]
    assert "SignalFftAutoScale" in why[3]
    assert info["runtime"]["supported"] is False
    table = CliRunner().invoke(main, ["info", str(path)]).output
    assert "LSH_PROJECTION !" in table and "cannot run 3 of 4 layers" in table


def test_info_of_a_runnable_model_says_so():
    info = json.loads(CliRunner().invoke(main, ["info", "kws", "--json"]).output)
    assert info["runtime"]["supported"] is True
    assert all(o["runtime_refusal"] is None for o in info["ops"])


def test_profile_refuses_before_building_anything(tmp_path):
    path = tmp_path / "mixed.tflite"
    path.write_bytes(mixed_model())
    r = CliRunner().invoke(main, ["profile", str(path), "--no-cache"])
    assert r.exit_code == 2
    assert "cannot run this model: unsupported op LSH_PROJECTION" in r.output and "and 2 more layers" in r.output
    assert "Traceback" not in r.output
