"""SIMD multiply-accumulate over packed signed bytes."""
from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


def dot_width(lanes: int, offset_width: int) -> int:
    operand = max(8, offset_width) + 1          # a_i + offset, signed
    product = operand + 8
    return product + (lanes - 1).bit_length()


class SimdDot(wiring.Component):
    """result = sum over i of (a[i] + offset) * b[i], a and b packed signed bytes (lane 0 lowest).

    Combinational. The offset is TFLite's input offset (minus the zero point), added to the
    activations before multiplying, which is how the reference kernels fold zero points in.
    """

    def __init__(self, lanes: int = 4, offset_width: int = 9):
        self.lanes = lanes
        super().__init__({
            "a": In(8 * lanes),
            "b": In(8 * lanes),
            "offset": In(signed(offset_width)),
            "result": Out(signed(dot_width(lanes, offset_width))),
        })

    def elaborate(self, platform):
        m = Module()
        products = []
        for i in range(self.lanes):
            a = self.a[8 * i:8 * i + 8].as_signed()
            b = self.b[8 * i:8 * i + 8].as_signed()
            p = Signal(signed(len(self.result)), name=f"product{i}")
            m.d.comb += p.eq(self.lane_product(i, a + self.offset, b))
            products.append(p)
        m.d.comb += self.result.eq(sum(products))
        return m

    def lane_product(self, lane: int, a, b):
        """One lane's product: the one place a lane's arithmetic is written, which is also
        where testing-side fault injection (cfu_bench.testing.faults) reaches it."""
        return a * b
