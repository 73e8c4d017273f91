"""Tests of this CFU: the shared design suite (cocotb on the generated Verilog, a wrong-lane
build the cocotb tests must reject, the core in Amaranth's simulator, the C emulation and
kernels against the golden model), plus known values of the instruction set."""
from cfu_bench.design import (AmaranthTests, CocotbTests, EmulationTests, NegatedLane, SimdDot,
                              WrongCfuTests, design_name)
from template_model import ACC, DOT4, SET_OFFSET, GoldenModel, random_commands

DESIGN = design_name(__file__)


class TestTemplate(CocotbTests, WrongCfuTests, AmaranthTests, EmulationTests):
    design = DESIGN
    model = GoldenModel
    commands = staticmethod(random_commands)
    fault = NegatedLane(SimdDot, 1)


def test_known_values():
    model = GoldenModel()
    model.execute(SET_OFFSET, 0, 128, 0)
    # (1+128)*1 + (127+128)*-1 + (-128+128)*-128 + (-128+128)*127
    assert model.execute(DOT4, 0, 0x80807F01, 0x7F80FF01) == (129 - 255) & 0xFFFFFFFF
    assert model.execute(ACC, 1, 0x7FFFFFFF, 0) == 0
    # 0x7fffffff + 4*(1+128) wraps like the 32-bit register
    assert model.execute(ACC, 0, 0x01010101, 0x01010101) == (0x7FFFFFFF + 4 * 129) & 0xFFFFFFFF
