"""Pipelined requantization: int32 accumulator -> int8 output, bit-exact with TFLite Micro.

Stages (one value per cycle, LATENCY cycles from `valid` in to `out_valid`):
  1. x = (acc + bias) << max(shift, 0), wrapping at 32 bits
  2. 32x32 -> 64-bit product with the multiplier (the DSP stage)
  3. SaturatingRoundingDoublingHighMul: (product + nudge) / 2^31, truncated toward zero
  4. RoundingDivideByPOT by max(-shift, 0)
  5. + output offset (wrapping), then max(act_min), then min(act_max)
requant_model.requantize is the reference. Every operand travels with its value, so the
parameters may change on any cycle.
"""
from amaranth.hdl import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

LATENCY = 5
SHIFT_WIDTH = 6          # shifts in [-31, 31]
OFFSET_WIDTH = 16
INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


class Requantizer(wiring.Component):
    def __init__(self, tag_width: int = 4):
        self.tag_width = tag_width
        super().__init__({
            "valid": In(1),
            "acc": In(signed(32)),
            "bias": In(signed(32)),
            "multiplier": In(signed(32)),
            "shift": In(signed(SHIFT_WIDTH)),
            "output_offset": In(signed(OFFSET_WIDTH)),
            "act_min": In(signed(8)),
            "act_max": In(signed(8)),
            "tag": In(tag_width),
            "out_valid": Out(1),
            "out_value": Out(signed(8)),
            "out_tag": Out(tag_width),
        })

    def elaborate(self, platform):
        m = Module()

        def carry(name, value, shape):
            """A register of stage `name` holding `value`."""
            reg = Signal(shape, name=name)
            m.d.sync += reg.eq(value)
            return reg

        # Stage 1: bias and left shift.
        total = Signal(signed(32))
        m.d.comb += total.eq(self.acc + self.bias)
        left = Mux(self.shift > 0, self.shift, 0)[:5]
        right = Mux(self.shift < 0, -self.shift, 0)[:5]
        v1 = carry("s1_valid", self.valid, 1)
        x1 = carry("s1_x", (total << left)[:32].as_signed(), signed(32))
        m1 = carry("s1_multiplier", self.multiplier, signed(32))
        r1 = carry("s1_right", right, unsigned(5))
        o1 = carry("s1_offset", self.output_offset, signed(OFFSET_WIDTH))
        lo1 = carry("s1_act_min", self.act_min, signed(8))
        hi1 = carry("s1_act_max", self.act_max, signed(8))
        t1 = carry("s1_tag", self.tag, self.tag_width)

        # Stage 2: the 64-bit product.
        v2 = carry("s2_valid", v1, 1)
        p2 = carry("s2_product", x1 * m1, signed(64))
        sat2 = carry("s2_saturate", (x1 == INT32_MIN) & (m1 == INT32_MIN), 1)
        r2 = carry("s2_right", r1, unsigned(5))
        o2 = carry("s2_offset", o1, signed(OFFSET_WIDTH))
        lo2 = carry("s2_act_min", lo1, signed(8))
        hi2 = carry("s2_act_max", hi1, signed(8))
        t2 = carry("s2_tag", t1, self.tag_width)

        # Stage 3: rounding doubling high half; division truncates toward zero.
        nudged = Signal(signed(65))
        m.d.comb += nudged.eq(p2 + Mux(p2 >= 0, 1 << 30, 1 - (1 << 30)))
        floor_quotient = nudged[31:].as_signed()
        round_up = (nudged < 0) & (nudged[:31] != 0)
        high = Signal(signed(32))
        m.d.comb += high.eq(Mux(sat2, INT32_MAX, floor_quotient + round_up))
        v3 = carry("s3_valid", v2, 1)
        h3 = carry("s3_high", high, signed(32))
        r3 = carry("s3_right", r2, unsigned(5))
        o3 = carry("s3_offset", o2, signed(OFFSET_WIDTH))
        lo3 = carry("s3_act_min", lo2, signed(8))
        hi3 = carry("s3_act_max", hi2, signed(8))
        t3 = carry("s3_tag", t2, self.tag_width)

        # Stage 4: rounding divide by a power of two.
        mask = Signal(32)
        m.d.comb += mask.eq((Const(1, 33) << r3) - 1)
        remainder = Signal(32)
        m.d.comb += remainder.eq(h3.as_unsigned() & mask)
        threshold = Signal(32)
        m.d.comb += threshold.eq((mask >> 1) + (h3 < 0))
        divided = Signal(signed(32))
        m.d.comb += divided.eq((h3 >> r3) + (remainder > threshold))
        v4 = carry("s4_valid", v3, 1)
        d4 = carry("s4_divided", divided, signed(32))
        o4 = carry("s4_offset", o3, signed(OFFSET_WIDTH))
        lo4 = carry("s4_act_min", lo3, signed(8))
        hi4 = carry("s4_act_max", hi3, signed(8))
        t4 = carry("s4_tag", t3, self.tag_width)

        # Stage 5: output offset and activation clamp (max first, then min, as TFLM).
        offset_added = Signal(signed(32))
        m.d.comb += offset_added.eq(d4 + o4)
        low_clamped = Signal(signed(32))
        m.d.comb += low_clamped.eq(Mux(offset_added < lo4, lo4, offset_added))
        clamped = Mux(low_clamped > hi4, hi4, low_clamped)
        m.d.sync += [
            self.out_valid.eq(v4),
            self.out_value.eq(clamped[:8]),
            self.out_tag.eq(t4),
        ]
        return m
