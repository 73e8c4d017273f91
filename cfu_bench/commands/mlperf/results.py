"""What the MLPerf firmware reports as m-results for an inference, computed from TFLM's output.

Mirrors firmware/mlperf/ee_format.c exactly (same float32 arithmetic, same decimal rounding), so
the firmware's line can be compared as text, not within a tolerance:

- an autoencoder (one input, one output, as many quantized elements) reports its anomaly score
  as the MLPerf Tiny AD reference does: mean((dequant(output) - dequant(input))^2) in float32;
- any other model its first output, dequantized (or as is when float32 / not quantized);
- every number with 6 decimals, rounded half away from zero from the float's exact value.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...model import golden

_QUANTIZED_TYPES = {"INT8", "UINT8", "INT16"}


def format_fixed6(value) -> str:
    v = np.float32(value)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "-inf" if v < 0 else "inf"
    if abs(float(v)) >= 2.0 ** 43:
        return "overflow"
    exact = Fraction(float(v))
    scaled = int(abs(exact) * 1_000_000 + Fraction(1, 2))  # floor(|v| * 1e6 + 1/2)
    sign = "-" if exact < 0 and scaled else ""
    return f"{sign}{scaled // 1_000_000}.{scaled % 1_000_000:06d}"


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """TFLM's DequantizeInt8ToFloat in float32: (float)(q - zp) * scale."""
    return (q.astype(np.int64) - zero_point).astype(np.float32) * np.float32(scale)


def reconstruction_mse(out: np.ndarray, out_scale: float, out_zp: int, inp: np.ndarray,
                       in_scale: float, in_zp: int) -> np.float32:
    """Summed in order in float32, as the firmware does (numpy's sum would pair terms)."""
    d = dequantize(out.ravel(), out_scale, out_zp) - dequantize(inp.ravel(), in_scale, in_zp)
    total = np.float32(0)
    for x in d * d:
        total = np.float32(total + x)
    return np.float32(total / np.float32(d.size)) if d.size else np.float32(0)


@dataclass(frozen=True)
class Expected:
    text: str   # inside m-results-[...]
    crc32: int  # of the model's first output tensor

    @property
    def values(self) -> list[float]:
        return [float(x) for x in self.text.split(",")]


def expected_results(model_bytes: bytes, inputs: list[bytes]) -> list[Expected]:
    """The m-results text and output CRC for each input, from TFLM."""
    desc = golden.describe(model_bytes)
    interp = golden.interpreter(model_bytes, preserve=False)
    tin = desc.tensors[desc.inputs[0]]
    tout = desc.tensors[desc.outputs[0]]
    autoencoder = (len(desc.inputs) == 1 and len(desc.outputs) == 1
                   and tin.type in _QUANTIZED_TYPES and tout.type in _QUANTIZED_TYPES
                   and tin.scale is not None and tout.scale is not None
                   and int(np.prod(tin.shape)) == int(np.prod(tout.shape)))
    out = []
    for blob in inputs:
        arrays = golden._from_bytes(model_bytes, desc, blob)
        for i, a in enumerate(arrays):
            interp.set_input(a, i)
        interp.invoke()
        y = np.ascontiguousarray(interp.get_output(0))
        if autoencoder:
            text = format_fixed6(reconstruction_mse(y, tout.scale, tout.zero_point, arrays[0],
                                                    tin.scale, tin.zero_point))
        elif tout.type == "FLOAT32" or tout.scale is None:
            text = ",".join(format_fixed6(v) if tout.type == "FLOAT32" else str(int(v))
                            for v in y.ravel())
        else:
            text = ",".join(format_fixed6(v) for v in dequantize(y.ravel(), tout.scale, tout.zero_point))
        out.append(Expected(text, zlib.crc32(y.tobytes()) & 0xFFFFFFFF))
    return out
