"""The zoo's names in the CLI: `cfu-bench models` lists them, every MODEL argument takes them,
and `cfu-bench bench --zoo` plans them without a baseline run for the largest."""
import json

from click.testing import CliRunner

from cfu_bench.commands.cli import main
from cfu_bench.model.model_summary import summarize_file
from cfu_bench.model.models_registry import BENCHMARKS, ZOO_MODELS, resolve_model
from cfu_bench.commands.suite import BASELINE_MAC_LIMIT, markdown, planned_runs


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    return result, result.output


def test_models_lists_benchmarks_and_zoo_with_macs_and_ops():
    result, text = invoke("models")
    assert result.exit_code == 0, text
    lines = {line.split()[0]: line for line in text.splitlines()[2:]}
    assert set(lines) == set(BENCHMARKS) | set(ZOO_MODELS)
    for name, z in ZOO_MODELS.items():
        s = summarize_file(z.path)
        assert f"{s.total_macs:,}" in lines[name] and " zoo " in lines[name]
        assert all(op in lines[name] for op in s.op_counts)
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in lines["lstm_seq"] and "SVDF 2" in lines["svdf_kws"]


def test_models_json():
    result, text = invoke("models", "--json")
    rows = {r["name"]: r for r in json.loads(text)}
    assert rows["presence"]["kind"] == "zoo" and rows["presence"]["macs"] > BASELINE_MAC_LIMIT
    assert rows["kws"]["kind"] == "benchmark" and rows["kws"]["ops"]["CONV_2D"] == 5


def test_zoo_names_resolve_like_benchmark_names():
    for name, z in ZOO_MODELS.items():
        assert resolve_model(name) == z.path


def test_unknown_name_mentions_the_zoo():
    result, text = invoke("info", "resnet50")
    assert result.exit_code == 2 and "zoo" in text and "Traceback" not in text
    result, text = invoke("models", "build", "resnet50")
    assert result.exit_code == 2 and "person_detect" in text and len(text.strip().splitlines()) == 1


def test_suite_plans_no_baseline_over_the_limit():
    macs = {"ad": 264_192, "presence": 105_744_640}
    runs, skipped = planned_runs(["ad", "presence"], ["none", "mac8"], ["ideal"], macs)
    assert runs == [("ad", "none", "ideal"), ("ad", "mac8", "ideal"), ("presence", "mac8", "ideal")]
    assert skipped == [("presence", "none", "ideal")]


def test_results_table_says_why_a_run_is_missing():
    row = {"model": "presence", "cfu": "mac8", "memory": "ideal", "total_cycles": 1_000_000,
           "total_macs": 105_744_640, "bit_exact": True}
    summary = {"command": "cfu-bench bench --zoo", "date": "2026-12-06", "inputs_per_run": 1,
               "runs": [row], "skipped": [{"model": "presence", "cfu": "none", "memory": "ideal",
                                           "total_macs": 105_744_640}]}
    md = markdown(summary, ["presence"], ["none", "mac8"], ["ideal"])
    table_row = next(line for line in md.splitlines() if line.startswith("| presence"))
    assert table_row.endswith("| yes |") and "| - |" in table_row
    assert "Not run" in md and "presence none ideal (105,744,640 MACs" in md


def _custom_op_model(path):
    """A model with a custom op (TFLM's Signal library style), which the runtime refuses by name."""
    import flatbuffers
    import numpy as np

    from cfu_bench.model.tflite_builder import ModelBuilder, fb

    b = ModelBuilder()
    x = b.input([1, 8], scale=0.1, zero_point=0)
    y = b.tensor([1, 8], "int8", 0.1, 0)
    b.raw_op(fb.BuiltinOperator.CUSTOM, [x], [y])
    b.output(y)
    m = b.model_t()
    m.operatorCodes[0].customCode = "SignalWindow"
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    path.write_bytes(bytes(builder.Output()))
    assert np.frombuffer(path.read_bytes()[4:8], np.uint8).tobytes() == b"TFL3"
    return path


def test_suite_records_a_refused_model_and_goes_on(tmp_path):
    """One refused model costs its own runs: the others run, results.md names the refusal."""
    from cfu_bench.commands.suite import run_suite

    custom = str(_custom_op_model(tmp_path / "custom.tflite"))
    refused = []
    summary = run_suite([custom, "ad"], ["none"], inputs=1, out_dir=tmp_path / "out", command="test",
                        with_resources=False, jobs=1, memories=["ideal"],
                        on_refused=lambda m, d, mem, msg: refused.append((m, msg)))
    assert [r["model"] for r in summary["runs"]] == ["ad"] and summary["runs"][0]["bit_exact"]
    assert [m for m, _ in refused] == [custom] and "SignalWindow" in refused[0][1]
    assert "Refused: " + custom in (tmp_path / "out" / "results.md").read_text()
