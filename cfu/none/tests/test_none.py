"""The baseline CFU: the shared design suite (cocotb on its Verilog, the core in Amaranth's
simulator). It has no lanes to get wrong and no kernels to emulate."""
from cfu_bench.design import AmaranthTests, CocotbTests, design_name
from none_model import GoldenModel, random_commands


class TestNone(CocotbTests, AmaranthTests):
    design = design_name(__file__)
    model = GoldenModel
    commands = staticmethod(random_commands)
