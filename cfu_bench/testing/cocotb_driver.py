"""A CPU-like cocotb driver for the `Cfu` port, checking every response against a golden model.

The golden model has `reset()` and `execute(funct3, funct7, in0, in1) -> expected 32-bit
result`; it executes a command when the CFU accepts it, the order in which a CPU would see
side effects. `cocotb_suite` builds the tests every design runs on top of this driver.

The driver behaves like VexRiscv's CfuPlugin: it may offer the next command before the
previous response has been taken, holds `cmd_valid` until accepted, and drives `rsp_ready`
freely. It also checks the handshake: no response without an outstanding command, and a
response held until taken.
"""
import random
from collections import deque
from dataclasses import dataclass

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from .cocotb_memory import MemoryResponder, has_memory_port

CLOCK_NS = 10


@dataclass
class Command:
    funct3: int
    funct7: int
    in0: int
    in1: int

    def __str__(self):
        return f"(funct3={self.funct3} funct7={self.funct7} in0={self.in0:#010x} in1={self.in1:#010x})"


@dataclass
class RunStats:
    cycles: int = 0
    commands: int = 0
    responses: int = 0
    resets: int = 0
    values: list = None        # every response, in order (those lost to a reset excluded)


class CfuDriver:
    def __init__(self, dut, model, rng: random.Random):
        self.dut = dut
        self.model = model
        self.rng = rng
        self._clock_started = False

    async def start(self):
        if not self._clock_started:
            cocotb.start_soon(Clock(self.dut.clk, CLOCK_NS, unit="ns").start())
            if has_memory_port(self.dut):
                MemoryResponder(self.dut, random.Random(self.rng.getrandbits(32))).start()
            self._clock_started = True
        self._idle_inputs()
        await self.reset()

    def _idle_inputs(self):
        d = self.dut
        d.cmd_valid.value = 0
        d.cmd_payload_function_id.value = 0
        d.cmd_payload_inputs_0.value = 0
        d.cmd_payload_inputs_1.value = 0
        d.rsp_ready.value = 1

    async def reset(self, cycles: int = 2):
        self.dut.reset.value = 1
        self.dut.cmd_valid.value = 0
        for _ in range(cycles):
            await RisingEdge(self.dut.clk)
        self.dut.reset.value = 0
        self.model.reset()

    def _drive(self, cmd: Command):
        d = self.dut
        d.cmd_valid.value = 1
        d.cmd_payload_function_id.value = (cmd.funct7 << 3) | cmd.funct3
        d.cmd_payload_inputs_0.value = cmd.in0 & 0xFFFFFFFF
        d.cmd_payload_inputs_1.value = cmd.in1 & 0xFFFFFFFF

    async def run(self, commands, *, gap_prob=0.0, stall_prob=0.0, reset_after: int | None = None,
                  max_cycles_per_command=2000) -> RunStats:
        """Issue `commands`, check every response, with optional idle gaps and rsp_ready
        stalls. reset_after=k: once k commands have been accepted, reset the CFU while work is
        still in flight (as a CPU reset would) and abandon the rest of the commands."""
        d, rng = self.dut, self.rng
        commands = [c if isinstance(c, Command) else Command(*c) for c in commands]
        stats = RunStats(values=[])
        expected = deque()           # (command, expected result) per accepted command
        index = 0
        offering = False
        held = None                  # (payload) of a response left waiting last cycle
        budget = max_cycles_per_command * (len(commands) + 1)

        while index < len(commands) or expected or offering:
            if not offering and index < len(commands) and rng.random() >= gap_prob:
                self._drive(commands[index])
                offering = True
            elif not offering:
                d.cmd_valid.value = 0
            ready = rng.random() >= stall_prob
            d.rsp_ready.value = int(ready)

            await ReadOnly()
            stats.cycles += 1
            if stats.cycles > budget:
                raise AssertionError(f"CFU stopped answering: {len(expected)} responses outstanding, "
                                     f"{len(commands) - index} commands not accepted")
            accepted = offering and d.cmd_ready.value == 1
            rsp_valid = d.rsp_valid.value == 1
            if held is not None:
                assert rsp_valid, "rsp_valid dropped before the response was taken"
                assert d.rsp_payload_outputs_0.value.to_unsigned() == held, \
                    "response payload changed while waiting for rsp_ready"
                held = None
            if rsp_valid:
                assert expected, "response without an outstanding command"
                value = d.rsp_payload_outputs_0.value.to_unsigned()
                if ready:
                    cmd, want = expected.popleft()
                    stats.responses += 1
                    stats.values.append(value)
                    assert value == want, (f"command #{stats.responses - 1} {cmd}: CFU answered "
                                           f"{value:#010x}, model says {want:#010x}")
                else:
                    held = value

            await RisingEdge(d.clk)
            if accepted:
                cmd = commands[index]
                expected.append((cmd, self.model.execute(cmd.funct3, cmd.funct7, cmd.in0, cmd.in1)
                                 & 0xFFFFFFFF))
                index += 1
                offering = False
                stats.commands += 1
            if reset_after is not None and stats.commands >= reset_after and (expected or offering):
                await self.reset(rng.randint(1, 3))
                stats.resets += 1
                break
        d.cmd_valid.value = 0
        d.rsp_ready.value = 1
        return stats
