"""Cross-compile the firmware for one SoC software tree and one CFU design, cached by content."""
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile

from ..errors import UserError
from ..paths import FIRMWARE, build_root
from .toolchain import riscv_gcc, tool_env

_FIRMWARE_SUFFIXES = {".c", ".h", ".S", ".ld", ".mk"}


@dataclass(frozen=True)
class Firmware:
    elf: Path
    binary: bytes
    data_offset: int  # where the data block goes, from the start of main RAM
    reused: tuple[str, ...] = ()  # objects taken from earlier builds (ObjectPool)
    data_capacity: int = 0  # bytes of the data block (model + inputs), 0 = unknown


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
    # the defines are in the pool's configuration too: an object compiled with other
    # constants never serves this build
    config = (f"{software_dir}|{selftest}|{sorted(map(str, include_dirs))}"
              + ("|mlperf" if mlperf else "")
              + (f"|{define_flags(defines)}" if defines else ""))
    key = _sources_digest(own + list(kernel_sources) + headers, config)
    out = build_root() / "firmware" / key
    binary = out / "firmware.bin"
    reused = ()
    if not binary.exists():
        pool = ObjectPool(build_root() / "firmware" / f"objects-{_digest_text(config)}")
        reused = pool.seed(out / "obj")
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
        pool.keep(out / "obj")
    elf = out / "firmware.elf"
    return Firmware(elf, binary.read_bytes(), _data_offset(elf), reused, _data_capacity(elf))


def _digest_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ObjectPool:
    """Objects of earlier firmware builds with the same configuration, each with the content
    digest of every file its compiler dependency list (-MMD) names. A new build starts with
    the objects whose dependencies still have those contents, so after a kernel edit only that
    kernel recompiles. By content, not time stamps: a reverted or checked-out file with an
    old time stamp cannot leave a stale object behind."""

    MANIFEST = "manifest.json"

    def __init__(self, root: Path):
        self.root = root

    def _manifest(self) -> dict:
        try:
            return json.loads((self.root / self.MANIFEST).read_text())
        except (OSError, ValueError):
            return {}

    def seed(self, obj_dir: Path) -> tuple[str, ...]:
        """Put the still valid objects into obj_dir; their names."""
        entries = self._manifest()
        if not entries:
            return ()
        obj_dir.mkdir(parents=True, exist_ok=True)
        digests: dict[str, str | None] = {}
        reused = []
        for name, deps in entries.items():
            if all(_file_digest(dep, digests) == want for dep, want in deps.items()):
                for f in (name, name[:-2] + ".d"):
                    # copied without its time stamp: newer than every dependency, as it is
                    shutil.copyfile(self.root / f, obj_dir / f)
                reused.append(name)
        return tuple(sorted(reused))

    def keep(self, obj_dir: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        entries, digests = self._manifest(), {}
        for d in obj_dir.glob("*.d"):
            obj = d.with_suffix(".o")
            deps = _dependencies(d)
            if not obj.exists() or not deps:
                continue
            entries[obj.name] = {dep: _file_digest(dep, digests) for dep in deps}
            for f in (obj, d):
                tmp = self.root / (f.name + ".tmp")
                shutil.copyfile(f, tmp)
                os.replace(tmp, self.root / f.name)
        tmp = self.root / (self.MANIFEST + ".tmp")
        tmp.write_text(json.dumps(entries))
        os.replace(tmp, self.root / self.MANIFEST)


def _dependencies(d_file: Path) -> list[str]:
    """The prerequisites of the first rule of a gcc -MMD -MP dependency file."""
    text = d_file.read_text().replace("\\\n", " ")
    first = text.split("\n", 1)[0]
    _, _, deps = first.partition(": ")
    return deps.split()


def _file_digest(path: str, memo: dict) -> str | None:
    if path not in memo:
        try:
            memo[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            memo[path] = None
    return memo[path]


def _data_capacity(elf_path: Path) -> int:
    with open(elf_path, "rb") as f:
        symbols = ELFFile(f).get_section_by_name(".symtab")
        start = symbols.get_symbol_by_name("_cfub_data_start")[0].entry.st_value
        end = symbols.get_symbol_by_name("_cfub_data_end")[0].entry.st_value
    return end - start


def _data_offset(elf_path: Path) -> int:
    with open(elf_path, "rb") as f:
        symbols = ELFFile(f).get_section_by_name(".symtab")
        start = symbols.get_symbol_by_name("_cfub_data_start")[0].entry.st_value
        fw_base = symbols.get_symbol_by_name("_ftext")[0].entry.st_value
    return start - fw_base
