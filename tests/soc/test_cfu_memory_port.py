"""A CFU with a memory port (`mem_*`) becomes a bus master of the SoC, and mac8's WLOAD fetch
through it agrees with the C emulation on the simulated SoC, on both memories."""
import pytest

from cfu_bench.designs import load_design
from cfu_bench.run.simulate import cfu_verilog, prepare, selftest
from cfu_bench.testing import seeds
from soc.description import cfu_reads_memory


def test_the_soc_sees_the_memory_port_in_the_cfu_verilog(tmp_path):
    for name, reads in (("mac8", True), ("template", False), ("none", False)):
        path = tmp_path / f"{name}.v"
        path.write_text(cfu_verilog(load_design(name)))
        assert cfu_reads_memory(path) is reads, name
    ansi = tmp_path / "ansi.v"
    ansi.write_text("module Cfu(input clk, output wire mem_cyc, output wire [29:0] mem_adr);\nendmodule\n")
    assert cfu_reads_memory(ansi)
    named_alike = tmp_path / "alike.v"
    named_alike.write_text("module Cfu(clk, mem_cycles);\n  input clk;\n  output mem_cycles;\nendmodule\n")
    assert not cfu_reads_memory(named_alike)


@pytest.mark.parametrize("memory", ["ideal", "ddr3"])
def test_mac8_fetches_agree_with_the_emulation_on_the_soc(memory):
    result = selftest(prepare("mac8", memory=memory), count=4000, seed=seeds.derive("test_cfu_memory_port", memory))
    assert result.failed == 0
    assert result.passed >= 4000
