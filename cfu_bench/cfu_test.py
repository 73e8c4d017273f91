"""Running a CFU design's cocotb tests on its generated Verilog with Verilator.

`cfu-bench test [NAME]` calls `run_design_tests`. The testbench of design NAME is
`cfu/NAME/tests/tb_NAME.py` (not named test_*.py, so pytest does not collect it directly;
the design's pytest entry calls this module instead). Builds go to
`build_root()/cocotb/<design>[-<params>]/` and are reused while the Verilog is unchanged
(a cold Verilator build is most of a run: about 30 s for `template`, 50 s for `mac8`).
"""
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from cfu_bench.errors import ResultError, UserError
from cfu_bench.gateware.designs import load_design
from cfu_bench.paths import build_root
from cfu_bench.toolchain import tool_env

TOPLEVEL = "Cfu"
# Amaranth's Verilog is clean but not Verilator-lint-clean (unused bits, wide constants).
VERILATOR_ARGS = ["-Wno-fatal", "-Wno-lint", "-Wno-style"]


def _variant_name(name: str, params: dict) -> str:
    if not params:
        return name
    return name + "-" + "-".join(f"{k}{v}" for k, v in sorted(params.items()))


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


def run_cocotb(name: str, params: dict | None = None, *, seed: int | None = None,
               testcase: str | None = None, quiet: bool = False) -> tuple[int, int]:
    """Build and run; return (tests run, tests failed)."""
    from cocotb_tools.check_results import get_results
    return get_results(_build_and_run(name, params, seed=seed, testcase=testcase, quiet=quiet))


def run_cocotb_cases(name: str, params: dict | None = None, *, seed: int | None = None,
                     quiet: bool = True) -> dict[str, bool]:
    """Build and run; return {test name: passed}."""
    from xml.etree import ElementTree
    results = _build_and_run(name, params, seed=seed, quiet=quiet)
    cases = {}
    for case in ElementTree.parse(results).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        cases[case.get("name")] = not failed
    return cases


def _build_and_run(name: str, params: dict | None, *, seed: int | None, testcase: str | None = None,
                   quiet: bool) -> Path:
    from cocotb_tools.runner import get_runner

    params = dict(params or {})
    design = load_design(name, **params)
    tests_dir = design.tests_dir
    module = f"tb_{design.name}"
    if tests_dir is None or not (tests_dir / f"{module}.py").is_file():
        raise UserError(f"CFU design '{design.name}' has no cocotb testbench "
                        f"(expected cfu/{design.name}/tests/{module}.py)")

    variant = _variant_name(design.name, params)
    build_dir = build_root() / "cocotb" / variant
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
                        test_dir=build_dir, seed=seed, testcase=testcase,
                        extra_env={"CFU_BENCH_DESIGN": design.name,
                                   "CFU_BENCH_PARAMS": json.dumps(params)},
                        log_file=log)
        except SystemExit:
            pass   # a crashed simulation leaves no results file, handled below
    if not results.is_file():
        raise ResultError(f"the cocotb simulation of CFU design '{design.name}' ended abnormally"
                          + (f"; see {log}" if log else ""))
    return results


def run_design_tests(name: str, params: dict | None = None, *, seed: int | None = None,
                     testcase: str | None = None, quiet: bool = False) -> bool:
    """Run design NAME's cocotb tests; True when all pass, ResultError otherwise."""
    total, failed = run_cocotb(name, params, seed=seed, testcase=testcase, quiet=quiet)
    if total == 0:
        raise ResultError(f"CFU design '{name}': no cocotb test ran")
    if failed:
        raise ResultError(f"CFU design '{name}': {failed} of {total} cocotb tests failed")
    return True
