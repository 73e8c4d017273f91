"""SIMD dot product and accumulator against plain Python arithmetic."""

from amaranth.sim import Simulator

from cfu_bench.gateware.accumulator import Accumulator
from cfu_bench.gateware.simd import SimdDot
from cfu_bench.testing import seeds


def s8(word, i):
    b = (word >> (8 * i)) & 0xFF
    return b - 256 if b & 0x80 else b


def run_comb(dut, vectors, check):
    async def bench(ctx):
        for v in vectors:
            for sig, value in v.items():
                ctx.set(getattr(dut, sig), value)
            await ctx.delay(1e-9)
            check(v, ctx)
    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()


def test_simd_dot_matches_python():
    rng = seeds.rng("test_blocks", 1)
    dut = SimdDot(lanes=4, offset_width=9)
    vectors = [{"a": rng.getrandbits(32), "b": rng.getrandbits(32), "offset": rng.randrange(-256, 256)}
               for _ in range(300)]
    vectors += [{"a": 0x80808080, "b": 0x80808080, "offset": -256}, {"a": 0x7F7F7F7F, "b": 0x80808080, "offset": 255}]

    def check(v, ctx):
        want = sum((s8(v["a"], i) + v["offset"]) * s8(v["b"], i) for i in range(4))
        assert ctx.get(dut.result) == want, v
    run_comb(dut, vectors, check)


def test_accumulator_wraps_and_loads():
    dut = Accumulator()
    rng = seeds.rng("test_blocks", 2)
    ops = [(rng.random() < 0.1, rng.random() < 0.8, rng.getrandbits(32) - (1 << 31), rng.getrandbits(32) - (1 << 31))
           for _ in range(300)]

    async def bench(ctx):
        model = 0
        for load, add, addend, value in ops:
            ctx.set(dut.load, load)
            ctx.set(dut.add, add)
            ctx.set(dut.addend, addend)
            ctx.set(dut.load_value, value)
            if load:
                model = value
            elif add:
                model = ((model + addend + (1 << 31)) % (1 << 32)) - (1 << 31)
            assert ctx.get(dut.next) == model
            await ctx.tick()
            assert ctx.get(dut.value) == model
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
