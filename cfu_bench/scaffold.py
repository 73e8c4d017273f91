"""`cfu-bench new NAME`: a new CFU design folder copied from cfu/template."""
import re
import shutil
from pathlib import Path

from .errors import UserError
from .paths import CFU_DESIGNS

TEMPLATE = "template"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def new_design(name: str, designs_dir: Path = CFU_DESIGNS) -> Path:
    if not _NAME.match(name):
        raise UserError(f"invalid design name '{name}': use lower-case letters, digits and _, "
                        "starting with a letter (at most 32 characters)")
    if name in ("none", TEMPLATE):
        raise UserError(f"'{name}' is reserved")
    target = designs_dir / name
    if target.exists():
        raise UserError(f"{target} already exists; pick another name or remove it")
    source = designs_dir / TEMPLATE
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # The template names its files and symbols after itself (tb_template.py, template_emu.h,
    # ...): rename both so the new design is self-consistent.
    for path in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file() and path.suffix in {".py", ".c", ".h", ".md", ".v"}:
            path.write_text(path.read_text().replace(TEMPLATE, name))
        if TEMPLATE in path.name:
            path.rename(path.with_name(path.name.replace(TEMPLATE, name)))
    return target
