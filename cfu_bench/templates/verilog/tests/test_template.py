"""Tests of this plain-Verilog CFU: the shared design suite's parts that apply to Verilog
(cocotb on cfu.v against the golden model, the C emulation and kernels against the model),
plus known values of the instruction set."""
from cfu_bench.design import CocotbTests, EmulationTests, design_name
from template_model import ACC, DOT4, SET_OFFSET, GoldenModel, random_commands

DESIGN = design_name(__file__)


class TestTemplate(CocotbTests, EmulationTests):
    design = DESIGN
    model = GoldenModel
    commands = staticmethod(random_commands)


def test_known_values():
    model = GoldenModel()
    model.execute(SET_OFFSET, 0, 128, 0)
    assert model.execute(DOT4, 0, 0x80807F01, 0x7F80FF01) == (129 - 255) & 0xFFFFFFFF
    assert model.execute(ACC, 1, 0x7FFFFFFF, 0) == 0
    assert model.execute(ACC, 0, 0x01010101, 0x01010101) == (0x7FFFFFFF + 4 * 129) & 0xFFFFFFFF
