"""One depth x 32-bit memory per lane (a block RAM each): the stationary operand of the MACs."""
from amaranth.hdl import Module
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .constants import DEFAULT, Geometry


class LaneBuffers(wiring.Component):
    """Write one word of one lane per cycle; read the same address of every lane at once.

    Reads are synchronous: `read_data` holds the words at the `read_addr` of the previous
    cycle in which `read_en` was high, which is when the MAC pipeline wants them.
    """

    def __init__(self, geometry: Geometry = DEFAULT):
        self.geometry = g = geometry
        super().__init__({
            "write_en": In(1),
            "write_lane": In(range(g.lanes)),
            "write_addr": In(g.addr_bits),
            "write_data": In(32),
            "read_en": In(1),
            "read_addr": In(g.addr_bits),
            "read_data": Out(data.ArrayLayout(32, g.lanes)),
        })

    def elaborate(self, platform):
        m = Module()
        for lane in range(self.geometry.lanes):
            m.submodules[f"lane{lane}"] = memory = Memory(shape=32, depth=self.geometry.depth, init=[])
            write = memory.write_port()
            read = memory.read_port()
            m.d.comb += [
                write.en.eq(self.write_en & (self.write_lane == lane)),
                write.addr.eq(self.write_addr),
                write.data.eq(self.write_data),
                read.en.eq(self.read_en),
                read.addr.eq(self.read_addr),
                self.read_data[lane].eq(read.data),
            ]
        return m
