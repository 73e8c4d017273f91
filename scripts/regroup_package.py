#!/usr/bin/env python3
"""Regroup the flat `cfu_bench` package by the flow a run takes (issue 24, item 4).

    python scripts/regroup_package.py [--root DIR] [--dry-run]

`git mv`s the known modules into subpackages and rewrites every import and mention of them
in the tree (cfu_bench, tests, cfu, soc, sim, gateware, benchmarks, scripts, docs, pyproject):

    cfu_bench/model/     the model and its golden outputs: reading .tflite, building test
                         models, TFLM's outputs, per-layer info, the benchmark registry
    cfu_bench/build/     building what runs: toolchain, firmware, RAM images, host runtime
    cfu_bench/run/       running on a target: targets, the simulator, the board, the protocol
    cfu_bench/results/   what a run yields: reports, mismatch dumps, FPGA resources
    cfu_bench/commands/  the commands built on them: profile, bench, sweep, mlperf, test, new, cli

Modules it does not know (added since it was written) stay where they are and are listed;
their imports of moved modules are rewritten like everyone else's. Relative imports stay
relative (recomputed from the module's new place), absolute ones absolute;
`from cfu_bench import a, b` is split when a and b now live in different subpackages.
Run it on a clean tree, then the test suite. Idempotent: a second run finds nothing to move.
"""
import argparse
import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

TOP = "cfu_bench"
MOVES = {
    "model": ["tflite_model", "tflite_builder", "golden", "model_info", "models_registry",
              "model_catalog", "model_summary"],
    "build": ["toolchain", "firmware_build", "ram_image", "hostrt", "membench"],
    "run": ["targets", "simulate", "protocol", "trace", "board", "timebench"],
    "results": ["report", "mismatch", "resources"],
    "commands": ["cli", "profile", "suite", "sweep", "mlperf", "verify", "scaffold", "calibrate"],
}
# what stays at the top: used by every stage, or the public face of the package
KEEP = {"__init__", "paths", "errors", "progress", "file_lock", "designs", "design", "testing", "templates"}
DOCS = {
    "model": "The model and its golden outputs: reading .tflite files, building small test models,\n"
             "TFLM's outputs for the bit-exactness check, per-layer info, the benchmark registry.",
    "build": "Building what runs: the toolchain, the firmware, main RAM images, the host runtime.",
    "run": "Running on a target: the simulated SoC and the board, and the protocol of their output.",
    "results": "What a run yields: reports (table, JSON, CSV, plot), mismatch dumps, FPGA resources.",
    "commands": "The commands built on the stages: profile, the benchmark suite, sweeps, MLPerf Tiny,\n"
                "test, new, and the click CLI over them.",
}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".txt", ".sh", ".yml", ".yaml", ".c", ".h", ".json"}
TEXT_NAMES = {"Makefile"}
LINE = 110


def git(root: Path, *args) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def tree_files(root: Path) -> list[Path]:
    names = git(root, "ls-files").splitlines() + git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    return sorted({root / n for n in names if (root / n).is_file()})


def package_dirs(root: Path) -> dict[str, str]:
    """folder (relative, '/'-separated) -> package name, from pyproject's package-dir."""
    conf = tomllib.loads((root / "pyproject.toml").read_text())
    mapping = conf.get("tool", {}).get("setuptools", {}).get("package-dir", {}) or {TOP: TOP}
    return {folder.rstrip("/"): pkg for pkg, folder in mapping.items()}


def package_of(rel: str, dirs: dict[str, str]) -> str | None:
    """The package a .py file at rel belongs to (its __package__), or None outside packages."""
    folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
    best = max((d for d in dirs if folder == d or folder.startswith(d + "/")), key=len, default=None)
    if best is None:
        return None
    rest = folder[len(best):].strip("/")
    return dirs[best] + ("." + rest.replace("/", ".") if rest else "")


def plan(root: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(old dotted name -> new, modules not known to this script, known modules not found)."""
    pkg = root / TOP
    rename, missing = {}, []
    for sub, names in MOVES.items():
        for n in names:
            if (pkg / f"{n}.py").is_file() or (pkg / n / "__init__.py").is_file():
                rename[f"{TOP}.{n}"] = f"{TOP}.{sub}.{n}"
            elif not ((pkg / sub / f"{n}.py").is_file() or (pkg / sub / n).is_dir()):
                missing.append(n)
    present = {p.stem for p in pkg.glob("*.py")} | {p.name for p in pkg.iterdir()
                                                     if p.is_dir() and p.name != "__pycache__"}
    known = KEEP | set(MOVES) | {n for names in MOVES.values() for n in names}
    unknown = sorted(present - known)
    return rename, unknown, missing


def renamed(name: str, rename: dict[str, str]) -> str:
    for old in sorted(rename, key=len, reverse=True):
        if name == old or name.startswith(old + "."):
            return rename[old] + name[len(old):]
    return name


def _import_text(indent: str, module: str, aliases: list[ast.alias]) -> str:
    names = [a.name + (f" as {a.asname}" if a.asname else "") for a in aliases]
    head = f"{indent}from {module} import "
    line = head + ", ".join(names)
    if len(line) <= LINE:
        return line
    lines, cur = [], head + "("
    for i, n in enumerate(names):
        piece = n + (", " if i < len(names) - 1 else ")")
        if len(cur) + len(piece.rstrip()) > LINE and cur.strip() not in ("", head.strip() + " ("):
            lines.append(cur.rstrip())
            cur = " " * len(head + "(")
        cur += piece
    lines.append(cur)
    return "\n".join(lines)


def _relative(from_package: str, target: str) -> str | None:
    p, t = from_package.split("."), target.split(".")
    common = 0
    while common < min(len(p), len(t)) and p[common] == t[common]:
        common += 1
    if common == 0:
        return None
    return "." * (len(p) - common + 1) + ".".join(t[common:])


def rewrite_imports(source: str, old_pkg: str | None, new_pkg: str | None, rename: dict[str, str]) -> str:
    """Every `from X import ...` whose module or names moved, or that is relative in a module
    that moved, rewritten for the new layout."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for l in lines:
        offsets.append(offsets[-1] + len(l))
    edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            if old_pkg is None:
                continue
            base = old_pkg.split(".")
            base = base[:len(base) - (node.level - 1)]
            absolute = ".".join(base + ([node.module] if node.module else []))
        else:
            absolute = node.module or ""
        if absolute != TOP and not absolute.startswith(TOP + "."):
            continue
        groups: dict[str, list[ast.alias]] = {}
        for a in node.names:
            full = f"{absolute}.{a.name}"
            moved = renamed(full, rename)
            target = moved.rsplit(".", 1)[0] if moved != full else renamed(absolute, rename)
            groups.setdefault(target, []).append(a)
        if list(groups) == [absolute] and (not node.level or old_pkg == new_pkg):
            continue
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
        texts = []
        for target, aliases in groups.items():
            module = (_relative(new_pkg, target) if node.level and new_pkg else None) or target
            texts.append(_import_text(indent, module, aliases))
        start = offsets[node.lineno - 1] + node.col_offset
        end = offsets[node.end_lineno - 1] + node.end_col_offset
        edits.append((start, end, "\n".join(texts).lstrip()))
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    return source


def rewrite_mentions(text: str, rename: dict[str, str]) -> str:
    """Dotted names (imports, mock targets, `python -m`, entry points) and file paths."""
    for old in sorted(rename, key=len, reverse=True):
        new = rename[old]
        text = re.sub(r"(?<![\w.])" + re.escape(old) + r"(?!\w)", new, text)
        old_path, new_path = old.replace(".", "/"), new.replace(".", "/")
        text = re.sub(r"(?<![\w/])" + re.escape(old_path) + r"(?=\.py\b|/)", new_path, text)
    return text


def regroup(root: Path, dry_run: bool = False) -> dict:
    rename, unknown, missing = plan(root)
    report = {"moved": rename, "unknown": unknown, "missing": missing, "rewritten": []}
    if not rename or dry_run:
        return report
    dirs = package_dirs(root)
    script = Path(__file__).resolve()
    moved_paths = {old.replace(".", "/"): new.replace(".", "/") for old, new in rename.items()}

    def new_rel(rel: str) -> str:
        for old, new in moved_paths.items():
            if rel == old + ".py" or rel.startswith(old + "/"):
                return new + rel[len(old):]
        return rel

    # 1. rewrite every file where it is, knowing where it will go
    for path in tree_files(root):
        if path.resolve() == script or not (path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES):
            continue
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = text
        if path.suffix == ".py":
            new_dirs = {**dirs}
            new = rewrite_imports(new, package_of(rel, dirs), package_of(new_rel(rel), new_dirs), rename)
        new = rewrite_mentions(new, rename)
        if new != text:
            path.write_text(new)
            report["rewritten"].append(rel)
    # 2. the subpackages, then the moves
    for sub in MOVES:
        folder = root / TOP / sub
        if any(v.startswith(f"{TOP}.{sub}.") for v in rename.values()):
            folder.mkdir(exist_ok=True)
            init = folder / "__init__.py"
            if not init.exists():
                init.write_text(f'"""{DOCS[sub]}"""\n')
                git(root, "add", str(init.relative_to(root)))
    for old, new in rename.items():
        src = root / old.replace(".", "/")
        src = src if src.is_dir() else src.with_suffix(".py")
        dst = root / new.replace(".", "/")
        dst = dst if src.is_dir() else dst.with_suffix(".py")
        git(root, "mv", str(src.relative_to(root)), str(dst.relative_to(root)))
    # 3. setuptools lists packages explicitly: add the new ones
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    subs = [f'"{TOP}.{s}"' for s in MOVES if f'"{TOP}.{s}"' not in text and (root / TOP / s).is_dir()]
    if subs:
        new_text = text.replace(f'packages = ["{TOP}", ', f'packages = ["{TOP}", {", ".join(subs)},\n            ', 1)
        if new_text == text:
            report["unknown"].append("pyproject.toml: packages list not found; add " + ", ".join(subs))
        pyproject.write_text(new_text)
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    args = ap.parse_args(argv)
    report = regroup(args.root.resolve(), args.dry_run)
    for old, new in report["moved"].items():
        print(f"{'would move' if args.dry_run else 'moved'} {old} -> {new}")
    for n in report["unknown"]:
        print(f"left in place (not known to this script): {TOP}.{n}" if "." not in n and ":" not in n else n)
    for n in report["missing"]:
        print(f"not found (already moved or removed): {TOP}.{n}")
    if report["rewritten"]:
        print(f"rewrote {len(report['rewritten'])} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
