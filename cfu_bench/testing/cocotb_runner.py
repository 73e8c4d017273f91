"""Running a CFU design's cocotb tests on its generated Verilog with Verilator.

`cfu-bench test [NAME]` calls `run_cocotb`. The testbench of design NAME is
`cfu/NAME/tests/tb_NAME.py` (not named test_*.py, so pytest does not collect it directly;
the design's pytest suite calls this module instead). Builds go to
`build_root()/cocotb/<variant>/` and are reused while the Verilog is unchanged (a cold
Verilator build is most of a run: about 30 s for `template`, 50 s for `mac8`).

cocotb's seed comes from the one seed (`seeds`), so a run is reproducible; every failure
message carries the seed.
"""
import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from cfu_bench.designs import Design, load_design
from cfu_bench.errors import ResultError, UserError
from cfu_bench.paths import build_root
from cfu_bench.build.toolchain import tool_env

from . import seeds
from .cocotb_suite import DESIGN_ENV, DESIGN_PARAMS_ENV

TOPLEVEL = "Cfu"
# Amaranth's Verilog is clean but not Verilator-lint-clean (unused bits, wide constants).
VERILATOR_ARGS = ["-Wno-fatal", "-Wno-lint", "-Wno-style"]


@dataclass
class CocotbResults:
    design: str
    seed: int
    cases: dict = field(default_factory=dict)      # test name -> failure message, or None if it passed

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def failed(self) -> list[str]:
        return [name for name, message in self.cases.items() if message is not None]

    def summary(self) -> str:
        """One line: the counts, then the first failure (its command, the model's value and
        the CFU's answer, as the driver's assertion put them) and the seed."""
        if not self.failed:
            return f"{self.total - len(self.failed)}/{self.total} cocotb tests passed"
        first = self.failed[0]
        return (f"{len(self.failed)} of {self.total} cocotb tests failed; first: {first}: "
                f"{self.cases[first]} ({seeds.ENV_VAR}={self.seed} reproduces this run)")


@contextlib.contextmanager
def _simulation_environment(extra_paths):
    """Verilator on PATH (tool_env) and the testbench folder importable, for the runner's
    subprocesses, which inherit os.environ and get PYTHONPATH from sys.path."""
    saved_env, saved_path = dict(os.environ), list(sys.path)
    os.environ.update(tool_env())
    # Under pytest the runner would sys.exit on failing tests; we read the results ourselves.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    sys.path[:0] = [str(p) for p in extra_paths]
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path


def run_cocotb(design: Design | str, *, testcase: str | None = None, quiet: bool = True) -> CocotbResults:
    """Build the design's Verilog with Verilator and run its cocotb testbench."""
    from cocotb_tools.runner import get_runner

    if not isinstance(design, Design):
        design = load_design(design)
    tests_dir = design.tests_dir
    module = f"tb_{design.name}"
    if tests_dir is None or not (tests_dir / f"{module}.py").is_file():
        raise UserError(f"CFU design '{design.name}' has no cocotb testbench "
                        f"(expected {design.folder / 'tests' / (module + '.py') if design.folder else 'a design folder'})")

    seed = seeds.base_seed()
    build_dir = build_root() / "cocotb" / design.variant
    verilog = design.write_verilog(build_dir / "src")
    log = build_dir / "run.log" if quiet else None
    with _simulation_environment([tests_dir]):
        runner = get_runner("verilator")
        try:
            runner.build(sources=[verilog], hdl_toplevel=TOPLEVEL, build_dir=build_dir,
                         build_args=VERILATOR_ARGS,
                         log_file=build_dir / "build.log" if quiet else None)
        except (SystemExit, subprocess.CalledProcessError) as e:
            raise ResultError(f"Verilator could not build CFU design '{design.name}' ({e}); "
                              f"see {build_dir / 'build.log'}") from None
        results = build_dir / "results.xml"
        results.unlink(missing_ok=True)
        try:
            runner.test(test_module=module, hdl_toplevel=TOPLEVEL, build_dir=build_dir,
                        test_dir=build_dir, seed=seeds.derive("cocotb", design.variant),
                        testcase=testcase,
                        extra_env={DESIGN_ENV: design.name, DESIGN_PARAMS_ENV: json.dumps(design.params),
                                   seeds.ENV_VAR: str(seed)},
                        log_file=log)
        except SystemExit:
            pass   # a crashed simulation leaves no results file, handled below
    if not results.is_file():
        raise ResultError(f"the cocotb simulation of CFU design '{design.name}' ended abnormally"
                          + (f"; see {log}" if log else "") + f" ({seeds.reproduce_hint()})")
    return _read_results(results, design.name, seed)


def _read_results(path: Path, design: str, seed: int) -> CocotbResults:
    out = CocotbResults(design, seed)
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        message = None
        if problem is not None:
            message = (problem.get("message") or problem.text or "failed").strip().splitlines()[0]
        out.cases[case.get("name")] = message
    return out


def run_design_tests(design: Design | str, *, testcase: str | None = None, quiet: bool = True) -> CocotbResults:
    """Run the design's cocotb tests; the results when all pass, ResultError otherwise."""
    results = run_cocotb(design, testcase=testcase, quiet=quiet)
    if results.total == 0:
        raise ResultError(f"CFU design '{results.design}': no cocotb test ran")
    if results.failed:
        raise ResultError(f"CFU design '{results.design}': {results.summary()}")
    return results
