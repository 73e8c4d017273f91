"""resolve_model, model_info and the text table, on our models and on a user's model."""
import json
import shutil
from pathlib import Path

import pytest
from tflite_micro.python.tflite_micro import runtime

from cfu_bench.errors import UserError
from cfu_bench.model.model_info import format_info_table, model_info, resolve_model
from cfu_bench.model.models_registry import BENCHMARKS
from mlperf_tiny_reference import TOTALS

SINE = Path(runtime.__file__).parent / "sine_float.tflite"  # a user model, in float


def test_resolve_benchmark_names():
    for name, b in BENCHMARKS.items():
        assert resolve_model(name) == b.path


def test_resolve_path(tmp_path):
    p = tmp_path / "mine.tflite"
    shutil.copy(SINE, p)
    assert resolve_model(p) == p
    assert resolve_model(str(p)) == p


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(UserError) as e:
        resolve_model("resnet50")
    for name in BENCHMARKS:
        assert name in str(e.value)


def test_missing_path(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        resolve_model(tmp_path / "gone.tflite")


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(UserError, match="not a file"):
        resolve_model(tmp_path)


def test_malformed_model_is_a_user_error(tmp_path):
    p = tmp_path / "bad.tflite"
    p.write_bytes(SINE.read_bytes()[:100])
    with pytest.raises(UserError, match="bad.tflite: not a valid .tflite file"):
        model_info(p)


def test_info_contract_is_json_ready(benchmark):
    name, _ = benchmark
    info = json.loads(json.dumps(model_info(name)))
    assert info["model"] == name
    assert info["total_macs"] == TOTALS[name]["macs"] == sum(o["macs"] for o in info["ops"])
    assert info["params"] == TOTALS[name]["params"] == sum(o["params"] for o in info["ops"])
    for i, op in enumerate(info["ops"]):
        assert op["index"] == i
        assert {"op", "input_shapes", "output_shape", "macs", "kernel", "stride", "padding",
                "activation", "params"} <= op.keys()


def test_user_float_model():
    # The sine model: three FULLY_CONNECTED layers 1->16->16->1 in float32.
    info = model_info(SINE)
    fcs = [o for o in info["ops"] if o["op"] == "FULLY_CONNECTED"]
    assert [o["macs"] for o in fcs] == [16, 256, 16]
    assert info["total_macs"] == 288
    assert info["params"] == (16 + 16) + (256 + 16) + (16 + 1)
    assert info["inputs"][0]["dtype"] == "FLOAT32"


def test_table_has_every_op_and_the_totals():
    info = model_info("ic")
    table = format_info_table(info)
    lines = table.splitlines()
    assert any(line.split()[:2] == ["#", "op"] for line in lines)
    for o in info["ops"]:
        assert any(line.split()[:2] == [str(o["index"]), o["op"]] for line in lines)
    assert "12,501,632 MACs" in table and "77,706 params" in table
    assert "1x32x32x3 INT8, scale 1 zero point -128" in table


def test_table_columns_line_up():
    lines = format_info_table(model_info("kws")).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(" #"))
    rows = lines[header + 2:header + 2 + 13]
    # the MACs column is right-aligned: every row ends at the same column as the header
    assert len({len(r) for r in [lines[header], *rows]}) == 1


def test_reading_models_never_loads_tensorflow():
    # `cfu-bench info` and `profile` must work (and start fast) without TensorFlow.
    import subprocess
    import sys

    code = ("import sys, json\n"
            "import cfu_bench.model.model_info as mi, cfu_bench.benchmarks.models.build\n"
            "import cfu_bench.benchmarks.models.ic, cfu_bench.benchmarks.models.tflite_edit\n"
            "json.dumps(mi.model_info('ic'))\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
