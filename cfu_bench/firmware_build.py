"""Cross-compile the firmware for one SoC software tree and one CFU design, cached by content."""
import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile

from .errors import UserError
from .paths import FIRMWARE, build_root
from .toolchain import riscv_gcc, tool_env

_FIRMWARE_SUFFIXES = {".c", ".h", ".S", ".ld", ".mk"}


@dataclass(frozen=True)
class Firmware:
    elf: Path
    binary: bytes
    data_offset: int  # where the data block goes, from the start of main RAM


def _sources_digest(files: list[Path], extra: str) -> str:
    h = hashlib.sha256(extra.encode())
    for f in sorted(files):
        h.update(str(f).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def define_flags(defines: dict | None) -> list[str]:
    return [f"-D{k}={v}" for k, v in sorted((defines or {}).items())]


def build_firmware(software_dir: Path, kernel_sources: list[Path] = (),
                   include_dirs: list[Path] = (), selftest: bool = False,
                   mlperf: bool = False, defines: dict | None = None) -> Firmware:
    """mlperf: the MLPerf Tiny protocol firmware (firmware/mlperf/) instead of the CFUB run.
    defines: the design's build-time constants for its parameters (Design.kernel_defines)."""
    riscv_gcc()
    own = [p for p in FIRMWARE.rglob("*") if p.suffix in _FIRMWARE_SUFFIXES or p.name == "Makefile"]
    headers = [p for d in include_dirs for p in Path(d).rglob("*.h")]
    key = _sources_digest(own + list(kernel_sources) + headers,
                          f"{software_dir}|{selftest}|{sorted(map(str, include_dirs))}"
                          + ("|mlperf" if mlperf else "")
                          + (f"|{define_flags(defines)}" if defines else ""))
    out = build_root() / "firmware" / key
    binary = out / "firmware.bin"
    if not binary.exists():
        cmd = ["make", "-s", "-j2", "-C", str(FIRMWARE), f"SOC_SW={software_dir}", f"OUT={out}",
               "CFU_SOURCES=" + " ".join(str(p) for p in kernel_sources),
               "CFU_INCLUDES=" + " ".join(str(p) for p in include_dirs),
               f"CFU_SELFTEST={int(selftest)}", f"MLPERF={int(mlperf)}"]
        if defines:
            cmd.append("EXTRA_CFLAGS=" + " ".join(define_flags(defines)))
        r = subprocess.run(cmd, env=tool_env(), capture_output=True, text=True)
        if r.returncode != 0:
            errors = [l for l in (r.stdout + r.stderr).splitlines() if "error" in l.lower()]
            raise UserError("firmware build failed: " + (" | ".join(errors[:3]) or r.stderr[-300:]))
    elf = out / "firmware.elf"
    return Firmware(elf, binary.read_bytes(), _data_offset(elf))


def _data_offset(elf_path: Path) -> int:
    with open(elf_path, "rb") as f:
        symbols = ELFFile(f).get_section_by_name(".symtab")
        start = symbols.get_symbol_by_name("_cfub_data_start")[0].entry.st_value
        fw_base = symbols.get_symbol_by_name("_ftext")[0].entry.st_value
    return start - fw_base
