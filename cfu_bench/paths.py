"""Where sources and build products live.

cfu-bench runs from two layouts with the same folder names:

- a checkout of its repository: the sources are the repository's top-level folders
  (`firmware/`, `cfu/`, `soc/`, ...), and builds go to `build/` at the repository root, so
  `make bench`, `make test` and `make clean` see one folder;
- an installed wheel: the same folders are package data inside `cfu_bench/` (pyproject maps
  them there), and builds go to a per-user cache folder, never into site-packages.

Either way `$CFU_BENCH_BUILD`, when set, is the build root. Every build product (SoC builds,
Verilated models, firmware, cached results) goes under that one root, so `cfu-bench clean`
removes all of it.
"""
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _is_checkout(root: Path) -> bool:
    """The package sits in a source tree (editable install, or run from the repository)
    rather than in site-packages: the repository's own files are beside it."""
    return (root / "pyproject.toml").is_file() and (root / "firmware").is_dir() and (root / "cfu").is_dir()


IN_CHECKOUT = _is_checkout(PACKAGE.parent)
# The folder holding firmware/, cfu/, soc/, sim/, gateware/ and benchmarks/: the repository
# root in a checkout, the package itself once installed.
REPO = PACKAGE.parent if IN_CHECKOUT else PACKAGE
GATEWARE = REPO / "gateware"
CFU_DESIGNS = REPO / "cfu"
SOC = REPO / "soc"
SIM = REPO / "sim"
FIRMWARE = REPO / "firmware"
BENCHMARKS = REPO / "benchmarks"
MODELS = BENCHMARKS / "models"
ZOO = MODELS / "zoo"
TEMPLATES = PACKAGE / "templates"
# The recorded results `cfu-bench bench` rewrites: the repository's own in a checkout; an
# installed package must not write into itself, so there they go to the build root.
RESULTS = BENCHMARKS / "results" if IN_CHECKOUT else None


def user_cache_dir() -> Path:
    """The per-user cache folder (XDG base directories): $XDG_CACHE_HOME/cfu-bench, else
    ~/.cache/cfu-bench."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "cfu-bench"


def build_root() -> Path:
    env = os.environ.get("CFU_BENCH_BUILD")
    if env:
        return Path(env).expanduser().resolve()
    return (REPO / "build").resolve() if IN_CHECKOUT else user_cache_dir()


def results_dir() -> Path:
    """Where `cfu-bench bench` writes results.md, summary.json and its per-run JSON."""
    return RESULTS if RESULTS is not None else build_root() / "bench-results"
