"""cocotb tests of the baseline CFU's generated Verilog: it answers every instruction with 0,
one per cycle, holds a response under backpressure and survives resets."""
from cfu_bench.design import CocotbSpec, design_tests
from none_model import GoldenModel, exercise, random_commands

SPEC = CocotbSpec(model=GoldenModel, commands=random_commands, exercise=exercise,
                  random_commands=1000)
globals().update(design_tests(SPEC, __name__))
