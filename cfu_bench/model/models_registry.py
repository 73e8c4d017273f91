"""The four MLPerf Tiny benchmark models and the model zoo by name, and turning a name or path
into a file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..paths import MODELS, ZOO


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


@dataclass(frozen=True)
class ZooModel:
    """A model of the zoo (benchmarks/models/zoo/): TFLM's public model structures, generated
    here. `small` ones are run on the simulated SoC by the default tests."""
    name: str
    task: str
    network: str
    input: str
    small: bool = False

    @property
    def path(self) -> Path:
        return ZOO / f"{self.name}.tflite"


ZOO_MODELS = {z.name: z for z in (
    ZooModel("person_detect", "person detection", "MobileNetV1 0.25", "96x96 grayscale"),
    ZooModel("person_detect_q3", "person detection", "MobileNetV1 0.25, 1-D biases with "
             "quantized_dimension 3", "96x96 grayscale"),
    ZooModel("mobilenet_v2", "image classification", "MobileNetV2 0.35", "160x160 RGB"),
    ZooModel("micro_speech", "keyword spotting", "tiny conv", "49x40 spectrogram", small=True),
    ZooModel("magic_wand", "gesture recognition", "conv/max-pool, float edges",
             "128x3 accelerometer (float)", small=True),
    ZooModel("svdf_kws", "keyword spotting (streaming)", "SVDF x2", "40-value frame", small=True),
    ZooModel("lstm_seq", "sequence classification", "LSTM 32", "20x12 sequence", small=True),
    ZooModel("presence", "human presence", "conv/concat/max-pool", "320x240 grayscale"),
    ZooModel("int16x8", "image classification (16x8)", "conv/dw/fc, int16 activations",
             "32x32 RGB (int16)", small=True),
)}


def resolve_model(name_or_path: str | Path) -> Path:
    """A benchmark name (kws, vww, ic, ad), a zoo name (`cfu-bench models`) or a path to any
    .tflite file -> an existing file.

    Names win over same-named files in the current folder; write ./kws to mean a file.
    """
    text = str(name_or_path)
    if text in BENCHMARKS or text in ZOO_MODELS:
        kind, path = (("benchmark", BENCHMARKS[text].path) if text in BENCHMARKS
                      else ("zoo", ZOO_MODELS[text].path))
        if not path.is_file():
            raise UserError(f"{kind} model {text} is not built ({path} is missing); "
                            f"run: cfu-bench models build {text}")
        return path
    path = Path(name_or_path)
    looks_like_path = path.suffix == ".tflite" or len(path.parts) > 1 or path.exists()
    if not looks_like_path:
        raise UserError(f"unknown model {text!r}: use one of {', '.join(BENCHMARKS)}, a zoo "
                        f"model (cfu-bench models) or the path of a .tflite file")
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if not path.is_file():
        raise UserError(f"{path}: not a file")
    return path

