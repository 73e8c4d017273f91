"""The dispatcher: routing by funct3, single- and multi-cycle units, units that hold off,
unclaimed funct3 values, and responses held under rsp_ready backpressure."""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from cfu_bench.testing.amaranth_sim import simulate_commands
from cfu_bench.gateware.dispatch import DispatchedCfu, InstructionSignature, SingleCycleInstruction
from cfu_bench.testing import seeds


class Add(SingleCycleInstruction):
    def compute(self, m):
        return self.instr.in0 + self.instr.in1


class SlowXor(wiring.Component):
    """Answers in0 ^ in1 after funct7 + 1 cycles (operands latched at accept)."""
    instr: In(InstructionSignature())

    def elaborate(self, platform):
        m = Module()
        busy = Signal()
        count = Signal(7)
        value = Signal(32)
        m.d.comb += [self.instr.ready.eq(~busy), self.instr.result.eq(value)]
        with m.If(busy):
            with m.If(count == 0):
                m.d.comb += self.instr.done.eq(1)
                m.d.sync += busy.eq(0)
            with m.Else():
                m.d.sync += count.eq(count - 1)
        with m.Elif(self.instr.valid):
            m.d.sync += [busy.eq(1), count.eq(self.instr.funct7), value.eq(self.instr.in0 ^ self.instr.in1)]
        return m


class Reluctant(wiring.Component):
    """Accepts only every fourth cycle; answers a count of accepted commands."""
    instr: In(InstructionSignature())

    def elaborate(self, platform):
        m = Module()
        phase = Signal(2)
        accepted = Signal(32)
        m.d.sync += phase.eq(phase + 1)
        fire = self.instr.valid & (phase == 0)
        m.d.comb += [self.instr.ready.eq(phase == 0), self.instr.done.eq(fire),
                     self.instr.result.eq(accepted + 1)]
        with m.If(fire):
            m.d.sync += accepted.eq(accepted + 1)
        return m


class ThreeUnits(DispatchedCfu):
    def instructions(self, m):
        return {0: Add(), 1: SlowXor(), 5: Reluctant()}


def expected(commands):
    accepted = 0
    out = []
    for funct3, funct7, a, b in commands:
        if funct3 == 0:
            out.append((a + b) & 0xFFFFFFFF)
        elif funct3 == 1:
            out.append(a ^ b)
        elif funct3 == 5:
            accepted += 1
            out.append(accepted)
        else:
            out.append(0)
    return out


def random_commands(rng, n):
    return [(rng.randrange(8), rng.randrange(6), rng.getrandbits(32), rng.getrandbits(32)) for _ in range(n)]


def test_routes_and_answers_in_order():
    commands = random_commands(seeds.rng("test_dispatch", 1), 200)
    assert simulate_commands(ThreeUnits(), commands) == expected(commands)


def test_holds_responses_under_backpressure():
    commands = random_commands(seeds.rng("test_dispatch", 2), 200)
    assert simulate_commands(ThreeUnits(), commands, stall_prob=0.6, seed=3) == expected(commands)


def test_latency():
    latencies = []
    commands = [(0, 0, 1, 2), (1, 0, 3, 4), (1, 5, 3, 4), (6, 0, 0, 0)]
    simulate_commands(ThreeUnits(), commands, latencies=latencies)
    # single-cycle: the cycle after accept; multi-cycle: funct7 + 2; unclaimed: 1
    assert latencies == [1, 2, 7, 1]
