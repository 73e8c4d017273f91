"""`cfu-bench mlperf` end to end on the simulated SoC, and its verdict on a mismatch."""
import json

import pytest
from click.testing import CliRunner

from cfu_bench.commands.cli import main
from cfu_bench.errors import ResultError
from cfu_bench.commands.mlperf.runner import MlperfResult, Window, check


def test_cli_session_on_sim_writes_json(tmp_path):
    out = tmp_path / "ad.json"
    r = CliRunner().invoke(main, ["mlperf", "ad", "--cfu", "none", "--iterations", "1",
                                  "--warmups", "0", "--windows", "2", "--json", str(out), "--quiet"])
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    assert "median latency:" in r.output and "bit-exact with TFLM" in r.output
    data = json.loads(out.read_text())
    assert data["results_match_tflm"] is True
    assert data["iterations"] == 1 and data["warmups"] == 0 and len(data["windows"]) == 2
    assert data["memory"] == "ddr3" and data["target"] == "sim" and data["model_id"] == "ad01"
    # ad on the reference kernels: about 3.3 M cycles, 33 ms at the SoC's 100 MHz
    assert 20 < data["latency_ms_median"] < 60
    assert all(w["results"] == w["expected"] and w["crc32"] == w["expected_crc32"]
               for w in data["windows"])


def _result(match: bool) -> MlperfResult:
    w = Window(0, 1.0, 1000, "0.5" if match else "0.6", "0.5", "0000abcd", "0000abcd", match)
    return MlperfResult(model="ad", model_id="ad01", cfu="none", target="sim", memory="ideal",
                        clock_hz=100_000_000, iterations=1, warmups=0, windows=[w],
                        latency_ms_median=1.0, results_match_tflm=match, seed=7)


def test_bad_usage_is_one_line_and_exit_2():
    for args in (["mlperf", "nosuch"], ["mlperf", "ad", "--windows", "0"],
                 ["mlperf", "ad", "--target", "arty"], ["mlperf", "ad", "--boot-only"]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2 and "Traceback" not in r.output, (args, r.output)


def test_check_fails_on_a_mismatch_naming_the_seed():
    check(_result(True))
    with pytest.raises(ResultError, match="seed 7"):
        check(_result(False))
