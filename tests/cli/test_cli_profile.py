"""`cfu-bench profile` on real simulations: the JSON/CSV/plot contract, a CFU Playground
style Verilog CFU, and the result cache."""
import csv
import json
from pathlib import Path

from click.testing import CliRunner

from cfu_bench.commands.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"


def run_cli(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def test_profile_ad_on_the_baseline_writes_the_documented_json(tmp_path):
    out, table, plot = tmp_path / "ad.json", tmp_path / "ad.csv", tmp_path / "ad.png"
    result = run_cli("profile", "ad", "--cfu", "none", "--no-baseline", "--inputs", "2",
                     "--json", str(out), "--csv", str(table), "--plot", str(plot), "--quiet")
    assert result.exit_code == 0, result.output
    assert "bit-exact with TFLM on every layer, 2 input(s)" in result.output
    d = json.loads(out.read_text())
    assert d["model"] == "ad" and d["cfu"] == "none" and d["target"] == "sim"
    assert d["memory"] == "ddr3"  # the default: the Arty's memory system
    assert "ad on sim, memory ddr3, CFU none" in result.output
    assert d["total_macs"] == 264_192 and d["inputs_checked"] == 2 and d["bit_exact"] is True
    assert isinstance(d["total_cycles"], int) and d["total_cycles"] > d["total_macs"]
    assert d["sim"]["cycles_per_second"] > 0 and d["sim"]["wall_seconds"] > 0
    assert [l["op"] for l in d["layers"]] == ["FULLY_CONNECTED"] * 10
    for l in d["layers"]:
        assert set(l) >= {"index", "op", "output_shape", "macs", "cycles", "bit_exact"}
        assert l["bit_exact"] and l["cycles"] > 0
    assert sum(l["macs"] for l in d["layers"]) == d["total_macs"]
    rows = list(csv.DictReader(table.open()))
    assert len(rows) == 10 and rows[0]["op"] == "FULLY_CONNECTED"
    assert {r["memory"] for r in rows} == {"ddr3"} and {r["target"] for r in rows} == {"sim"}
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The same configuration again comes from the cache, with the same numbers.
    again = run_cli("profile", "ad", "--cfu", "none", "--no-baseline", "--inputs", "2",
                    "--json", str(out), "--quiet")
    assert again.exit_code == 0 and "(cached result)" in again.output
    assert json.loads(out.read_text())["total_cycles"] == d["total_cycles"]


def test_ideal_memory_is_its_own_result_and_faster(tmp_path):
    ddr3, ideal = tmp_path / "ddr3.json", tmp_path / "ideal.json"
    common = ("profile", "ad", "--cfu", "none", "--no-baseline", "--inputs", "1", "--quiet")
    assert run_cli(*common, "--json", str(ddr3)).exit_code == 0
    result = run_cli(*common, "--memory", "ideal", "--json", str(ideal))
    assert result.exit_code == 0, result.output
    assert "memory ideal" in result.output and "ideal single-cycle main RAM" in result.output
    d, i = json.loads(ddr3.read_text()), json.loads(ideal.read_text())
    assert (d["memory"], i["memory"]) == ("ddr3", "ideal") and d["bit_exact"] and i["bit_exact"]
    # The same firmware, model and inputs: every layer costs more with DRAM behind the caches.
    for a, b in zip(d["layers"], i["layers"]):
        assert a["cycles"] > b["cycles"], (a, b)


def test_a_cfu_playground_style_verilog_cfu_drops_in(tmp_path):
    out = tmp_path / "ad.json"
    result = run_cli("profile", "ad", "--cfu", str(DATA / "playground_style_cfu.v"),
                     "--no-baseline", "--inputs", "1", "--json", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    d = json.loads(out.read_text())
    assert d["cfu"] == "playground_style_cfu" and d["bit_exact"]
    assert all(l["kernel"] == "ref" for l in d["layers"])


def test_a_run_over_its_cycle_limit_ends_with_the_watchdog_message(monkeypatch):
    import cfu_bench.commands.profile

    monkeypatch.setattr(cfu_bench.commands.profile, "cycle_limit_for", lambda macs, inputs: 300_000)
    result = run_cli("profile", "ad", "--cfu", "none", "--no-baseline", "--inputs", "1",
                     "--no-cache", "--quiet")
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and "watchdog" in lines[0] and "300,000 cycles" in lines[0], lines
