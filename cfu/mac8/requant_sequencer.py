"""Requantizing a committed block of `lanes` accumulators into a slot of int8 outputs.

One shared Requantizer (4 DSPs for its 32 x 32 product) takes the lanes one per cycle, so a
commit keeps it busy for `lanes` cycles plus its pipeline; meanwhile the CPU streams the next
pixel. Two output slots let the CPU read one pixel's outputs while the next is computed.
`reserve` marks a slot busy as soon as a commit is accepted, so a READ issued right after
waits for the right data; the slot is free again once its last lane's value is written.
"""
from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from cfu_bench.design import Requantizer, SHIFT_WIDTH

from .constants import (CHANNEL_BITS, CHANNELS, DEFAULT, OUTPUT_OFFSET_WIDTH, P_BIAS, P_MULTIPLIER,
                        P_SHIFT, Geometry)


class RequantSequencer(wiring.Component):
    def __init__(self, geometry: Geometry = DEFAULT):
        self.geometry = g = geometry
        LANES, BLOCK_BITS = g.lanes, g.block_bits
        super().__init__({
            # A commit: `values` must hold still while `feeding` is high.
            "start": In(1),
            "values": In(data.ArrayLayout(signed(32), LANES)),
            "block": In(BLOCK_BITS),
            "slot": In(1),
            "reserve": In(1),
            "reserve_slot": In(1),
            # Per-channel parameters, written by SETPARAM.
            "param_write": In(1),
            "param_select": In(2),
            "param_channel": In(CHANNEL_BITS),
            "param_value": In(signed(32)),
            # Layer constants.
            "output_offset": In(signed(OUTPUT_OFFSET_WIDTH)),
            "act_min": In(signed(8)),
            "act_max": In(signed(8)),
            # Output slots.
            "read_slot": In(1),
            "read_word": In(g.read_word_bits),
            "read_data": Out(32),
            "slot_busy": Out(2),
            "feeding": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        g = self.geometry
        LANES, BLOCK_BITS, LANE_BITS = g.lanes, g.block_bits, g.lane_bits

        memories = {}
        for which, name, shape in ((P_BIAS, "bias", signed(32)), (P_MULTIPLIER, "multiplier", signed(32)),
                                   (P_SHIFT, "shift", signed(SHIFT_WIDTH))):
            m.submodules[name] = memory = Memory(shape=shape, depth=CHANNELS, init=[])
            write = memory.write_port()
            value = self.param_value
            if which == P_SHIFT:
                value = Mux(value < -31, -31, Mux(value > 31, 31, value))
            m.d.comb += [write.en.eq(self.param_write & (self.param_select == which)),
                         write.addr.eq(self.param_channel), write.data.eq(value)]
            memories[name] = memory.read_port()

        # Issue: one lane per cycle reads its parameters.
        issuing = Signal()
        lane = Signal(LANE_BITS)
        block = Signal(BLOCK_BITS)
        slot = Signal()
        with m.If(self.start):
            m.d.sync += [issuing.eq(1), lane.eq(0), block.eq(self.block), slot.eq(self.slot)]
        with m.Elif(issuing):
            m.d.sync += lane.eq(lane + 1)
            with m.If(lane == LANES - 1):
                m.d.sync += issuing.eq(0)
        for port in memories.values():
            m.d.comb += [port.en.eq(issuing), port.addr.eq(Cat(lane, block))]

        # Feed: parameters arrive a cycle later, next to that lane's accumulator.
        feed_valid = Signal()
        feed_lane = Signal(LANE_BITS)
        feed_slot = Signal()
        m.d.sync += [feed_valid.eq(issuing), feed_lane.eq(lane), feed_slot.eq(slot)]
        m.submodules.requantizer = rq = Requantizer(tag_width=LANE_BITS + 1)
        m.d.comb += [
            rq.valid.eq(feed_valid),
            rq.acc.eq(self.values[feed_lane]),
            rq.bias.eq(memories["bias"].data),
            rq.multiplier.eq(memories["multiplier"].data),
            rq.shift.eq(memories["shift"].data),
            rq.output_offset.eq(self.output_offset),
            rq.act_min.eq(self.act_min),
            rq.act_max.eq(self.act_max),
            rq.tag.eq(Cat(feed_lane, feed_slot)),
            self.feeding.eq(self.start | issuing | feed_valid),
        ]

        # Collect: the slot travels in the tag, as the next commit may start meanwhile.
        outputs = [[Signal(signed(8), name=f"out_s{s}_l{l}") for l in range(LANES)] for s in range(2)]
        out_lane = rq.out_tag[:LANE_BITS]
        out_slot = rq.out_tag[LANE_BITS]
        for s in range(2):
            for l in range(LANES):
                with m.If(rq.out_valid & (out_slot == s) & (out_lane == l)):
                    m.d.sync += outputs[s][l].eq(rq.out_value)
            with m.If(rq.out_valid & (out_slot == s) & (out_lane == LANES - 1)):
                m.d.sync += self.slot_busy[s].eq(0)
            with m.If(self.reserve & (self.reserve_slot == s)):
                m.d.sync += self.slot_busy[s].eq(1)

        # Words past the last lane (word 1 with 4 lanes) read as zero.
        with m.Switch(Cat(self.read_word, self.read_slot)):
            for s in range(2):
                for word in range(g.read_words):
                    with m.Case(word | (s << g.read_word_bits)):
                        m.d.comb += self.read_data.eq(Cat(*outputs[s][4 * word:4 * word + 4]))
        return m
