"""The fast simulation (sim/fast) against the RTL simulation: the drift test of issue 25 (a
small model both ways, its error inside the promised bounds), bit-exactness of every design
with an emulation, and the refusal of a design without one."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfu_bench.calibrate import LAYER_BOUND, WHOLE_BOUND, calibrate, format_calibration
from cfu_bench.cli import main
from cfu_bench.profile import profile

PLAYGROUND_CFU = Path(__file__).parent.parent / "data" / "playground_style_cfu.v"


@pytest.mark.parametrize("cfu", ["none", "mac8"])
def test_fast_simulation_stays_within_its_bounds_of_the_rtl_on_ad(cfu):
    # ad: 3.3 M cycles with none, 0.2 M with mac8 in the RTL (a few seconds each)
    c = calibrate("ad", cfu, "ideal", use_cache=False)
    print(format_calibration(c))
    assert c.bit_exact
    assert abs(c.error_percent) <= WHOLE_BOUND["ideal"], format_calibration(c)
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
