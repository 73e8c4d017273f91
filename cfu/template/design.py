"""A small CFU to start from: a 4-lane int8 dot product with an input offset, and an accumulator.

Instruction set (README.md has the table):
  funct3=0 DOT4        rd = sum_i (rs1.byte[i] + offset) * rs2.byte[i]
  funct3=1 SET_OFFSET  offset = sign-extended rs1[8:0]; rd = 0
  funct3=2 ACC         funct7[0]=0: acc += DOT4(rs1, rs2), rd = new acc
                       funct7[0]=1: acc = rs1, rd = previous acc
All answer one cycle after they are accepted, so the CPU never stalls on them.
"""
from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib.wiring import In, Out

from cfu_bench.design import Accumulator, DispatchedCfu, SimdDot, SingleCycleInstruction

DOT4, SET_OFFSET, ACC = 0, 1, 2
OFFSET_WIDTH = 9   # TFLite input offsets are -zero_point, in [-127, 128]


class Dot4(SingleCycleInstruction):
    def __init__(self):
        super().__init__({"offset": In(signed(OFFSET_WIDTH))})

    def compute(self, m):
        m.submodules.dot = dot = SimdDot(4, OFFSET_WIDTH)
        m.d.comb += [dot.a.eq(self.instr.in0), dot.b.eq(self.instr.in1), dot.offset.eq(self.offset)]
        return dot.result


class SetOffset(SingleCycleInstruction):
    def __init__(self):
        super().__init__({"offset": Out(signed(OFFSET_WIDTH))})

    def compute(self, m):
        with m.If(self.accepted):
            m.d.sync += self.offset.eq(self.instr.in0[:OFFSET_WIDTH].as_signed())
        return 0


class Accumulate(SingleCycleInstruction):
    def __init__(self):
        super().__init__({"offset": In(signed(OFFSET_WIDTH))})

    def compute(self, m):
        m.submodules.dot = dot = SimdDot(4, OFFSET_WIDTH)
        m.submodules.acc = acc = Accumulator()
        load = self.instr.funct7[0]
        m.d.comb += [
            dot.a.eq(self.instr.in0), dot.b.eq(self.instr.in1), dot.offset.eq(self.offset),
            acc.add.eq(self.accepted & ~load), acc.addend.eq(dot.result),
            acc.load.eq(self.accepted & load), acc.load_value.eq(self.instr.in0),
        ]
        result = Signal(32)
        m.d.comb += result.eq(Mux(load, acc.value, acc.next))
        return result


class StarterCfu(DispatchedCfu):
    def instructions(self, m):
        set_offset = SetOffset()
        dot4 = Dot4()
        acc = Accumulate()
        m.d.comb += [dot4.offset.eq(set_offset.offset), acc.offset.eq(set_offset.offset)]
        return {DOT4: dot4, SET_OFFSET: set_offset, ACC: acc}


def make_cfu():
    return StarterCfu()
