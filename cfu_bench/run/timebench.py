"""The timing micro-benchmarks (firmware/timebench) on both simulators: one small loop per rule
of the fast simulation's timing model, whose mcycle figures must agree exactly."""

from . import protocol
from ..errors import ResultError
from ..sim.build import SocBuild
from ..build.microbench import build_microbench


def build_timebench(software_dir) -> bytes:
    return build_microbench("timebench", software_dir)


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
