"""Builds the model zoo: Keras structures converted by TensorFlow, and SVDF by our builder.

    python -m cfu_bench.benchmarks.models.zoo.build [NAME ...] [--out DIR]

No training: the zoo checks what the runtime computes, not what a model predicts, so each
network keeps its random initial weights (seeded), gets BatchNorm statistics from, and is
calibrated on, synthetic inputs shaped like its real ones. Deterministic like the benchmarks (see ../training.py); the
SHA-256, TensorFlow version and CPU of every file go in provenance.json next to it.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

from ....errors import UserError
from ....paths import ZOO

# Keras-defined models, converted by TensorFlow.
CONVERTED = ("person_detect", "mobilenet_v2", "micro_speech", "magic_wand", "lstm_seq",
             "presence", "int16x8")
# person_detect with TFLM's published file's bias quirk, edited from person_detect's bytes.
EDITED = {"person_detect_q3": "person_detect"}
# Written with cfu_bench.model.tflite_builder: the converter does not emit SVDF from Keras.
BUILT = ("svdf_kws",)
NAMES = CONVERTED + tuple(EDITED) + BUILT
CALIBRATION_SAMPLES = 100


def spec(name: str):
    if name not in NAMES:
        raise UserError(f"unknown zoo model {name!r}; the zoo has {', '.join(NAMES)}")
    return importlib.import_module(f"{__package__}.{EDITED.get(name, name)}")


def generate(name: str) -> tuple[bytes, dict]:
    """The .tflite bytes of one zoo model, and what decided them."""
    s = spec(name)
    if name in BUILT:
        return s.build(), {}
    from .. import training
    from . import convert, quirks

    tf, keras = training.tensorflow()
    if getattr(s, "KERAS", "keras") == "tf_keras":
        keras = _tf_keras()
    training.reset(keras, s.SEED)
    model = s.define(keras)
    calibration = with_noise(s.calibration_set(np.random.default_rng(s.SEED), CALIBRATION_SAMPLES),
                             np.random.default_rng(s.SEED + 1))
    # Untrained BatchNorm statistics (mean 0, variance 1) let activations fade to nothing
    # over MobileNet's 27 layers; batch statistics of the calibration data fix that.
    training._refresh_batchnorm(keras, model, calibration, batch_size=16, batches=24)
    data = convert.convert(tf, model, calibration, scheme=getattr(s, "SCHEME", convert.INT8),
                           float_edges=getattr(s, "FLOAT_EDGES", False))
    if name in EDITED:
        data = quirks.bias_quantized_dimension(data, 3)
    return data, {"tensorflow": tf.__version__}


def with_noise(calibration: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The calibration set with its last quarter replaced by uniform noise over its range.

    The workbench checks models on random inputs (cfu_bench.model.golden.random_inputs), which an
    untrained network calibrated on smooth data alone maps to saturated logits: the same
    output for every input, and a bit-exact check that proves little.
    """
    out = calibration.copy()
    k = len(out) // 4
    out[-k:] = rng.uniform(out.min(), out.max(), out[-k:].shape)
    return out


def _tf_keras():
    try:
        import tf_keras
    except ImportError as e:
        raise UserError(f"tf-keras is needed to build the LSTM model ({e}); "
                        "run: scripts/setup.sh --models") from None
    return tf_keras


def check_runs_in_tflm(data: bytes, label: str) -> None:
    """The tflite-micro interpreter allocates and invokes the model once: a file TFLM would
    refuse is never written. (Our own reader is not asked: the zoo is what it must grow into.)"""
    from tflite_micro.python.tflite_micro import runtime

    try:
        interp = runtime.Interpreter.from_bytes(data, arena_size=16 << 20)
        interp.invoke()
    except RuntimeError as e:
        raise UserError(f"{label}: TFLM refused the model just built: {e}") from None


def build(name: str, out_dir: str | Path = ZOO) -> Path:
    """Writes out_dir/NAME.tflite and its provenance.json entry; returns the path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    data, info = generate(name)
    check_runs_in_tflm(data, f"{name} (just built)")
    path = out / f"{name}.tflite"
    tmp = path.with_suffix(".tflite.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    _record(out, name, data, info)
    print(f"built {path}: {len(data)} bytes in {time.monotonic() - start:.1f} s", file=sys.stderr)
    return path


def _record(out: Path, name: str, data: bytes, info: dict) -> None:
    from ..build import build_cpu

    prov_path = out / "provenance.json"
    prov = json.loads(prov_path.read_text()) if prov_path.exists() else {}
    entry = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
             "numpy": np.__version__, "machine": platform.machine()}
    if "tensorflow" in info:  # the builder-made models do not depend on TensorFlow or the CPU
        entry.update(tensorflow=info["tensorflow"], cpu=build_cpu())
    if name in EDITED:
        entry["edited_from"] = EDITED[name]
    prov[name] = entry
    prov_path.write_text(json.dumps(dict(sorted(prov.items())), indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cfu_bench.benchmarks.models.zoo.build")
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(NAMES)}; default all")
    ap.add_argument("--out", default=str(ZOO), help="output folder (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        for name in args.names or NAMES:
            spec(name)
        for name in args.names or NAMES:
            build(name, args.out)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
