"""`cfu-bench new NAME`: a design folder of its own, anywhere (`./NAME` or `DIR/NAME`).

Amaranth (the default): a copy of the library's `cfu/template` (design.py, kernels/, tests/,
README). `--verilog`: `cfu.v` (CFU Playground's ports) and `design.toml` from
`cfu_bench/templates/verilog`, with the template's kernels, C model and cocotb tests, which
apply because the Verilog implements the same instructions. Both get a `pyproject.toml` that
depends on this cfu-bench, so `pytest` inside the folder runs the design's own tests.
"""
import re
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..errors import UserError
from ..paths import CFU_DESIGNS, TEMPLATES

TEMPLATE = "template"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_TEXT_SUFFIXES = {".py", ".c", ".h", ".md", ".v", ".toml"}
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "sim_build", "results.xml")


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise UserError(f"invalid design name '{name}': use lower-case letters, digits and _, "
                        "starting with a letter (at most 32 characters)")
    if name in ("none", TEMPLATE):
        raise UserError(f"'{name}' is reserved")


def new_design(name: str, designs_dir: Path | str = ".", verilog: bool = False,
               project_files: bool = True) -> Path:
    """Create designs_dir/name. project_files: add pyproject.toml and .gitignore (a design
    repository of its own); the library's own designs under cfu/ have none."""
    check_name(name)
    designs_dir = Path(designs_dir).expanduser()
    if not designs_dir.is_dir():
        raise UserError(f"folder not found: {designs_dir}")
    target = designs_dir / name
    if target.exists():
        raise UserError(f"{target} already exists; pick another name or remove it")
    source = CFU_DESIGNS / TEMPLATE
    if verilog:
        target.mkdir()
        shutil.copytree(TEMPLATES / "verilog", target, dirs_exist_ok=True, ignore=_IGNORE)
        shutil.copytree(source / "kernels", target / "kernels", ignore=_IGNORE)
        for f in (source / "tests").glob(f"*{TEMPLATE}*.py"):
            if not f.name.startswith("test_"):   # the Verilog folder has its own test file
                shutil.copyfile(f, target / "tests" / f.name)
    else:
        shutil.copytree(source, target, ignore=_IGNORE)
    if project_files:
        text = (TEMPLATES / "pyproject.toml").read_text().replace("CFU_BENCH_VERSION", _own_version())
        (target / "pyproject.toml").write_text(text)
        shutil.copyfile(TEMPLATES / "gitignore", target / ".gitignore")
    _rename(target, name)
    return target.resolve()


def _own_version() -> str:
    try:
        return version("cfu-bench")
    except PackageNotFoundError:   # run from a checkout without installing
        return "0.1.0"


def _rename(target: Path, name: str) -> None:
    # The templates name files and symbols after themselves (tb_template.py, template_emu.h,
    # ...): rename both so the new design is self-consistent.
    for path in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file() and path.suffix in _TEXT_SUFFIXES:
            path.write_text(path.read_text().replace(TEMPLATE, name))
        if TEMPLATE in path.name:
            path.rename(path.with_name(path.name.replace(TEMPLATE, name)))
