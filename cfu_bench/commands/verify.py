"""`cfu-bench test`: a design's cocotb tests on its Verilog, then its firmware self-test on the
simulated SoC (hardware instructions against their C emulation)."""
from dataclasses import dataclass

from ..run import simulate
from ..testing import seeds
from ..testing.cocotb_runner import run_cocotb
from ..errors import CfuBenchError
from ..designs import load_design
from ..progress import Progress


@dataclass
class Check:
    design: str
    what: str
    ok: bool
    detail: str


def verify_design(name: str, with_soc: bool = True, progress: Progress | None = None,
                  selftest_count: int = 2000, params: dict | None = None,
                  memory: str = simulate.DEFAULT_MEMORY) -> list[Check]:
    progress = progress or Progress(quiet=True)
    design = load_design(name, **(params or {}))
    name = design.variant if design.key_params else design.name   # a folder's design by its name
    checks = []
    if design.tests_dir is not None:
        with progress.step(f"{name}: cocotb tests (Verilator)"):
            try:
                results = run_cocotb(design)
                checks.append(Check(name, "cocotb", results.total > 0 and not results.failed,
                                    results.summary()))
            except CfuBenchError as e:
                checks.append(Check(name, "cocotb", False, str(e)))
    if with_soc and design.selftest_available:
        target = simulate.prepare(design, progress, memory=memory)
        with progress.step(f"{name}: firmware self-test on the simulated SoC"):
            result = simulate.selftest(target, count=selftest_count, seed=seeds.derive("selftest", name))
        checks.append(Check(name, "soc self-test", result.failed == 0,
                            f"{result.passed} agreed, {result.failed} differed from the C emulation"
                            + ("" if result.failed == 0 else f" ({seeds.reproduce_hint()})")))
    return checks
