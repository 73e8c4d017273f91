"""The memory microbenchmark (firmware/membench) on the simulated SoC: cycles per load for
streaming reads and for dependent (pointer-chasing) loads, with memory ddr3 or ideal."""
from dataclasses import dataclass

from ..run import protocol
from ..errors import ResultError
from ..sim.build import SocBuild
from ..sim.run import run_sim
from .microbench import build_microbench

LINE_BYTES = 32  # VexRiscv's D-cache line, as firmware/membench/membench.c assumes


@dataclass
class MembenchResult:
    stream_cycles_per_line: float   # per 32-byte D-cache line read in order
    chase_cycles_per_load: float    # per dependent load, each a D-cache miss
    raw: dict


def build_membench(software_dir) -> bytes:
    return build_microbench("membench", software_dir)


def run_membench(soc: SocBuild) -> MembenchResult:
    run = run_sim(soc, [(0, build_membench(soc.software_dir))], cycle_limit=100_000_000)
    results = protocol.membench(run.output)
    if set(results) != {"stream", "chase"}:
        raise ResultError(f"membench printed {sorted(results)}: {run.output[-300:]!r}")
    stream, chase = results["stream"], results["chase"]
    return MembenchResult(stream.cycles / (stream.bytes / LINE_BYTES),
                          chase.cycles / chase.loads, results)
