"""The timing micro-benchmarks (firmware/timebench) on both simulators: one small loop per rule
of the fast simulation's timing model, whose mcycle figures must agree exactly."""
import hashlib
import subprocess

from . import protocol
from ..errors import ResultError, UserError
from ..paths import FIRMWARE, build_root
from ..sim.build import SocBuild
from ..build.toolchain import riscv_gcc, tool_env


def build_timebench(software_dir) -> bytes:
    riscv_gcc()
    sources = sorted((FIRMWARE / "timebench").iterdir()) + sorted((FIRMWARE / "platform").iterdir()) \
        + sorted((FIRMWARE / "include").iterdir())
    h = hashlib.sha256(str(software_dir).encode())
    for f in sources:
        h.update(f.name.encode() + f.read_bytes())
    out = build_root() / "timebench" / h.hexdigest()[:16]
    binary = out / "timebench.bin"
    if not binary.exists():
        r = subprocess.run(["make", "-s", "-C", str(FIRMWARE / "timebench"),
                            f"SOC_SW={software_dir}", f"OUT={out}"], env=tool_env(),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise UserError("timebench build failed: " + (r.stdout + r.stderr)[-500:])
    return binary.read_bytes()


def _results(output: str) -> dict[str, int]:
    results = protocol.timebench(output)
    if not results:
        raise ResultError(f"timebench printed no results: {output[-300:]!r}")
    return results


def run_timebench_rtl(soc: SocBuild) -> dict[str, int]:
    from ..sim.run import run_sim
    return _results(run_sim(soc, [(0, build_timebench(soc.software_dir))], 50_000_000).output)


def run_timebench_fast(soc: SocBuild, design, memory: str) -> dict[str, int]:
    from ..sim.fast_sim import build_fastsim, run_fast
    return _results(run_fast(build_fastsim(design), soc.csr_json, memory,
                             [(0, build_timebench(soc.software_dir))], 50_000_000).output)
