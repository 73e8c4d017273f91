"""The memory microbenchmark: cycles per load in the DDR3 simulation follow from the LiteDRAM
settings the SoC was built with (the Arty's A7DDRPHY latencies, MT41K128M16 timings).

Streaming reads refill each 32-byte D-cache line with two 16-byte L2 misses that hit the open
DRAM row; a dependent load into a random line refills it the same way, except that the first
L2 miss finds another row open: precharge (tRP) and activate (tRCD) come on top. Subtracting
the same loops on ideal memory leaves the DRAM's share alone.
"""
import pytest

from cfu_bench.build.membench import run_membench
from cfu_bench.run.simulate import prepare
from cfu_bench.soc.description import dram_module
from cfu_bench.soc.sim_soc import a7ddrphy_settings

L2_MISSES_PER_LINE = 2  # 32-byte D-cache line / 16-byte L2 line (the DRAM port's width)


@pytest.fixture(scope="module")
def bench():
    # mac8's SoC builds are the ones the model tests use too: no extra build for this test.
    return {memory: run_membench(prepare("mac8", memory=memory).soc)
            for memory in ("ddr3", "ideal")}


def test_dram_costs_cycles_on_every_access_pattern(bench):
    ddr3, ideal = bench["ddr3"], bench["ideal"]
    assert ddr3.stream_cycles_per_line > ideal.stream_cycles_per_line
    assert ddr3.chase_cycles_per_load > ideal.chase_cycles_per_load


def test_row_hit_latency_is_the_phy_read_latency_plus_the_controller(bench):
    settings = a7ddrphy_settings(100_000_000)
    per_miss = (bench["ddr3"].stream_cycles_per_line - bench["ideal"].stream_cycles_per_line) \
        / L2_MISSES_PER_LINE
    # read_latency: DFI read to data back through the PHY; the controller's command path and
    # the L2 refill add a few cycles, never fewer than two or more than eight.
    assert settings.read_latency + 2 <= per_miss <= settings.read_latency + 8, per_miss


def test_a_random_dependent_load_adds_precharge_and_activate(bench):
    t = dram_module(100_000_000).timing_settings
    extra = (bench["ddr3"].chase_cycles_per_load - bench["ideal"].chase_cycles_per_load) - \
        (bench["ddr3"].stream_cycles_per_line - bench["ideal"].stream_cycles_per_line)
    assert abs(extra - (t.tRP + t.tRCD)) <= 2, (extra, t.tRP, t.tRCD)
