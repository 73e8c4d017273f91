"""The lanes x 4 int8 multiplier array, its accumulators and the commit snapshot.

Pipeline of one MAC (issue cycle F):
  F    the engine presents the command; the lane buffers read the word at the read pointer
  F+1  operands are chosen by mode and the 32 products (10 x 8 bits) are registered
  F+2  each lane adds its 4 products to its accumulator; with COMMIT the total goes to the
       snapshot (for the requantizer) and the accumulator restarts at 0
Modes (which operand comes from where):
  CONV  lane l: sum_b (rs1.b[b] + offset) * buffer[l].b[b]       (4 x 8 = 32 MACs)
  DW    lane l < 8: ({rs2, rs1}.b[l] + offset) * buffer[l].b[0]  (one MAC per channel;
        with 4 lanes rs2 is unused, with 16 lanes 8..15 add nothing)
  FC    lanes 2p, 2p+1: sum_b (buffer[0].b[b] + offset) * rs1.b[b] / rs2.b[b]  (8 MACs)
  NOMAC no products (a COMMIT on its own)
"""
from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .constants import BYTES, CONV, DEFAULT, DW, FC, OFFSET_WIDTH, Geometry

OPERAND = signed(OFFSET_WIDTH + 1)      # int8 + offset
PRODUCT = signed(OFFSET_WIDTH + 1 + 8)


def _byte(word, i):
    return word[8 * i:8 * i + 8].as_signed()


class MacArray(wiring.Component):
    def __init__(self, geometry: Geometry = DEFAULT):
        self.geometry = g = geometry
        LANES, BLOCK_BITS = g.lanes, g.block_bits
        super().__init__({
            "issue": In(1),
            "mode": In(2),
            "commit": In(1),
            "pair": In(g.pair_bits),
            "block": In(BLOCK_BITS),
            "slot": In(1),
            "in0": In(32),
            "in1": In(32),
            "lane_words": In(data.ArrayLayout(32, LANES)),   # valid the cycle after issue
            "offset": In(signed(OFFSET_WIDTH)),
            "clear": In(1),
            "snapshot_valid": Out(1),
            "snapshot": Out(data.ArrayLayout(signed(32), LANES)),
            "snapshot_block": Out(BLOCK_BITS),
            "snapshot_slot": Out(1),
            "busy": Out(1),
            "commit_pending": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        g = self.geometry
        LANES, BLOCK_BITS = g.lanes, g.block_bits

        # Stage 1: the command, one cycle later, next to the buffer words.
        s1_valid = Signal()
        s1_mode = Signal(2)
        s1_commit = Signal()
        s1_pair = Signal(g.pair_bits)
        s1_block = Signal(BLOCK_BITS)
        s1_slot = Signal()
        s1_in0 = Signal(32)
        s1_in1 = Signal(32)
        m.d.sync += s1_valid.eq(self.issue)
        with m.If(self.issue):
            m.d.sync += [s1_mode.eq(self.mode), s1_commit.eq(self.commit), s1_pair.eq(self.pair),
                         s1_block.eq(self.block), s1_slot.eq(self.slot),
                         s1_in0.eq(self.in0), s1_in1.eq(self.in1)]

        s2_valid = Signal()
        s2_commit = Signal()
        s2_block = Signal(BLOCK_BITS)
        s2_slot = Signal()
        m.d.sync += [s2_valid.eq(s1_valid), s2_commit.eq(s1_valid & s1_commit),
                     s2_block.eq(s1_block), s2_slot.eq(s1_slot)]

        activations8 = Cat(s1_in0, s1_in1)
        products = [[Signal(PRODUCT, name=f"product_l{lane}_b{b}") for b in range(BYTES)]
                    for lane in range(LANES)]
        for lane in range(LANES):
            word = self.lane_words[lane]
            fc_weights = s1_in1 if lane % 2 else s1_in0
            for b in range(BYTES):
                a = Signal(OPERAND, name=f"a_l{lane}_b{b}")
                w = Signal(signed(8), name=f"w_l{lane}_b{b}")
                with m.Switch(s1_mode):
                    with m.Case(CONV):
                        m.d.comb += [a.eq(_byte(s1_in0, b) + self.offset), w.eq(_byte(word, b))]
                    with m.Case(DW):
                        if lane < g.dw_lanes:
                            if b == 0:
                                m.d.comb += a.eq(_byte(activations8, lane) + self.offset)
                            m.d.comb += w.eq(_byte(word, b))
                    with m.Case(FC):
                        m.d.comb += [
                            a.eq(_byte(self.lane_words[0], b) + self.offset),
                            w.eq(Mux(s1_pair == lane // 2, _byte(fc_weights, b), 0)),
                        ]
                m.d.sync += products[lane][b].eq(self.lane_product(lane, a, w))

        # Stage 2: accumulate, or hand the total to the requantizer.
        acc = [Signal(signed(32), name=f"acc{lane}") for lane in range(LANES)]
        for lane in range(LANES):
            total = Signal(signed(32), name=f"total{lane}")
            m.d.comb += total.eq(acc[lane] + sum(products[lane]))
            with m.If(s2_valid):
                with m.If(s2_commit):
                    m.d.sync += [self.snapshot[lane].eq(total), acc[lane].eq(0)]
                with m.Else():
                    m.d.sync += acc[lane].eq(total)
            with m.If(self.clear):
                m.d.sync += acc[lane].eq(0)
        m.d.sync += self.snapshot_valid.eq(s2_valid & s2_commit)
        with m.If(s2_valid & s2_commit):
            m.d.sync += [self.snapshot_block.eq(s2_block), self.snapshot_slot.eq(s2_slot)]

        m.d.comb += [
            self.busy.eq(s1_valid | s2_valid | self.snapshot_valid),
            self.commit_pending.eq((s1_valid & s1_commit) | s2_commit | self.snapshot_valid),
        ]
        return m

    def lane_product(self, lane: int, a, w):
        """One multiplier of `lane`: the one place a lane's arithmetic is written, which is
        also where testing-side fault injection (cfu_bench.testing.faults) reaches it."""
        return a * w
