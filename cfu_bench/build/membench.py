"""The memory microbenchmark (firmware/membench) on the simulated SoC: cycles per load for
streaming reads and for dependent (pointer-chasing) loads, with memory ddr3 or ideal."""
import hashlib
import subprocess
from dataclasses import dataclass

from ..run import protocol
from ..errors import ResultError, UserError
from ..paths import FIRMWARE, build_root
from ..sim.build import SocBuild
from ..sim.run import run_sim
from .toolchain import riscv_gcc, tool_env

LINE_BYTES = 32  # VexRiscv's D-cache line, as firmware/membench/membench.c assumes


@dataclass
class MembenchResult:
    stream_cycles_per_line: float   # per 32-byte D-cache line read in order
    chase_cycles_per_load: float    # per dependent load, each a D-cache miss
    raw: dict


def build_membench(software_dir) -> bytes:
    riscv_gcc()
    sources = sorted((FIRMWARE / "membench").iterdir()) + sorted((FIRMWARE / "platform").iterdir()) \
        + sorted((FIRMWARE / "include").iterdir())
    h = hashlib.sha256(str(software_dir).encode())
    for f in sources:
        h.update(f.name.encode() + f.read_bytes())
    out = build_root() / "membench" / h.hexdigest()[:16]
    binary = out / "membench.bin"
    if not binary.exists():
        r = subprocess.run(["make", "-s", "-C", str(FIRMWARE / "membench"), f"SOC_SW={software_dir}",
                            f"OUT={out}"], env=tool_env(), capture_output=True, text=True)
        if r.returncode != 0:
            raise UserError("membench build failed: " + (r.stdout + r.stderr)[-500:])
    return binary.read_bytes()


def run_membench(soc: SocBuild) -> MembenchResult:
    run = run_sim(soc, [(0, build_membench(soc.software_dir))], cycle_limit=100_000_000)
    results = protocol.membench(run.output)
    if set(results) != {"stream", "chase"}:
        raise ResultError(f"membench printed {sorted(results)}: {run.output[-300:]!r}")
    stream, chase = results["stream"], results["chase"]
    return MembenchResult(stream.cycles / (stream.bytes / LINE_BYTES),
                          chase.cycles / chase.loads, results)
