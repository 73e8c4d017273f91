"""Driving a CFU core in Amaranth's own simulator (unit tests without Verilator)."""
import random

from amaranth.sim import Simulator

from .cocotb_memory import memory_word


def _memory(core, rng, wait_prob: float = 0.3):
    """The testbench memory (cocotb_memory.memory_word) behind the core's `mem` port: an
    answer one cycle after a request at the earliest, with random wait states."""
    async def process(ctx):
        mem = core.mem
        answered = False     # what we drove in the cycle that just ended
        async for _, _, cyc, stb, adr in ctx.tick().sample(mem.cyc, mem.stb, mem.adr):
            answered = bool(cyc and stb and not answered and rng.random() >= wait_prob)
            ctx.set(mem.ack, answered)
            ctx.set(mem.dat_r, memory_word(adr) if answered else 0)
    return process


def simulate_commands(core, commands, *, stall_prob: float = 0.0, seed: int = 0,
                      max_wait: int = 1000, latencies: list | None = None,
                      vcd: str | None = None) -> list[int]:
    """Issue (funct3, funct7, in0, in1) commands one after another and return the responses.

    stall_prob: chance per cycle that rsp.ready is low while a response waits; the response
    must then hold still. latencies: if given, receives for each command the cycles from its
    being offered (cmd.valid raised) to its response being offered: 1 for a command accepted
    at once and answered in the next cycle. Raises AssertionError when a command is not
    accepted or answered within `max_wait` cycles.
    """
    rng = random.Random(seed)
    results = []

    async def bench(ctx):
        for funct3, funct7, in0, in1 in commands:
            ctx.set(core.rsp.ready, 0)
            ctx.set(core.cmd.payload, {"function_id": {"funct3": funct3, "funct7": funct7},
                                       "inputs_0": in0 & 0xFFFFFFFF, "inputs_1": in1 & 0xFFFFFFFF})
            ctx.set(core.cmd.valid, 1)
            held_off = 0
            for _ in range(max_wait):
                if ctx.get(core.cmd.ready):
                    break
                await ctx.tick()
                held_off += 1
            else:
                raise AssertionError(f"command {funct3, funct7} not accepted in {max_wait} cycles")
            await ctx.tick()
            ctx.set(core.cmd.valid, 0)
            waited = 0
            held = None
            while True:
                ready = rng.random() >= stall_prob
                ctx.set(core.rsp.ready, ready)
                if ctx.get(core.rsp.valid):
                    value = ctx.get(core.rsp.payload)
                    assert held is None or value == held, "response changed while stalled"
                    if held is None and latencies is not None:
                        latencies.append(held_off + waited + 1)
                    held = value
                    if ready:
                        break
                elif held is not None:
                    raise AssertionError("rsp.valid dropped before the response was taken")
                waited += 1
                if waited > max_wait:
                    raise AssertionError(f"command {funct3, funct7} not answered in {max_wait} cycles")
                await ctx.tick()
            results.append(held)
            await ctx.tick()

    sim = Simulator(core)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    if getattr(core.signature, "memory", False):
        sim.add_process(_memory(core, random.Random(rng.getrandbits(32))))
    if vcd:
        with sim.write_vcd(vcd):
            sim.run()
    else:
        sim.run()
    return results
