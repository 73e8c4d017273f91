"""cfu-bench as a tool you install, with designs in a folder of your own (issue 24).

The wheel is built from a copy of this tree and installed, not editable, into a fresh venv
outside the repository; no repository source folder is on its sys.path. Its dependencies are
this venv's installed packages, reached through a path file (nothing is downloaded). In a
temporary folder, for an Amaranth design and a plain-Verilog one: `cfu-bench new`, `pytest`
inside the new folder, `cfu-bench test`, `cfu-bench profile ad` with the design's own
FULLY_CONNECTED kernel, bit-exact; and nothing written into site-packages meanwhile.

Builds go to the suite's build root (CFU_BENCH_BUILD): a copy made by `cfu-bench new` yields
the template's Verilog, so its SoC builds are the ones the rest of the suite uses.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from cfu_bench import paths

REPO = paths.REPO
# what is not source: never copied into the tree the wheel is built from
_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache", "sim_build",
                                   "results.xml")
_AT_ROOT = {".git", ".venv", "build", "dist"}   # build/ at the root only: cfu_bench may have a build/


def _not_source(folder, names):
    return set(_ANYWHERE(folder, names)) | (_AT_ROOT & set(names) if Path(folder) == REPO else set())

pytestmark = pytest.mark.skipif(not paths.IN_CHECKOUT, reason="builds the wheel from a checkout")


def build_wheel(out: Path) -> Path:
    """The wheel of a clean copy of the tree (setuptools would leave build/lib in the tree,
    and reuse stale files from it)."""
    src = out / "src"
    shutil.copytree(REPO, src, ignore=_not_source)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(out / "dist"), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    (wheel,) = (out / "dist").glob("cfu_bench-*.whl")
    return wheel


def dependency_paths() -> list[str]:
    """The site-packages folders this interpreter imports from (this venv's, and any a path
    file of it adds), where every dependency is installed. A path file adds them to the new
    venv; path files inside them (this checkout's editable install) are not run there."""
    found = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             *(p for p in sys.path if p and {"site-packages", "dist-packages"} & set(Path(p).parts))]
    return list(dict.fromkeys(str(Path(p).resolve()) for p in found if Path(p).is_dir()))


def make_venv(where: Path, wheel: Path) -> Path:
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "zz_cfu_bench_dependencies.pth").write_text("\n".join(dependency_paths()) + "\n")
    # pip comes through the path file too; --no-deps: the dependencies are already there
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    return site


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


class Installed:
    def __init__(self, root: Path):
        self.venv = root / "venv"
        self.site = make_venv(self.venv, build_wheel(root))
        self.before = snapshot(self.site)
        self.work = root / "work"
        self.work.mkdir()
        # the dependencies' programs (meson, ninja, yosys...) as their venvs installed them
        tools = [str(Path(p).parents[2] / "bin") for p in dependency_paths()
                 if (Path(p).parents[2] / "bin").is_dir()]
        self.env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
        self.env.update(PATH=os.pathsep.join([str(self.venv / "bin"), *dict.fromkeys(tools), os.environ["PATH"]]),
                        CFU_BENCH_BUILD=str(paths.build_root()))

    def run(self, *args, cwd=None, timeout=900) -> str:
        proc = subprocess.run(list(args), cwd=cwd or self.work, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        return proc.stdout

    def cfu_bench(self, *args, **kw) -> str:
        return self.run(str(self.venv / "bin" / "cfu-bench"), *args, **kw)

    def python(self, *args, **kw) -> str:
        return self.run(str(self.venv / "bin" / "python"), *args, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    inst = Installed(tmp_path_factory.mktemp("wheel"))
    yield inst
    assert snapshot(inst.site) == inst.before, "something was written into site-packages"


def test_the_installed_package_is_the_wheel_and_caches_outside_it(installed, tmp_path):
    probe = ("import json, sys, cfu_bench, cfu_bench.paths as p; "
             "print(json.dumps([cfu_bench.__file__, sys.path, p.IN_CHECKOUT, str(p.build_root()), "
             "str(p.FIRMWARE)]))")
    env = dict(installed.env, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    del env["CFU_BENCH_BUILD"]
    proc = subprocess.run([installed.venv / "bin" / "python", "-c", probe], cwd=installed.work, env=env,
                          capture_output=True, text=True, check=True)
    module, sys_path, in_checkout, build, firmware = json.loads(proc.stdout)
    assert Path(module).is_relative_to(installed.site) and not in_checkout
    sources = [REPO, *(REPO / d for d in ("cfu_bench", "cfu", "soc", "sim", "firmware", "gateware"))]
    assert not [p for p in sys_path if p and Path(p).resolve() in sources], sys_path
    assert Path(build) == tmp_path / "xdg" / "cfu-bench"
    assert Path(firmware) == installed.site / "cfu_bench" / "firmware"
    assert (Path(firmware) / "platform" / "linker.ld").is_file()


def _profile_fc_kernel(installed, design: str, kernel: str):
    out = installed.work / f"{design}-ad.json"
    text = installed.cfu_bench("profile", "ad", "--cfu", f"./{design}", "--memory", "ideal", "--inputs", "1",
                               "--json", str(out), "--quiet")
    result = json.loads(out.read_text())
    assert result["bit_exact"] and result["cfu"] == design and result["memory"] == "ideal"
    fc = [l for l in result["layers"] if l["op"] == "FULLY_CONNECTED"]
    assert fc and all(l["kernel"] == kernel and l["bit_exact"] for l in fc), result["layers"]
    assert f" {kernel} " in text, text
    return text


@pytest.mark.slow   # SoC builds shared with the suite; Verilator builds of the design's cocotb tests
def test_an_amaranth_design_in_a_folder_of_its_own(installed):
    installed.cfu_bench("new", "mycfu")
    folder = installed.work / "mycfu"
    assert {p.name for p in folder.iterdir()} >= {"design.py", "kernels", "tests", "README.md", "pyproject.toml"}
    tests = installed.python("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=folder)
    assert " passed" in tests and "failed" not in tests and "skipped" not in tests, tests
    checks = installed.cfu_bench("test", "./mycfu", "--quiet")
    assert "PASS  mycfu        cocotb" in checks and "PASS  mycfu        soc self-test" in checks, checks
    _profile_fc_kernel(installed, "mycfu", "mycfu_fc")


@pytest.mark.slow   # one SoC build of its own (ideal memory)
def test_a_plain_verilog_design_with_its_own_kernel(installed):
    installed.cfu_bench("new", "myv", "--verilog")
    folder = installed.work / "myv"
    assert {p.name for p in folder.iterdir()} >= {"cfu.v", "design.toml", "kernels", "tests", "pyproject.toml"}
    tests = installed.python("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=folder)
    assert " passed" in tests and "failed" not in tests, tests
    # ideal memory: the one SoC build of this CFU serves the self-test and the profile
    checks = installed.cfu_bench("test", "./myv", "--memory", "ideal", "--quiet")
    assert "PASS  myv          cocotb" in checks and "PASS  myv          soc self-test" in checks, checks
    _profile_fc_kernel(installed, "myv", "myv_fc")
