"""The runtime builds for the VexRiscv target (rv32im, freestanding, -Wall -Wextra clean) and
needs nothing from a C library beyond memcpy/memmove/memset; the rest is libgcc."""
import shutil
import subprocess
from pathlib import Path

import pytest

from cfu_bench.build import hostrt
from cfu_bench.paths import FIRMWARE

GCC = shutil.which("riscv64-unknown-elf-gcc")
NM = shutil.which("riscv64-unknown-elf-nm")
FLAGS = ["-march=rv32im_zicsr", "-mabi=ilp32", "-O2", "-std=c11", "-ffreestanding", "-Wall", "-Wextra",
         "-Werror"]
ALLOWED = {"memcpy", "memmove", "memset", "cfub_cycles", "cfub_puts"}
FIXTURE = Path(__file__).resolve().parent / "accel_fixture" / "test_accel.c"

pytestmark = pytest.mark.skipif(GCC is None or NM is None, reason="riscv64-unknown-elf-gcc not installed")


@pytest.fixture(scope="module")
def objects(tmp_path_factory):
    out = tmp_path_factory.mktemp("rv32")
    objs = []
    for src in hostrt.runtime_sources():
        obj = out / (src.parent.name + "_" + src.stem + ".o")
        res = subprocess.run([GCC, *FLAGS, "-c", str(src), "-o", str(obj)], capture_output=True, text=True)
        assert res.returncode == 0 and not res.stderr, f"{src}:\n{res.stderr}"
        objs.append(obj)
    return objs


def test_every_source_compiles_cleanly(objects):
    assert len(objects) == len(hostrt.runtime_sources()) >= 17


def test_only_libgcc_and_string_functions_needed(objects):
    res = subprocess.run([NM, "-u", *map(str, objects)], capture_output=True, text=True, check=True)
    undefined = {line.split()[-1] for line in res.stdout.splitlines() if line.strip() and ":" not in line}
    internal = set()
    res = subprocess.run([NM, "--defined-only", *map(str, objects)], capture_output=True, text=True, check=True)
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            internal.add(parts[2])
    external = undefined - internal
    libc = {s for s in external if not s.startswith("__")} - ALLOWED
    assert not libc, f"runtime needs C library functions: {sorted(libc)}"


def test_accel_example_compiles_for_target(tmp_path):
    res = subprocess.run([GCC, *FLAGS, f"-I{FIRMWARE / 'runtime'}", f"-I{FIRMWARE / 'kernels'}", "-c",
                          str(FIXTURE), "-o", str(tmp_path / "accel.o")], capture_output=True, text=True)
    assert res.returncode == 0 and not res.stderr, res.stderr
