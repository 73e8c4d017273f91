"""The design loader: names, Verilog files, the generated module's ports, hashes."""
import re

import pytest

from cfu_bench.errors import UserError
from cfu_bench.designs import DEFAULT_DESIGN, list_designs, load_design
from cfu_bench.gateware.port import MEMORY_VERILOG_PORTS, VERILOG_PORTS
from cfu_bench.gateware.simd import SimdDot
from cfu_bench.testing.faults import NegatedLane

PORT_WIDTHS = {"cmd_payload_function_id": 10, "cmd_payload_inputs_0": 32, "cmd_payload_inputs_1": 32,
               "rsp_payload_outputs_0": 32}


def test_builtin_designs_listed():
    names = list_designs()
    assert {"none", "template", DEFAULT_DESIGN} <= set(names)


def test_unknown_name_lists_valid_ones():
    with pytest.raises(UserError, match="valid designs: .*none"):
        load_design("no_such_cfu")


def test_missing_or_wrong_verilog_file(tmp_path):
    with pytest.raises(UserError, match="not found"):
        load_design(str(tmp_path / "absent.v"))
    bad = tmp_path / "bad.v"
    bad.write_text("module NotCfu(input clk); endmodule\n")
    with pytest.raises(UserError, match="module Cfu"):
        load_design(str(bad))


def test_verilog_file_design_is_copied(tmp_path):
    src = tmp_path / "mine.v"
    src.write_text("module Cfu(input clk);\nendmodule\n")
    design = load_design(str(src))
    out = design.write_verilog(tmp_path / "out")
    assert out.name == "cfu.v" and out.read_text() == src.read_text()
    assert design.kernel_sources() == [] and not design.selftest_available


@pytest.mark.parametrize("name, memory", [("none", False), ("template", False), (DEFAULT_DESIGN, True)])
def test_generated_module_has_the_cfu_playground_port(name, memory, tmp_path):
    """CFU Playground's port; mac8 also reads memory, with the `mem_*` ports on top."""
    text = load_design(name).write_verilog(tmp_path).read_text()
    header = re.search(r"module Cfu\(([^)]*)\);", text)
    assert header, "no module Cfu"
    want = set(VERILOG_PORTS) | (set(MEMORY_VERILOG_PORTS) if memory else set())
    assert set(p.strip() for p in header.group(1).split(",")) == want
    widths = {**PORT_WIDTHS, **({"mem_adr": 30, "mem_dat_r": 32} if memory else {})}
    for port, width in widths.items():
        assert re.search(rf"(input|output) \[{width - 1}:0\] {port};", text), port


def test_hash_follows_faults_and_is_stable():
    a, b = load_design("template"), load_design("template")
    assert a.gateware_hash() == b.gateware_hash()
    wrong = a.with_fault(NegatedLane(SimdDot, 1))
    assert wrong.gateware_hash() != a.gateware_hash() and wrong.variant == "template-negate_lane1"
    assert load_design("none").gateware_hash() != a.gateware_hash()


def test_kernels():
    assert load_design("none").kernel_sources() == []
    template = load_design("template")
    assert [p.name for p in template.kernel_sources()] == ["selftest.c", "template_fc.c"]
    assert template.selftest_available
    assert template.kernel_include_dirs()[0].name == "kernels"
