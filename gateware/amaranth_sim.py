"""Driving a CFU core in Amaranth's own simulator (unit tests without Verilator)."""
from amaranth.sim import Simulator


def simulate_commands(core, commands, *, max_wait: int = 1000, vcd: str | None = None) -> list[int]:
    """Issue (funct3, funct7, in0, in1) commands one after another and return the responses.

    Raises AssertionError when a command is not accepted or answered within `max_wait` cycles.
    """
    results = []

    async def bench(ctx):
        ctx.set(core.rsp.ready, 1)
        for funct3, funct7, in0, in1 in commands:
            ctx.set(core.cmd.payload, {"function_id": {"funct3": funct3, "funct7": funct7},
                                       "inputs_0": in0 & 0xFFFFFFFF, "inputs_1": in1 & 0xFFFFFFFF})
            ctx.set(core.cmd.valid, 1)
            for _ in range(max_wait):
                if ctx.get(core.cmd.ready):
                    break
                await ctx.tick()
            else:
                raise AssertionError(f"command {funct3, funct7} not accepted in {max_wait} cycles")
            await ctx.tick()
            ctx.set(core.cmd.valid, 0)
            for _ in range(max_wait):
                if ctx.get(core.rsp.valid):
                    break
                await ctx.tick()
            else:
                raise AssertionError(f"command {funct3, funct7} not answered in {max_wait} cycles")
            results.append(ctx.get(core.rsp.payload))
            await ctx.tick()

    sim = Simulator(core)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    if vcd:
        with sim.write_vcd(vcd):
            sim.run()
    else:
        sim.run()
    return results
