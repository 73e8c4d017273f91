"""The shared arithmetic (firmware/kernels/cfub_arith.h, quant_util.c) against exact Python
transcriptions of TFLM's QuantizeMultiplier and gemmlowp's rounding, on edge values and on
random ones, including multipliers above one and accumulators that wrap."""
import ctypes
import math

import numpy as np
import pytest
from cfu_bench.testing import seeds

INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1


def wrap32(v):
    return (v + 2 ** 31) % 2 ** 32 - 2 ** 31


def ref_quantize_multiplier(d):
    if d == 0:
        return 0, 0
    q, e = math.frexp(d)
    x = q * 2 ** 31
    qf = int(math.floor(abs(x) + 0.5)) * (1 if x > 0 else -1)
    if qf == 2 ** 31:
        qf //= 2
        e += 1
    if e < -31:
        return 0, 0
    return qf, e


def ref_srdhm(a, b):
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    v = ab + ((1 << 30) if ab >= 0 else (1 - (1 << 30)))
    q = abs(v) >> 31
    return wrap32(q if v >= 0 else -q)


def ref_rdbpot(x, e):
    mask = (1 << e) - 1
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if (x & mask) > threshold else 0)


def ref_mbqm(x, m, s):
    left, right = max(s, 0), max(-s, 0)
    return ref_rdbpot(ref_srdhm(wrap32(x << left), m), right)


@pytest.fixture(scope="module")
def lib(hrt):
    lib = hrt.lib
    lib.cfubh_quantize_multiplier.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_int32),
                                              ctypes.POINTER(ctypes.c_int)]
    lib.cfubh_mbqm.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_int]
    lib.cfubh_activation_range.argtypes = [ctypes.c_int, ctypes.c_float, ctypes.c_int32,
                                           ctypes.POINTER(ctypes.c_int32), ctypes.POINTER(ctypes.c_int32)]
    return lib


def test_quantize_multiplier(lib):
    rng = seeds.np_rng("test_rt_arith", 5)
    values = [0.0, 1.0, 0.5, 0.25, 2.0, 1 - 2 ** -40, 2 ** -31, 2 ** -32, 2 ** -31.5, 1e-300, 5e-324,
              2 ** 30, 2 ** 31 - 1, 0.9999999999, 1.0000000001, -0.5, -0.75]
    values += list(np.exp(rng.uniform(-50, 25, size=20000)))
    values += [float(np.float32(a) * np.float64(np.float32(b)) / np.float32(c))
               for a, b, c in rng.uniform(1e-4, 1, size=(5000, 3))]
    q, s = ctypes.c_int32(), ctypes.c_int()
    for d in values:
        assert lib.cfubh_quantize_multiplier(float(d), ctypes.byref(q), ctypes.byref(s)) == 1
        assert (q.value, s.value) == ref_quantize_multiplier(float(d)), d


def test_quantize_multiplier_rejects_non_finite(lib):
    q, s = ctypes.c_int32(), ctypes.c_int()
    for d in (math.inf, -math.inf, math.nan):
        assert lib.cfubh_quantize_multiplier(d, ctypes.byref(q), ctypes.byref(s)) == 0


def test_multiply_by_quantized_multiplier(lib):
    rng = seeds.np_rng("test_rt_arith", 6)
    edge = np.array([0, 1, -1, 2, -2, 127, -128, 255, -255, 2 ** 20, -2 ** 20, INT32_MAX, INT32_MIN,
                     INT32_MAX - 1, INT32_MIN + 1, 2 ** 30, -2 ** 30], np.int32)
    x = np.concatenate([edge, rng.integers(INT32_MIN, INT32_MAX, 600, dtype=np.int64).astype(np.int32),
                        rng.integers(-100000, 100000, 600).astype(np.int32)])
    out = np.zeros_like(x)
    for m in [0, 1, 2 ** 30, 2 ** 30 + 1, INT32_MAX, INT32_MIN, -2 ** 30, *rng.integers(2 ** 30, 2 ** 31, 8)]:
        for s in [-31, -30, -20, -8, -1, 0, 1, 2, 7, 15, 24, 30, 31]:
            lib.cfubh_mbqm(x.ctypes.data, out.ctypes.data, x.size, int(m), s)
            want = [ref_mbqm(int(v), int(m), s) for v in x]
            assert out.tolist() == want, (m, s)


def test_activation_ranges(lib):
    lo, hi = ctypes.c_int32(), ctypes.c_int32()
    # RELU6 with scale 6/255 and zero point -128 covers the full int8 range exactly
    assert lib.cfubh_activation_range(3, np.float32(6 / 255), -128, ctypes.byref(lo), ctypes.byref(hi)) == 1
    assert (lo.value, hi.value) == (-128, 127)
    assert lib.cfubh_activation_range(1, 0.1, 5, ctypes.byref(lo), ctypes.byref(hi)) == 1
    assert (lo.value, hi.value) == (5, 127)
    assert lib.cfubh_activation_range(2, 0.01, 0, ctypes.byref(lo), ctypes.byref(hi)) == 1
    assert (lo.value, hi.value) == (-100, 100)
    assert lib.cfubh_activation_range(0, 0.01, 0, ctypes.byref(lo), ctypes.byref(hi)) == 1
    assert (lo.value, hi.value) == (-128, 127)
    assert lib.cfubh_activation_range(4, 0.01, 0, ctypes.byref(lo), ctypes.byref(hi)) == 0  # TANH


def test_crc32_is_zlibs_at_every_alignment_and_length(lib):
    """The per-op CRC the host compares with TFLM's outputs (word-at-a-time where aligned)."""
    import zlib
    f = lib.cfub_crc32
    f.restype = ctypes.c_uint32
    f.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
    data = np.random.default_rng(seeds.derive("crc32")).integers(0, 256, 300, dtype=np.uint8).tobytes()
    buf = ctypes.create_string_buffer(data, len(data))
    base = ctypes.addressof(buf)
    for start in range(8):
        for length in list(range(0, 13)) + [64, 255, 292 - start]:
            chunk = data[start:start + length]
            got = f(0, ctypes.cast(base + start, ctypes.c_char_p), length)
            assert got == zlib.crc32(chunk), (start, length)
    assert f(zlib.crc32(data[:5]), data[5:], len(data) - 5) == zlib.crc32(data)


def test_scale_ratio_is_the_double_expression_bit_for_bit(lib):
    """cfub_scale_ratio(a, b, c) in integers equals (double)a * (double)b / (double)c, the
    per-channel scale TFLM rounds, on random scales of every magnitude, ties and edge values."""
    f = lib.cfubh_scale_ratio
    f.restype = ctypes.c_double
    f.argtypes = [ctypes.c_float, ctypes.c_float, ctypes.c_float]
    rng = np.random.default_rng(seeds.derive("scale-ratio"))
    n = 200_000
    def floats(lo, hi):
        return (rng.uniform(1, 2, n) * 2.0 ** rng.integers(lo, hi, n)).astype(np.float32)
    cases = [floats(-40, 5), floats(-40, 5), floats(-40, 5)]
    # mantissas with few bits make exact quotients and halfway cases common
    few = (rng.integers(1, 64, (3, n)) * 2.0 ** rng.integers(-30, 0, (3, n))).astype(np.float32)
    special = np.array([1e-38, 1.1754944e-38, 3.4e38, 1e-45, 0.0, -0.5, np.inf, 1.0, 0.5, 3.0],
                       dtype=np.float32)
    grid = np.array(np.meshgrid(special, special, special)).reshape(3, -1)
    for a, b, c in [cases, few, grid]:
        # The grid holds 0, inf and denormals on purpose: the reference is IEEE's nan/inf/0,
        # exactly what the C expression gives, so numpy's warnings about them are noise.
        with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
            want = (a.astype(np.float64) * b.astype(np.float64)) / c.astype(np.float64)
        got = np.array([f(float(x), float(y), float(z)) for x, y, z in zip(a, b, c)])
        same = (got.view(np.uint64) == want.view(np.uint64)) | (np.isnan(got) & np.isnan(want))
        bad = np.flatnonzero(~same)
        assert bad.size == 0, [(a[i], b[i], c[i], got[i], want[i]) for i in bad[:5]]
