"""The fast simulation (sim/fast) against the RTL simulation: the drift test of issue 25 (a
small model both ways, its error inside the promised bounds), bit-exactness of every design
with an emulation, and the refusal of a design without one."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfu_bench.commands.calibrate import LAYER_BOUND, WHOLE_BOUND, calibrate, format_calibration
from cfu_bench.commands.cli import main
from cfu_bench.commands.profile import profile

PLAYGROUND_CFU = Path(__file__).parent.parent / "data" / "playground_style_cfu.v"


@pytest.mark.parametrize("cfu,memory", [("none", "ideal"), ("mac8", "ideal"), ("none", "ddr3"),
                                        ("mac8", "ddr3")])
def test_fast_simulation_stays_within_its_bounds_of_the_rtl_on_ad(cfu, memory):
    # ad in the RTL: 3.3 M cycles with none, 0.2 M with mac8 on ideal (2 s, 1 s); 3.6 M and
    # 0.5 M on ddr3 (about 8 s and 2 s)
    c = calibrate("ad", cfu, memory, use_cache=False)
    print(format_calibration(c))
    assert c.bit_exact
    assert abs(c.error_percent) <= WHOLE_BOUND[memory], format_calibration(c)
    worst = c.worst_layer
    assert abs(worst["error_percent"]) <= LAYER_BOUND, format_calibration(c)
    # not a copy of the RTL's figures: the two simulators differ somewhere, slightly
    assert c.fast_cycles != c.rtl_cycles


def test_fast_simulation_runs_a_generic_emulation_bit_exact():
    # template has no latency adapter of its own: the generic one (one cycle per instruction)
    r = profile("ad", cfu="template", memory="ddr3", inputs=2, use_cache=False, sim="fast")
    assert r.bit_exact and r.cycles_source == "fast-sim"
    assert any(l.kernel != "ref" for l in r.layers)  # its accelerated FC ran on the emulation
    assert "fast simulation" in r.cycles_detail and "DDR3" in r.cycles_detail


def test_fast_simulation_refuses_a_design_without_an_emulation():
    result = CliRunner().invoke(main, ["profile", "ad", "--cfu", str(PLAYGROUND_CFU),
                                       "--sim", "fast", "--no-baseline"])
    assert result.exit_code == 2
    assert "--sim fast needs the design's C emulation" in result.output
    assert "Traceback" not in result.output


def test_bench_on_the_fast_simulation_is_labelled(tmp_path):
    from cfu_bench.commands.suite import run_suite
    summary = run_suite(["ad"], ["none", "mac8"], inputs=1, out_dir=tmp_path, command="test",
                        with_resources=False, memories=["ideal"], sim="fast")
    assert summary["cycles_source"] == "fast-sim"
    assert {r["cycles_source"] for r in summary["runs"]} == {"fast-sim"}
    assert all(r["bit_exact"] for r in summary["runs"])
    assert "fast simulation of the SoC" in (tmp_path / "results.md").read_text()


def test_confirm_needs_a_fast_sweep():
    result = CliRunner().invoke(main, ["sweep", "mac8", "--param", "lanes=4,8", "--model", "ad",
                                       "--confirm", "1"])
    assert result.exit_code == 2 and "--confirm" in result.output


def test_a_fast_run_over_its_cycle_limit_ends_with_the_watchdog_message(monkeypatch):
    import cfu_bench.commands.profile

    monkeypatch.setattr(cfu_bench.commands.profile, "cycle_limit_for", lambda macs, inputs: 300_000)
    result = CliRunner().invoke(main, ["profile", "ad", "--cfu", "none", "--no-baseline",
                                       "--inputs", "1", "--no-cache", "--quiet", "--sim", "fast",
                                       "--memory", "ideal"])
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and "watchdog" in lines[0] and "300,000 cycles" in lines[0], lines


@pytest.mark.parametrize("args,needle", [
    (["--target", "arty", "--sim", "fast"], "--sim fast is for target sim"),
    (["--sim", "fast", "--trace", "1"], "--trace needs the RTL simulation"),
    (["--sim", "fast", "--memory", "sdram", "--no-baseline"], "not sdram: use --sim rtl"),
])
def test_fast_simulation_misuse_is_one_line_exit_2(args, needle):
    result = CliRunner().invoke(main, ["profile", "ad", "--cfu", "none", *args])
    assert result.exit_code == 2 and needle in result.output, result.output
    assert "Traceback" not in result.output


def test_mlperf_session_on_the_fast_simulation():
    # the MLPerf protocol firmware over the fast simulation's UART on TCP
    from cfu_bench.commands.mlperf import run_mlperf
    r = run_mlperf("ad", cfu="mac8", memory="ideal", sim="fast", iterations=1, warmups=0,
                   windows=1)
    assert r.results_match_tflm and r.cycles_source == "fast-sim"
    assert 0 < r.latency_ms_median < 10
