"""The foundation, end to end: Amaranth CFU -> LiteX SoC -> Verilator, running C firmware that
checks every CFU instruction against its C emulation and ends the simulation itself."""
import pytest

from cfu_bench.errors import SimulationError
from cfu_bench.run.simulate import run, selftest
from cfu_bench.build.ram_image import DataBlock
from cfu_bench.testing import seeds


def test_cfu_matches_its_c_model_on_the_soc(template_target):
    result = selftest(template_target, count=2000, seed=seeds.derive("test_smoke", 12345))
    assert result.failed == 0
    assert result.passed >= 2000
    assert "CFUB EXIT 0" in result.run.output
    # mcycle is read by the firmware and counts from reset: BIOS + self-test
    assert result.run.total_cycles > 10_000


def test_different_seeds_still_agree(template_target):
    assert selftest(template_target, count=500, seed=seeds.derive("test_smoke", 987654321)).failed == 0


def test_watchdog_stops_a_run_that_exceeds_its_cycle_limit(template_target):
    with pytest.raises(SimulationError, match="watchdog.*cycle limit of 20,000 cycles"):
        run(template_target, DataBlock(selftest_count=100_000), cycle_limit=20_000)


def test_firmware_rejects_a_missing_image(template_target):
    # An empty data block has no magic number: the firmware must say so and exit non-zero.
    result = run(template_target, b"\0" * 64)
    assert "CFUB ERROR 1 no valid image header" in result.output
    assert "CFUB EXIT 1" in result.output


def test_a_wrong_cfu_is_caught_by_the_firmware_self_test():
    """The same firmware on a template CFU with one SIMD lane's product negated: the
    self-test must see the hardware disagree with the C emulation."""
    from cfu_bench.designs import load_design
    from cfu_bench.gateware.simd import SimdDot
    from cfu_bench.run.simulate import prepare
    from cfu_bench.testing.faults import NegatedLane

    template = load_design("template")
    wrong = prepare(template.with_fault(NegatedLane(SimdDot, 2)), firmware_design=template)
    result = selftest(wrong, count=500, seed=seeds.derive("test_smoke", 4242))
    assert result.failed > 0
    assert "CFUB EXIT 1" in result.run.output
