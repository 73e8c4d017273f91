"""Checking a design's C emulation (`kernels/<name>_emu.h`) against its Python golden model.

The emulation header follows one convention so one host harness serves every design:
`<name>_emu_state`, `<name>_emu_reset(state *)` and
`uint32_t <name>_emu_op(state *, unsigned funct3, unsigned funct7, uint32_t in0, uint32_t in1)`.
"""
import shutil
import subprocess
import tempfile
from pathlib import Path

from cfu_bench.errors import ToolMissing

RESET_LINE = "reset"

_HARNESS = r"""
#include <stdio.h>
#include <string.h>
#include "{name}_emu.h"

static {name}_emu_state state;

int main(void) {{
    char line[128];
    {name}_emu_reset(&state);
    while (fgets(line, sizeof line, stdin)) {{
        unsigned funct3, funct7, in0, in1;
        if (strncmp(line, "reset", 5) == 0) {{
            {name}_emu_reset(&state);
            continue;
        }}
        if (sscanf(line, "%u %u %x %x", &funct3, &funct7, &in0, &in1) != 4)
            return 2;
        printf("%08x\n", (unsigned){name}_emu_op(&state, funct3, funct7, in0, in1));
    }}
    return 0;
}}
"""


def host_compiler() -> str:
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        raise ToolMissing("no host C compiler; install it: apt-get install build-essential")
    return cc


def _define_flags(defines) -> list[str]:
    return [f"-D{k}={v}" for k, v in sorted((defines or {}).items())]


def build_emulator(name: str, kernels_dir: Path, out_dir: Path, defines: dict | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    src = out_dir / "emu_harness.c"
    src.write_text(_HARNESS.format(name=name))
    exe = out_dir / "emu_harness"
    subprocess.run([host_compiler(), "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror",
                    f"-I{kernels_dir}", *_define_flags(defines), str(src), "-o", str(exe)], check=True,
                   capture_output=True, text=True)
    return exe


def run_emulator(exe: Path, commands) -> list[int]:
    """commands: (funct3, funct7, in0, in1) tuples or RESET_LINE; one result per command."""
    lines = []
    for c in commands:
        lines.append(RESET_LINE if c == RESET_LINE else
                     f"{c[0]} {c[1]} {c[2] & 0xFFFFFFFF:x} {c[3] & 0xFFFFFFFF:x}")
    out = subprocess.run([str(exe)], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True).stdout
    return [int(v, 16) for v in out.split()]


def emulation_mismatches(name: str, kernels_dir: Path, model, commands, limit: int = 5,
                         defines: dict | None = None) -> list[str]:
    """Run the same commands through the C emulation and the Python model; describe the
    first `limit` disagreements (empty list: they agree)."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_emulator(name, kernels_dir, Path(tmp), defines)
        got = run_emulator(exe, commands)
    model.reset()
    problems = []
    results = iter(got)
    for c in commands:
        if c == RESET_LINE:
            model.reset()
            continue
        want = model.execute(*c) & 0xFFFFFFFF
        have = next(results)
        if have != want and len(problems) < limit:
            problems.append(f"{c}: C emulation {have:#010x}, model {want:#010x}")
    return problems


_STDIO_STUB = "int printf(const char *fmt, ...);\n"


def compile_for_target(sources, include_dirs, out_dir: Path, defines: dict | None = None) -> None:
    """Compile C sources for the SoC's CPU with the firmware's warning flags, to catch code that
    does not build there (e.g. non-constant funct3). picolibc is not built here, so <stdio.h>
    is a one-line stub; linking is the firmware build's job."""
    from cfu_bench.paths import FIRMWARE
    from cfu_bench.build.toolchain import riscv_gcc
    out_dir.mkdir(parents=True, exist_ok=True)
    stub = out_dir / "stub_include"
    stub.mkdir(exist_ok=True)
    (stub / "stdio.h").write_text(_STDIO_STUB)
    firmware_includes = [FIRMWARE / "include", FIRMWARE / "runtime", FIRMWARE / "kernels"]
    for src in sources:
        cmd = [riscv_gcc(), "-march=rv32im_zicsr", "-mabi=ilp32", "-O2", "-std=gnu11",
               "-Wall", "-Wextra", "-Werror", "-ffreestanding",
               *[f"-I{d}" for d in [*firmware_includes, *include_dirs, stub]], *_define_flags(defines),
               "-c", str(src), "-o", str(out_dir / (Path(src).stem + ".o"))]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"{Path(src).name} does not compile for the CPU:\n{result.stderr}")
