"""`cfu-bench test`: a design's cocotb tests on its Verilog, then its firmware self-test on the
simulated SoC (hardware instructions against their C emulation)."""
from dataclasses import dataclass

from . import cfu_test, simulate
from .errors import CfuBenchError
from .gateware.designs import load_design
from .progress import Progress


@dataclass
class Check:
    design: str
    what: str
    ok: bool
    detail: str


def verify_design(name: str, with_soc: bool = True, progress: Progress | None = None,
                  selftest_count: int = 2000) -> list[Check]:
    progress = progress or Progress(quiet=True)
    design = load_design(name)
    checks = []
    if design.tests_dir is not None:
        with progress.step(f"{name}: cocotb tests (Verilator)"):
            try:
                total, failed = cfu_test.run_cocotb(name, quiet=True)
                checks.append(Check(name, "cocotb", total > 0 and failed == 0,
                                    f"{total - failed}/{total} tests passed"))
            except CfuBenchError as e:
                checks.append(Check(name, "cocotb", False, str(e)))
    if with_soc and design.selftest_available:
        target = simulate.prepare(design, progress)
        with progress.step(f"{name}: firmware self-test on the simulated SoC"):
            result = simulate.selftest(target, count=selftest_count)
        checks.append(Check(name, "soc self-test", result.failed == 0,
                            f"{result.passed} agreed, {result.failed} differed from the C emulation"))
    return checks
