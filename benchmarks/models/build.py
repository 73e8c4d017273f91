"""Builds the four benchmark models: train briefly on synthetic data, convert to int8, edit.

    python -m cfu_bench.benchmarks.models.build [NAME ...] [--out DIR]

Regeneration is deterministic on one machine (see training.py); across machines the bytes also
depend on the CPU (Eigen sizes its matrix blocks by the caches it finds, which changes float
summation order), so `provenance.json` next to the files records the TensorFlow version, the
architecture and the CPU that built them, and their SHA-256.
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

from . import tflite_edit
from ...errors import UserError
from ...paths import MODELS

NAMES = ("kws", "vww", "ic", "ad")
CALIBRATION_SAMPLES = 200


def spec(name: str):
    if name not in NAMES:
        raise UserError(f"unknown model {name!r}; the benchmark models are {', '.join(NAMES)}")
    return importlib.import_module(f"{__package__}.{name}")


def generate(name: str) -> tuple[bytes, dict]:
    """The .tflite bytes for one model, and what happened while making them."""
    from . import training

    s = spec(name)
    tf, keras = training.tensorflow()
    training.reset(keras, s.SEED)
    model = s.define(keras)
    x, y = s.training_set(np.random.default_rng(s.SEED), s.TRAINING["samples"])
    params = {k: v for k, v in s.TRAINING.items() if k != "samples"}
    metrics = training.fit(keras, model, x, y, loss=s.LOSS, **params)
    # Calibrate on fresh samples of the same distribution, as one would on held-out data.
    calibration = s.training_set(np.random.default_rng(s.SEED + 1000), CALIBRATION_SAMPLES)[0]
    data = training.convert_int8(tf, model, calibration)
    data = tflite_edit.restore_flatten_reshape(data)
    return data, {"training": metrics, "tensorflow": tf.__version__}


def build(name: str, out_dir: str | Path = MODELS) -> Path:
    """Writes out_dir/NAME.tflite (and updates out_dir/provenance.json); returns the path."""
    from ...model.tflite_model import parse

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    data, info = generate(name)
    parse(data, f"{name} (just built)")  # a file the reader rejects must never be written
    path = out / f"{name}.tflite"
    tmp = path.with_suffix(".tflite.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    _record(out, name, data, info, time.monotonic() - start)
    return path


def build_all(out_dir: str | Path = MODELS) -> list[Path]:
    return [build(name, out_dir) for name in NAMES]


def _record(out: Path, name: str, data: bytes, info: dict, seconds: float) -> None:
    prov_path = out / "provenance.json"
    prov = json.loads(prov_path.read_text()) if prov_path.exists() else {}
    # Only what decides the bytes goes in the file, so rebuilding leaves it unchanged.
    prov[name] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "tensorflow": info["tensorflow"],
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu": build_cpu(),
        "training_metrics": {k: round(v, 4) for k, v in info["training"].items()},
    }
    prov_path.write_text(json.dumps(dict(sorted(prov.items())), indent=2) + "\n")
    print(f"built {out / (name + '.tflite')}: {len(data)} bytes in {seconds:.1f} s",
          file=sys.stderr)


def build_cpu() -> str:
    """The CPU model, as /proc/cpuinfo names it: part of what decides a build's bytes."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return " ".join(value.split())
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cfu_bench.benchmarks.models.build")
    ap.add_argument("names", nargs="*", metavar="NAME",
                    help=f"any of {', '.join(NAMES)}; default all")
    ap.add_argument("--out", default=str(MODELS), help="output folder (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        for name in args.names or NAMES:
            build(name, args.out)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
