"""TFLite Micro's integer requantization, in Python, bit for bit.

This is the arithmetic of `MultiplyByQuantizedMultiplier` in TFLM's reference integer kernels
(gemmlowp's SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT, the default
"double rounding" build), then the output offset and the activation clamp, as in
reference_integer_ops::ConvPerChannel / DepthwiseConvPerChannel / FullyConnected.
int32 additions wrap, which is what the compiled C code does.
"""
INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def wrap32(x: int) -> int:
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def saturating_rounding_doubling_high_mul(a: int, b: int) -> int:
    if a == INT32_MIN and b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    total = ab + nudge
    # C++ integer division truncates toward zero; Python's // floors.
    quotient = abs(total) >> 31
    return quotient if total >= 0 else -quotient


def rounding_divide_by_pot(x: int, exponent: int) -> int:
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def multiply_by_quantized_multiplier(x: int, multiplier: int, shift: int) -> int:
    left_shift = shift if shift > 0 else 0
    right_shift = -shift if shift < 0 else 0
    return rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(wrap32(x << left_shift), multiplier), right_shift)


def requantize(acc: int, bias: int, multiplier: int, shift: int, output_offset: int,
               act_min: int, act_max: int) -> int:
    """One output value of a quantized conv/depthwise/FC from its int32 accumulator."""
    value = multiply_by_quantized_multiplier(wrap32(acc + bias), multiplier, shift)
    value = wrap32(value + output_offset)
    value = max(value, act_min)
    return min(value, act_max)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31)."""
    import math
    if real == 0.0:
        return 0, 0
    mantissa, shift = math.frexp(real)
    q = round(mantissa * (1 << 31))
    if q == 1 << 31:
        q //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q, shift
