"""mac8: a weight-stationary int8 MAC engine (8 lanes by default; 4 or 16 as a parameter)
for CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, with TFLite-exact requantization in
hardware.

The weights of `lanes` output channels live in the CFU (one `depth`-word buffer per lane);
the CPU streams activation words and every MAC instruction does up to 4 x lanes
multiply-accumulates with the input offset folded in. A COMMIT hands the accumulators to a
pipelined requantizer
(per-channel bias, multiplier and shift from an on-chip table, output offset, clamp) whose
int8 results the CPU reads back packed 4 per word. WLOAD fetch has the CFU read weights from
main memory itself, over its own bus master. README.md has the instruction set.
"""
from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from cfu_bench.design import DispatchedCfu, InstructionSignature, MemoryReadSignature

from .constants import (C_OFFSETS, CHANNEL_BITS, CLEAR, COMMIT_BIT, CONFIG, DEFAULT, ID, MAC, NOMAC,
                        OFFSET_WIDTH, OUTPUT_OFFSET_WIDTH, READ, SETPARAM, SETPTR, W_DIRECT, W_SETUP,
                        W_FETCH, W_STREAM, WLOAD, Geometry)
from .lane_buffers import LaneBuffers
from .mac_array import MacArray
from .requant_sequencer import RequantSequencer

PORTS = {MAC: "mac", SETPTR: "setptr", WLOAD: "wload", READ: "read", SETPARAM: "setparam",
         CONFIG: "config", CLEAR: "clear", ID: "info"}


class Mac8Engine(wiring.Component):
    """All mac8 state, with one instruction port per funct3 and the memory read master."""

    def __init__(self, geometry: Geometry = DEFAULT):
        self.geometry = geometry
        super().__init__({**{name: In(InstructionSignature()) for name in PORTS.values()},
                          "mem": Out(MemoryReadSignature())})

    def elaborate(self, platform):
        m = Module()
        g = self.geometry
        ADDR_BITS, BLOCK_BITS, LANES = g.addr_bits, g.block_bits, g.lanes
        m.submodules.buffers = buffers = LaneBuffers(g)
        m.submodules.array = array = MacArray(g)
        m.submodules.requant = requant = RequantSequencer(g)

        input_offset = Signal(signed(OFFSET_WIDTH))
        output_offset = Signal(signed(OUTPUT_OFFSET_WIDTH))
        act_min = Signal(signed(8), init=-128)
        act_max = Signal(signed(8), init=127)
        rptr = Signal(ADDR_BITS)
        block = Signal(BLOCK_BITS)
        pair = Signal(g.pair_bits)
        write_slot = Signal()

        m.d.comb += [
            array.lane_words.eq(buffers.read_data),
            array.offset.eq(input_offset),
            requant.start.eq(array.snapshot_valid),
            requant.values.eq(array.snapshot),
            requant.block.eq(array.snapshot_block),
            requant.slot.eq(array.snapshot_slot),
            requant.output_offset.eq(output_offset),
            requant.act_min.eq(act_min),
            requant.act_max.eq(act_max),
        ]
        # Instructions that change what in-flight work uses wait until nothing is in flight.
        idle = Signal()
        m.d.comb += idle.eq(~array.busy & ~requant.slot_busy.any())

        def single_cycle(port, ready=1, result=0):
            m.d.comb += [port.ready.eq(ready), port.done.eq(port.valid & ready), port.result.eq(result)]
            return port.valid & ready

        # MAC: one per cycle; a COMMIT waits while the previous commit is being requantized.
        mac = self.mac
        mode = mac.funct7[:2]
        commit = mac.funct7[COMMIT_BIT]
        mac_fire = single_cycle(mac, ready=~(commit & (array.commit_pending | requant.feeding)))
        m.d.comb += [
            array.issue.eq(mac_fire), array.mode.eq(mode), array.commit.eq(commit),
            array.pair.eq(pair), array.block.eq(block), array.slot.eq(write_slot),
            array.in0.eq(mac.in0), array.in1.eq(mac.in1),
            buffers.read_en.eq(mac_fire), buffers.read_addr.eq(rptr),
            requant.reserve.eq(mac_fire & commit), requant.reserve_slot.eq(write_slot),
        ]
        with m.If(mac_fire):
            with m.If(mode != NOMAC):
                m.d.sync += rptr.eq(rptr + 1)
            with m.If(commit):
                m.d.sync += write_slot.eq(~write_slot)

        # SETPTR
        with m.If(single_cycle(self.setptr)):
            m.d.sync += [rptr.eq(self.setptr.in0[:ADDR_BITS]), block.eq(self.setptr.in1[:BLOCK_BITS]),
                         pair.eq(self.setptr.in1[8:8 + g.pair_bits])]

        # WLOAD: auto-incrementing stream (row by row, lane by lane), setup, direct write, or
        # fetch: the same stream fed from main memory by the CFU's own reads, one word per
        # bus answer, the instruction answering after the last word (the CPU waits on it).
        wload = self.wload
        op = wload.funct7[:2]
        mem = self.mem
        fetching = Signal()
        fetch_adr = Signal(30)
        fetch_left = Signal(32)
        fetch_word = Signal()
        m.d.comb += [mem.cyc.eq(fetching), mem.stb.eq(fetching), mem.adr.eq(fetch_adr),
                     fetch_word.eq(fetching & (mem.ack | mem.err))]
        accept = wload.valid & ~fetching
        starts_fetch = (op == W_FETCH) & (wload.in1 != 0)
        m.d.comb += [wload.ready.eq(~fetching),
                     wload.done.eq((accept & ~starts_fetch) | (fetch_word & (fetch_left == 1))),
                     wload.result.eq(0)]
        with m.If(accept & starts_fetch):
            m.d.sync += [fetching.eq(1), fetch_adr.eq(wload.in0[2:]), fetch_left.eq(wload.in1)]
        with m.If(fetch_word):
            m.d.sync += [fetch_adr.eq(fetch_adr + 1), fetch_left.eq(fetch_left - 1)]
            with m.If(fetch_left == 1):
                m.d.sync += fetching.eq(0)

        wbase = Signal(ADDR_BITS)
        wword = Signal(ADDR_BITS)
        wcount = Signal(ADDR_BITS)
        wlast = Signal(ADDR_BITS)
        wlane = Signal(range(LANES))
        m.d.comb += buffers.write_data.eq(Mux(fetching, mem.dat_r, wload.in0))
        with m.If(accept & (op == W_DIRECT)):
            m.d.comb += [buffers.write_lane.eq(wload.in1[ADDR_BITS:ADDR_BITS + g.lane_bits]),
                         buffers.write_addr.eq(wload.in1[:ADDR_BITS])]
        with m.Else():
            m.d.comb += [buffers.write_lane.eq(wlane), buffers.write_addr.eq(wword)]
        advance = (accept & (op == W_STREAM)) | fetch_word
        m.d.comb += buffers.write_en.eq(advance | (accept & (op == W_DIRECT)))
        with m.If(advance):
            with m.If(wcount == wlast):
                m.d.sync += [wcount.eq(0), wword.eq(wbase), wlane.eq(wlane + 1)]
            with m.Else():
                m.d.sync += [wcount.eq(wcount + 1), wword.eq(wword + 1)]
        with m.If(accept & (op == W_SETUP)):
            m.d.sync += [wbase.eq(wload.in0[:ADDR_BITS]), wword.eq(wload.in0[:ADDR_BITS]),
                         wlast.eq(wload.in1 - 1), wcount.eq(0), wlane.eq(0)]

        # READ: answers at once if the slot is done, otherwise when it is.
        read = self.read
        waiting = Signal()
        W = g.read_word_bits
        wanted = Signal(W + 1)       # {slot, word}
        select = Mux(waiting, wanted, read.in0[:W + 1])
        m.d.comb += [requant.read_word.eq(select[:W]), requant.read_slot.eq(select[W]),
                     read.ready.eq(1), read.result.eq(requant.read_data)]
        slot_ready = ~requant.slot_busy.bit_select(select[W], 1)
        with m.If(waiting):
            m.d.comb += read.done.eq(slot_ready)
            with m.If(slot_ready):
                m.d.sync += waiting.eq(0)
        with m.Elif(read.valid):
            m.d.comb += read.done.eq(slot_ready)
            with m.If(~slot_ready):
                m.d.sync += [waiting.eq(1), wanted.eq(read.in0[:W + 1])]

        # SETPARAM
        with m.If(single_cycle(self.setparam, ready=idle)):
            m.d.comb += requant.param_write.eq(1)
        m.d.comb += [requant.param_select.eq(self.setparam.funct7[:2]),
                     requant.param_channel.eq(self.setparam.in1[:CHANNEL_BITS]),
                     requant.param_value.eq(self.setparam.in0)]

        # CONFIG
        config = self.config
        with m.If(single_cycle(config, ready=idle)):
            with m.If(config.funct7[0] == C_OFFSETS):
                m.d.sync += [input_offset.eq(config.in0[:OFFSET_WIDTH].as_signed()),
                             output_offset.eq(config.in1[:OUTPUT_OFFSET_WIDTH].as_signed())]
            with m.Else():
                m.d.sync += [act_min.eq(config.in0[:8].as_signed()), act_max.eq(config.in1[:8].as_signed())]

        # CLEAR
        with m.If(single_cycle(self.clear, ready=idle)):
            m.d.comb += array.clear.eq(1)
            m.d.sync += write_slot.eq(0)

        single_cycle(self.info, result=g.info)
        return m


class Mac8Cfu(DispatchedCfu):
    def __init__(self, geometry: Geometry = DEFAULT):
        self.geometry = geometry
        super().__init__(memory=True)

    def instructions(self, m):
        m.submodules.engine = engine = Mac8Engine(self.geometry)
        wiring.connect(m, wiring.flipped(self.mem), engine.mem)
        return {funct3: getattr(engine, name) for funct3, name in PORTS.items()}


def make_cfu(lanes: int = 8, depth: int = 512):
    """lanes: output channels at once (4, 8 or 16); depth: words per lane buffer (a power of
    two, 64 to 4096). The defaults are the design as measured in README.md."""
    return Mac8Cfu(Geometry(lanes=lanes, depth=depth))


def kernel_defines(lanes: int = 8, depth: int = 512) -> dict:
    """The C kernels' build-time constants for these parameters (mac8_emu.h)."""
    Geometry(lanes=lanes, depth=depth)
    return {"MAC8_LANES": lanes, "MAC8_DEPTH": depth}
