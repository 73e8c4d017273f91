"""A wrapping 32-bit accumulator register."""
from amaranth.hdl import Module, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


class Accumulator(wiring.Component):
    """value <- load ? load_value : value + addend (when add), wrapping like C int32.

    `next` is the value the register takes at the next edge, so an instruction can return
    the updated total in the same cycle it is accepted.
    """

    def __init__(self, width: int = 32, addend_width: int = 32):
        super().__init__({
            "add": In(1),
            "addend": In(signed(addend_width)),
            "load": In(1),
            "load_value": In(signed(width)),
            "value": Out(signed(width)),
            "next": Out(signed(width)),
        })

    def elaborate(self, platform):
        m = Module()
        with m.If(self.load):
            m.d.comb += self.next.eq(self.load_value)
        with m.Elif(self.add):
            m.d.comb += self.next.eq(self.value + self.addend)
        with m.Else():
            m.d.comb += self.next.eq(self.value)
        m.d.sync += self.value.eq(self.next)
        return m
