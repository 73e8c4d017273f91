"""The Verilator build of the simulation SoC: our recipe, with our own harness.

LiteX's litex_sim recipe builds its libevent harness and always compiles tracing in
(`--trace`, a VCD file opened and flushed after every eval). Profiled with callgrind
(benchmarks/results/sim_speed.md) the harness cost ~700 instructions per SoC cycle and the
model's reset of the 256 MiB DRAM arrays through Verilator's per-word randomiser ~1.2 G
instructions at start-up. Here: harness/sim_main.cpp (same edge order as litex_sim, so the
same cycles), no tracing, `--x-initial fast` (the arrays start at zero either way: litex_sim
never seeds Verilator's randomiser, whose default is zero), model code at -O3.
"""
import json
import subprocess
from pathlib import Path

from ..errors import UserError
from ..build.toolchain import tool_env

HARNESS = Path(__file__).with_name("harness") / "sim_main.cpp"
SOURCES = "cfu-bench-verilog.json"   # the SoC's Verilog files, recorded at generation

VERILATOR_FLAGS = [
    "-Wno-fatal", "-Wno-BLKANDNBLK", "-Wno-WIDTH", "-Wno-COMBDLY", "-Wno-CASEINCOMPLETE",
    "-O3", "--x-assign", "fast", "--x-initial", "fast", "--unroll-count", "256",
    "--output-split", "5000", "--output-split-cfuncs", "500",
]
# Verilator's default for the model's code is -Os; LiteX's recipe ended up at -O3.
MAKE_FLAGS = ["OPT_FAST=-O3", "OPT_SLOW=-O1", "OPT_GLOBAL=-O2"]


def recipe_fingerprint() -> bytes:
    """Everything of this recipe that the model depends on, for the build key."""
    return Path(__file__).read_bytes() + HARNESS.read_bytes()


def record_sources(platform, gateware: Path) -> None:
    files = [str(Path(f).resolve()) for f, *_ in platform.sources if str(f).endswith((".v", ".sv"))]
    (gateware / SOURCES).write_text(json.dumps(files))


def verilate(gateware_dir: Path, jobs: int = 2) -> None:
    sources = json.loads((gateware_dir / SOURCES).read_text())
    obj = gateware_dir / "obj_dir"
    log = gateware_dir / "verilate.log"
    commands = [
        ["verilator", *VERILATOR_FLAGS, "--cc", *sources, "--top-module", "sim",
         "--exe", str(HARNESS), "-Mdir", str(obj)],
        ["make", "-j", str(jobs), "-C", str(obj), "-f", "Vsim.mk", "Vsim", *MAKE_FLAGS],
    ]
    with open(log, "w") as f:
        for cmd in commands:
            f.write(" ".join(cmd) + "\n")
            f.flush()
            r = subprocess.run(cmd, cwd=gateware_dir, env=tool_env(), stdout=f,
                               stderr=subprocess.STDOUT)
            if r.returncode != 0:
                break
    if r.returncode != 0 or not (obj / "Vsim").exists():
        raise UserError(f"Verilator build failed: {log_errors(log)} (full log: {log})")


def log_errors(log: Path) -> str:
    """The error lines at the end of a build log, for a one-line message."""
    tail = log.read_text().splitlines()[-15:]
    return " | ".join([l for l in tail if "error" in l.lower()] or tail[-3:])
