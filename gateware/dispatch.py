"""Instruction dispatch: one unit per funct3, one command in flight, registered responses.

Handshake between the dispatcher and a unit (`InstructionSignature`, dispatcher's view):

* `valid` offers the current command to the unit (its funct3 matched, the CFU can issue);
  `funct7`, `in0`, `in1` are only meaningful while `valid` is high.
* The unit raises `ready` when it can take a command now; `valid & ready` is the accept.
  A unit that must wait (a hazard) keeps `ready` low and the CPU stalls in front of it.
* The unit raises `done` with `result` once per accepted command: in the accept cycle
  itself (single-cycle instruction) or any later cycle (multi-cycle instruction; latch the
  operands at accept, they are gone afterwards).

The response goes through one register, so a single-cycle instruction answers one cycle
after it is accepted; that is what VexRiscv's CfuPlugin (stageCount=1) collects without a
stall, so back-to-back single-cycle instructions issue one per cycle. A response waiting on
`rsp.ready` holds back the next command. Unclaimed funct3 values answer 0 at once so that a
stray instruction never hangs the CPU.
"""
from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .port import CfuSignature

FUNCT3_COUNT = 8


class InstructionSignature(wiring.Signature):
    def __init__(self):
        super().__init__({
            "valid": Out(1),
            "funct7": Out(7),
            "in0": Out(32),
            "in1": Out(32),
            "ready": In(1),
            "done": In(1),
            "result": In(32),
        })


class Dispatcher(wiring.Component):
    """Routes commands to the units of the funct3 values in `claimed`; see the module doc."""

    def __init__(self, claimed):
        self.claimed = sorted(set(claimed))
        if any(not 0 <= f < FUNCT3_COUNT for f in self.claimed):
            raise ValueError(f"funct3 values must be 0..7, got {self.claimed}")
        members = dict(CfuSignature().members)
        for f in self.claimed:
            members[f"unit{f}"] = Out(InstructionSignature())
        super().__init__(members)

    def unit(self, funct3):
        return getattr(self, f"unit{funct3}")

    def elaborate(self, platform):
        m = Module()
        payload = self.cmd.payload
        funct3 = payload.function_id.funct3

        busy = Signal()              # accepted, waiting for the unit's `done`
        active = Signal(3)           # funct3 of that command
        rsp_valid = Signal()
        rsp_data = Signal(32)
        m.d.comb += [self.rsp.valid.eq(rsp_valid), self.rsp.payload.eq(rsp_data)]

        can_issue = Signal()
        m.d.comb += can_issue.eq(~busy & (~rsp_valid | self.rsp.ready))

        accept_ready = Signal(init=1)   # unclaimed funct3: accept and answer 0
        done_now = Signal(init=1)
        result_now = Signal(32)
        for f in self.claimed:
            unit = self.unit(f)
            m.d.comb += [
                unit.valid.eq(self.cmd.valid & can_issue & (funct3 == f)),
                unit.funct7.eq(payload.function_id.funct7),
                unit.in0.eq(payload.inputs_0),
                unit.in1.eq(payload.inputs_1),
            ]
            with m.If(funct3 == f):
                m.d.comb += [accept_ready.eq(unit.ready), done_now.eq(unit.done),
                             result_now.eq(unit.result)]
        m.d.comb += self.cmd.ready.eq(can_issue & accept_ready)
        fire = self.cmd.valid & self.cmd.ready

        done_later = Signal()
        result_later = Signal(32)
        for f in self.claimed:
            with m.If(active == f):
                m.d.comb += [done_later.eq(self.unit(f).done), result_later.eq(self.unit(f).result)]

        with m.If(rsp_valid & self.rsp.ready):
            m.d.sync += rsp_valid.eq(0)
        with m.If(busy):
            with m.If(done_later):
                m.d.sync += [busy.eq(0), rsp_valid.eq(1), rsp_data.eq(result_later)]
        with m.Elif(fire):
            with m.If(done_now):
                m.d.sync += [rsp_valid.eq(1), rsp_data.eq(result_now)]
            with m.Else():
                m.d.sync += [busy.eq(1), active.eq(funct3)]
        return m


class DispatchedCfu(wiring.Component):
    """Base for a CFU built from instruction units.

    Subclasses implement `instructions(m)`, returning {funct3: unit}; memory=True adds the
    `mem` read master (`port.MemoryReadSignature`), which `instructions` connects. A unit is either a
    Component with an `instr: In(InstructionSignature())` member (added to `m` here), or an
    `In(InstructionSignature())` interface of a component the subclass added to `m` itself
    (one engine serving several funct3 values). `instructions` may add shared state to `m`.
    """

    def __init__(self, memory: bool = False):
        super().__init__(CfuSignature(memory=memory))

    def instructions(self, m: Module) -> dict:
        raise NotImplementedError

    def elaborate(self, platform):
        m = Module()
        units = self.instructions(m)
        m.submodules.dispatcher = dispatcher = Dispatcher(units.keys())
        m.d.comb += [
            dispatcher.cmd.valid.eq(self.cmd.valid),
            dispatcher.cmd.payload.eq(self.cmd.payload),
            self.cmd.ready.eq(dispatcher.cmd.ready),
            self.rsp.valid.eq(dispatcher.rsp.valid),
            self.rsp.payload.eq(dispatcher.rsp.payload),
            dispatcher.rsp.ready.eq(self.rsp.ready),
        ]
        for funct3, unit in units.items():
            if isinstance(unit, wiring.Component):
                m.submodules[f"funct3_{funct3}"] = unit
                unit = unit.instr
            wiring.connect(m, dispatcher.unit(funct3), unit)
        return m


class SingleCycleInstruction(wiring.Component):
    """A unit that always accepts and answers in the accept cycle.

    Subclasses add their own members and implement `compute(m) -> result` (combinational
    from `self.instr.in0/in1/funct7`); state updates go under `with m.If(self.accepted):`.
    """

    def __init__(self, members=None):
        super().__init__({"instr": In(InstructionSignature()), **(members or {})})
        self.accepted = Signal()

    def compute(self, m: Module):
        raise NotImplementedError

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [
            self.instr.ready.eq(1),
            self.accepted.eq(self.instr.valid),
            self.instr.done.eq(self.instr.valid),
            self.instr.result.eq(self.compute(m)),
        ]
        return m
