"""Fault injection changes a block only while a faulty design elaborates."""
from amaranth.sim import Simulator

from cfu_bench.designs import load_design
from cfu_bench.gateware.simd import SimdDot
from cfu_bench.testing.faults import NegatedLane


def _dot(a: int, b: int) -> int:
    dut = SimdDot(lanes=4, offset_width=9)
    seen = []

    async def bench(ctx):
        ctx.set(dut.a, a)
        ctx.set(dut.b, b)
        ctx.set(dut.offset, 0)
        await ctx.delay(1e-9)
        seen.append(ctx.get(dut.result))
    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    return seen[0]


def test_negated_lane_changes_only_that_lane_and_only_while_applied():
    # lanes: 1*1, 2*3, 4*5, 6*7 = 1 + 6 + 20 + 42
    a, b = 0x06040201, 0x07050301
    assert _dot(a, b) == 69
    with NegatedLane(SimdDot, 2).applied():
        assert _dot(a, b) == 69 - 2 * 20
    assert _dot(a, b) == 69


def test_faulty_verilog_differs_and_says_so(tmp_path):
    template = load_design("template")
    right = template.write_verilog(tmp_path / "right").read_text()
    wrong = template.with_fault(NegatedLane(SimdDot, 1)).write_verilog(tmp_path / "wrong").read_text()
    assert "DELIBERATELY WRONG" in wrong and "DELIBERATELY WRONG" not in right
    strip = lambda text: "\n".join(l for l in text.splitlines() if not l.startswith("//"))
    assert strip(right) != strip(wrong)
    assert template.write_verilog(tmp_path / "again").read_text() == right
