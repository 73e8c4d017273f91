"""The baseline: a CFU that accelerates nothing.

It is still a real CFU so that the CPU, bus and timing of the baseline SoC are identical to
the accelerated builds; the baseline firmware never issues a CFU instruction. Every
instruction answers 0 one cycle after it is accepted.
"""
from cfu_bench.design import DispatchedCfu


class NoCfu(DispatchedCfu):
    def instructions(self, m):
        return {}


def make_cfu():
    return NoCfu()
