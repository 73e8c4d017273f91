"""cocotb tests of this CFU's generated Verilog against template_model.GoldenModel: the shared
suite (random traffic with gaps and backpressure, back to back at one per cycle, resets)."""
from cfu_bench.design import CocotbSpec, design_tests
from template_model import GoldenModel, exercise, random_commands

SPEC = CocotbSpec(model=GoldenModel, commands=random_commands, exercise=exercise)
globals().update(design_tests(SPEC, __name__))
