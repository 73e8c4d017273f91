"""Where sources and build products live.

Sources are the repo's top-level folders. Every build product (SoC builds, Verilated models,
firmware, cached results) goes under one build root, `build/` at the repo root unless
CFU_BENCH_BUILD says otherwise, so `make clean` or `cfu-bench clean` removes all of it.
"""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GATEWARE = REPO / "gateware"
CFU_DESIGNS = REPO / "cfu"
SOC = REPO / "soc"
SIM = REPO / "sim"
FIRMWARE = REPO / "firmware"
BENCHMARKS = REPO / "benchmarks"
MODELS = BENCHMARKS / "models"
ZOO = MODELS / "zoo"
RESULTS = BENCHMARKS / "results"


def build_root() -> Path:
    return Path(os.environ.get("CFU_BENCH_BUILD", REPO / "build")).resolve()
