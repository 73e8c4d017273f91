"""Requantization: the Python reference against values worked out by hand from gemmlowp's
definitions, and the pipelined Requantizer against the reference."""

from amaranth.sim import Simulator

from cfu_bench.gateware.requant import LATENCY, Requantizer
from cfu_bench.testing import seeds
from cfu_bench.testing.requant_model import (INT32_MAX, INT32_MIN, multiply_by_quantized_multiplier,
                                              quantize_multiplier, requantize,
                                              rounding_divide_by_pot,
                                              saturating_rounding_doubling_high_mul)


def test_srdhm_by_hand():
    assert saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX
    # (2^60 + 2^30) / 2^31 = 2^29 + 0.5, truncated
    assert saturating_rounding_doubling_high_mul(1 << 30, 1 << 30) == 1 << 29
    # (-3 * 2^30 + 1 - 2^30) / 2^31 = -1.99..., truncated toward zero (floor would give -2)
    assert saturating_rounding_doubling_high_mul(-3, 1 << 30) == -1
    assert saturating_rounding_doubling_high_mul(3, 1 << 30) == 2
    assert saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX) == INT32_MAX - 1


def test_rounding_divide_by_pot_by_hand():
    assert rounding_divide_by_pot(3, 1) == 2        # 1.5 -> 2
    assert rounding_divide_by_pot(-3, 1) == -2      # -1.5 -> -2 (half away from zero)
    assert rounding_divide_by_pot(-5, 2) == -1      # -1.25 -> -1
    assert rounding_divide_by_pot(5, 2) == 1
    assert rounding_divide_by_pot(6, 2) == 2        # 1.5 -> 2
    assert rounding_divide_by_pot(-6, 2) == -2
    assert rounding_divide_by_pot(7, 0) == 7


def test_multiplier_and_shift():
    assert multiply_by_quantized_multiplier(1000, 1 << 30, 0) == 500        # x * 0.5
    assert multiply_by_quantized_multiplier(1000, 1 << 30, -2) == 125       # x * 0.5 / 4
    assert multiply_by_quantized_multiplier(1000, 1 << 30, 1) == 1000       # x * 2 * 0.5
    # the left shift wraps at 32 bits before the multiply, as TFLM's int32 does
    assert multiply_by_quantized_multiplier(1 << 30, 1 << 30, 2) == 0
    assert quantize_multiplier(0.5) == (1 << 30, 0)
    assert quantize_multiplier(0.25) == (1 << 30, -1)
    assert requantize(1000, 24, 1 << 30, -2, -10, -128, 127) == 128 - 10
    assert requantize(100000, 0, 1 << 30, 0, 0, -128, 127) == 127
    assert requantize(-100000, 0, 1 << 30, 0, 0, -20, 127) == -20


def realistic_vector(rng):
    """An accumulator that lands inside the int8 range: this is where a rounding error of one
    shows in the output instead of vanishing in a clamp or a large right shift."""
    multiplier = rng.randrange(1 << 30, 1 << 31)
    right = rng.randrange(0, 11)
    target = rng.uniform(-140, 140)
    total = round(target * (1 << right) * (1 << 31) / multiplier) + rng.randrange(-3, 4)
    bias = rng.randrange(-(1 << 12), 1 << 12)
    return dict(acc=total - bias, bias=bias, multiplier=multiplier, shift=-right,
                output_offset=rng.randrange(-20, 20), act_min=-128, act_max=127)


def random_vector(rng):
    if rng.random() < 0.5:
        return realistic_vector(rng)
    r = rng.random()
    if r < 0.1:
        acc, bias = rng.choice([INT32_MIN, INT32_MAX, 0, -1]), rng.choice([INT32_MIN, 0, 1])
    else:
        acc, bias = rng.randrange(-(1 << 24), 1 << 24), rng.randrange(-(1 << 16), 1 << 16)
    multiplier = rng.choice([INT32_MIN, INT32_MAX, 0, 1 << 30]) if rng.random() < 0.1 else rng.randrange(1 << 30, 1 << 31)
    shift = rng.randrange(-31, 32) if rng.random() < 0.3 else rng.randrange(-16, 2)
    lo = rng.randrange(-128, 0)
    return dict(acc=acc, bias=bias, multiplier=multiplier, shift=shift,
                output_offset=rng.randrange(-128, 128), act_min=lo, act_max=rng.randrange(lo, 128))


def test_requantizer_matches_reference_back_to_back():
    rng = seeds.rng("test_requant", 4)
    vectors = [random_vector(rng) for _ in range(1000)]
    dut = Requantizer(tag_width=10)
    got = {}

    async def feed(ctx):
        for i, v in enumerate(vectors):
            ctx.set(dut.valid, 1)
            ctx.set(dut.tag, i)
            for name, value in v.items():
                ctx.set(getattr(dut, name), value)
            await ctx.tick()
            # Parameters may change on any cycle: scribble on them between values.
            for name, value in random_vector(rng).items():
                ctx.set(getattr(dut, name), value)
        ctx.set(dut.valid, 0)

    async def collect(ctx):
        for _ in range(len(vectors) + LATENCY + 2):
            await ctx.tick()
            if ctx.get(dut.out_valid):
                got[ctx.get(dut.out_tag)] = ctx.get(dut.out_value)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(feed)
    sim.add_testbench(collect)
    sim.run()
    assert len(got) == len(vectors)
    for i, v in enumerate(vectors):
        assert got[i] == requantize(**v), (i, v)
