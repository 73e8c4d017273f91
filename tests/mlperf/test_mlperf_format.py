"""The firmware's number formatting and result arithmetic (firmware/mlperf/ee_format.c),
compiled for the host, against their Python mirrors in cfu_bench/commands/mlperf/results.py: the host
compares the firmware's m-results text with TFLM's as text, so the two must agree bit for bit."""
import ctypes
import shutil
import subprocess

import numpy as np
import pytest

from cfu_bench.commands.mlperf import results
from cfu_bench.paths import FIRMWARE
from cfu_bench.testing import seeds


def _seed() -> int:
    return seeds.derive("test_mlperf_format")


class QTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("type", ctypes.c_int), ("scale", ctypes.c_float),
                ("zero_point", ctypes.c_int32)]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("no host gcc")
    out = tmp_path_factory.mktemp("ee_format") / "libee_format.so"
    subprocess.run([gcc, "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off",
                    "-fPIC", "-shared", str(FIRMWARE / "mlperf" / "ee_format.c"), "-o", str(out)],
                   check=True)
    lib = ctypes.CDLL(str(out))
    lib.ee_format_fixed6.argtypes = [ctypes.c_float, ctypes.c_char_p]
    lib.ee_reconstruction_mse.argtypes = [ctypes.POINTER(QTensor), ctypes.POINTER(QTensor),
                                          ctypes.c_size_t, ctypes.POINTER(ctypes.c_float)]
    return lib


def _fixed6(lib, v) -> str:
    buf = ctypes.create_string_buffer(32)
    lib.ee_format_fixed6(ctypes.c_float(v), buf)
    return buf.value.decode()


def test_fixed6_known_values(lib):
    cases = {0.0: "0.000000", -0.0: "0.000000", 0.00390625: "0.003906", 0.0078125: "0.007813", -0.0078125: "-0.007813", 0.99609375: "0.996094",
             -1.5: "-1.500000", 12.5: "12.500000", 563.826111: "563.826111",
             6e-7: "0.000001", 5e-7: "0.000000", -4e-7: "0.000000", 2.0 ** 43: "overflow",
             float("inf"): "inf", float("-inf"): "-inf", float("nan"): "nan"}
    for v, text in cases.items():
        assert _fixed6(lib, v) == text, v
        assert results.format_fixed6(v) == text, v


def test_fixed6_matches_python_on_random_floats(lib):
    seed = _seed()
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2 ** 32, size=20000, dtype=np.uint64).astype(np.uint32)
    values = list(bits.view(np.float32)) + list(rng.uniform(-300, 300, 5000).astype(np.float32))
    for v in values:
        assert _fixed6(lib, v) == results.format_fixed6(v), f"value {v!r} (seed {seed})"


@pytest.mark.parametrize("dtype,type_code", [(np.int8, 9), (np.uint8, 3), (np.int16, 7)])
def test_reconstruction_mse_matches_python(lib, dtype, type_code):
    seed = _seed()
    rng = np.random.default_rng(seed + type_code)
    info = np.iinfo(dtype)
    for _ in range(20):
        n = int(rng.integers(1, 700))
        out = rng.integers(info.min, int(info.max) + 1, n).astype(dtype)
        inp = rng.integers(info.min, int(info.max) + 1, n).astype(dtype)
        so, si = np.float32(rng.uniform(0.01, 1)), np.float32(rng.uniform(0.01, 1))
        zo, zi = int(rng.integers(-20, 20)), int(rng.integers(-20, 20))
        got = ctypes.c_float()
        rc = lib.ee_reconstruction_mse(
            QTensor(out.ctypes.data, type_code, so, zo), QTensor(inp.ctypes.data, type_code, si, zi),
            n, ctypes.byref(got))
        want = results.reconstruction_mse(out, so, zo, inp, si, zi)
        assert rc == 0
        assert np.float32(got.value).tobytes() == want.tobytes(), f"n={n} (seed {seed})"
