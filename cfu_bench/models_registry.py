"""The four MLPerf Tiny benchmark models by name, and turning a name or path into a file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .paths import MODELS


@dataclass(frozen=True)
class Benchmark:
    name: str
    task: str
    network: str
    input: str

    @property
    def path(self) -> Path:
        return MODELS / f"{self.name}.tflite"


BENCHMARKS = {b.name: b for b in (
    Benchmark("kws", "keyword spotting", "DS-CNN", "49x10 MFCC"),
    Benchmark("vww", "visual wake words", "MobileNetV1 0.25", "96x96 RGB"),
    Benchmark("ic", "image classification", "ResNet-8", "32x32 RGB"),
    Benchmark("ad", "anomaly detection", "FC autoencoder", "5x128 log-mel"),
)}


def resolve_model(name_or_path: str | Path) -> Path:
    """A benchmark name (kws, vww, ic, ad) or a path to any .tflite file -> an existing file.

    Names win over same-named files in the current folder; write ./kws to mean a file.
    """
    text = str(name_or_path)
    if text in BENCHMARKS:
        path = BENCHMARKS[text].path
        if not path.is_file():
            raise UserError(f"benchmark model {text} is not built ({path} is missing); "
                            f"run: cfu-bench models build {text}")
        return path
    path = Path(name_or_path)
    looks_like_path = path.suffix == ".tflite" or len(path.parts) > 1 or path.exists()
    if not looks_like_path:
        raise UserError(f"unknown model {text!r}: use one of {', '.join(BENCHMARKS)} "
                        f"or the path of a .tflite file")
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if not path.is_file():
        raise UserError(f"{path}: not a file")
    return path

