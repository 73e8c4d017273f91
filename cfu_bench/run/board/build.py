"""Building the Arty's FPGA project: the complete Vivado (or openXC7 / F4PGA) project for one
CFU design, the BIOS and our firmware built for that SoC; the FPGA toolchain is run when one
is installed, and resource use and timing are read from its reports.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from ...errors import ToolMissing, UserError
from .reports import BUILD_NAME, Resources, Timing, read_reports

SUMMARY = "cfu-bench-arty.json"


@dataclass
class ArtyBuild:
    out_dir: Path
    variant: str
    design: str
    toolchain: str | None      # the one that ran, None with no_compile
    verilog: Path
    constraints: Path          # .xdc
    script: Path               # build_<name>.sh (runs the .tcl under Vivado)
    firmware_bin: Path
    firmware_elf: Path
    data_offset: int
    baudrate: int
    sys_clk_freq: int
    bitstream: Path | None = None
    resources: Resources | None = None
    timing: Timing | None = None
    log: Path | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in d.items()}


SUMMARY = "cfu-bench-arty.json"


def detect_toolchain() -> str | None:
    """The FPGA toolchain LiteX can run here: Vivado first, then openXC7, then F4PGA."""
    if shutil.which("vivado"):
        return "vivado"
    if all(shutil.which(t) for t in _OPENXC7_TOOLS) and os.environ.get("CHIPDB"):
        return "openxc7"
    if os.environ.get("F4PGA_INSTALL_DIR"):
        try:
            import f4pga  # noqa: F401
            return "f4pga"
        except ImportError:
            pass
    return None


_OPENXC7_TOOLS = ("yosys", "nextpnr-xilinx", "fasm2frames", "xc7frames2bit")
_MISSING = ("no FPGA toolchain: vivado not on PATH (install Vivado 2023+ or the openXC7 "
            "toolchain), or pass --no-compile to write the project only")


def _missing_toolchain() -> ToolMissing:
    if all(shutil.which(t) for t in _OPENXC7_TOOLS) and not os.environ.get("CHIPDB"):
        return ToolMissing("no FPGA toolchain: vivado not on PATH, and openXC7 is installed but "
                           "CHIPDB is not set (the folder of its chip databases); set it, or pass "
                           "--no-compile to write the project only")
    return ToolMissing(_MISSING)


def build_arty(design, out_dir=None, variant: str = "a7-35", no_compile: bool = False,
               toolchain: str | None = None, progress=None) -> ArtyBuild:
    """Write (and, with a toolchain, compile) the Arty project for one CFU design.

    design: a Design or a design name/path for load_design.
    out_dir: defaults to build/arty/<design>-<variant>.
    toolchain: "vivado", "openxc7" or "f4pga"; None picks the installed one.
    Raises ToolMissing (before any work) when compiling is asked for and no toolchain is found.
    """
    from ...build.firmware_build import build_firmware
    from ...designs import load_design
    from ...paths import build_root
    from ...progress import Progress
    from ..simulate import cfu_verilog
    from ...soc.arty import VARIANTS, ArtyConfig

    if variant not in VARIANTS:
        raise UserError(f"unknown Arty variant {variant!r}; valid: {', '.join(VARIANTS)}")
    run = not no_compile
    if toolchain is None:
        toolchain = detect_toolchain()
        if run and toolchain is None:
            raise _missing_toolchain()
    elif toolchain not in ("vivado", "openxc7", "f4pga"):
        raise UserError(f"unknown FPGA toolchain {toolchain!r}; valid: vivado, openxc7, f4pga")
    elif run and toolchain == "vivado" and not shutil.which("vivado"):
        raise ToolMissing(_MISSING)
    elif run and toolchain == "openxc7" and not all(shutil.which(t) for t in _OPENXC7_TOOLS):
        raise ToolMissing("openXC7 not found: need " + ", ".join(_OPENXC7_TOOLS) + " on PATH")
    if isinstance(design, (str, os.PathLike)):
        design = load_design(design)
    progress = progress or Progress(quiet=True)
    config = ArtyConfig(variant=variant)
    out = Path(out_dir) if out_dir else build_root() / "arty" / f"{design.variant}-{variant}"
    out.mkdir(parents=True, exist_ok=True)

    verilog_text = cfu_verilog(design)
    key = _project_key(config, verilog_text, toolchain or "vivado")
    gateware = out / "gateware"
    summary = out / SUMMARY
    previous = _previous(summary, key, gateware)
    if previous is None:
        sw_dir = _software_dir(config)
        for stale in gateware.glob(f"{BUILD_NAME}.bi[tn]"):
            stale.unlink()
        # F4PGA runs as a Python flow inside LiteX; the others through the script LiteX writes.
        inside_litex = run and toolchain == "f4pga"
        with progress.step(f"generating the Arty {variant} SoC (LiteX, BIOS)"):
            _generate(config, verilog_text, out, sw_dir, toolchain or "vivado", run=inside_litex)
        compiled_with = toolchain if inside_litex else None
    else:
        # Same inputs: keep what is there, including a bitstream from an earlier compile.
        sw_dir = Path(previous["software_dir"])
        compiled_with = previous["build"]["toolchain"] if previous["build"].get("bitstream") else None
    if run and compiled_with is None:
        with progress.step(f"running {toolchain} (synthesis, place and route: tens of minutes)"):
            _compile(gateware, toolchain)
        compiled_with = toolchain

    firmware = build_firmware(sw_dir, design.kernel_sources(), design.kernel_include_dirs(),
                              design.selftest_available, defines=design.kernel_defines())
    (out / "firmware.bin").write_bytes(firmware.binary)
    shutil.copyfile(firmware.elf, out / "firmware.elf")

    result = ArtyBuild(
        out_dir=out, variant=variant, design=design.name, toolchain=None,
        verilog=gateware / f"{BUILD_NAME}.v", constraints=gateware / f"{BUILD_NAME}.xdc",
        script=gateware / f"build_{BUILD_NAME}.sh", firmware_bin=out / "firmware.bin",
        firmware_elf=out / "firmware.elf", data_offset=firmware.data_offset,
        baudrate=config.uart_baudrate, sys_clk_freq=config.sys_clk_freq)
    if compiled_with:
        result.toolchain = compiled_with
        result.log = gateware / "toolchain.log"
        bit = gateware / f"{BUILD_NAME}.bit"
        if not bit.exists():
            raise UserError(f"{result.toolchain} finished without writing {bit.name}; "
                            f"see {result.log}")
        result.bitstream = bit
        result.resources, result.timing = read_reports(gateware, result.toolchain,
                                                       1e9 / config.sys_clk_freq)
    summary.write_text(json.dumps({"key": key, "software_dir": str(sw_dir),
                                   "build": result.as_dict()}, indent=2, default=str))
    return result


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p if isinstance(p, bytes) else str(p).encode()).digest())
    return h.hexdigest()[:16]


def _versions(*extra: str) -> str:
    """The versions of the packages a board project is generated with (part of its cache key)."""
    from importlib.metadata import PackageNotFoundError, version
    out = []
    for pkg in ("litex", "litedram", "litex-boards", "pythondata-cpu-vexriscv", *extra):
        try:
            out.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            out.append(f"{pkg} -")
    return ", ".join(out)


def _soc_source() -> bytes:
    from ...soc import arty, description
    return Path(arty.__file__).read_bytes() + Path(description.__file__).read_bytes()


def _project_key(config, verilog_text: str, toolchain: str) -> str:
    return _digest(json.dumps(config.as_dict(), sort_keys=True), _versions(), _soc_source(),
                   Path(__file__).read_bytes(), verilog_text, toolchain)


def _previous(summary: Path, key: str, gateware: Path, build_name: str = BUILD_NAME) -> dict | None:
    """The summary of the project already in this folder, when it came from the same inputs."""
    try:
        data = json.loads(summary.read_text())
    except (OSError, ValueError):
        return None
    if data.get("key") != key or not Path(data.get("software_dir", "")).is_dir():
        return None
    if not (gateware / f"{build_name}.v").exists():
        return None
    if data.get("build", {}).get("bitstream") and not (gateware / f"{build_name}.bit").exists():
        data["build"]["bitstream"] = None
    return data


def _software_dir(config) -> Path:
    """One BIOS and library build per SoC configuration (about 450 MB of picolibc objects),
    shared by every CFU design: the software does not depend on the CFU."""
    from ...paths import build_root
    key = _digest(json.dumps(config.as_dict(), sort_keys=True), _versions(), _soc_source())
    return build_root() / "arty" / f"sw-{key}"


def _generate(config, verilog_text: str, out: Path, sw_dir: Path, toolchain: str, run: bool) -> None:
    from litex.soc.integration.builder import Builder

    from ...file_lock import file_lock
    from ...sim.build import _redirect_fds
    from ...soc.arty import ArtySoC
    from ...build.toolchain import tool_env

    gateware = out / "gateware"
    gateware.mkdir(parents=True, exist_ok=True)
    cfu_path = gateware / "cfu.v"
    cfu_path.write_text(verilog_text)
    log = out / "generate.log"
    cwd = os.getcwd()
    env_backup = dict(os.environ)
    os.environ.update(tool_env())
    try:
        with file_lock(sw_dir.parent / "locks" / f"{sw_dir.name}.lock"), \
                open(log, "w") as f, _redirect_fds(f):
            soc = ArtySoC(cfu_path, config, toolchain=toolchain)
            builder = Builder(soc, output_dir=str(out), gateware_dir=str(gateware),
                              software_dir=str(sw_dir), csr_json=str(out / "csr.json"),
                              csr_csv=str(out / "csr.csv"), compile_gateware=run)
            builder.build(build_name=BUILD_NAME, run=run)
            if not run:
                _make_portable(gateware, [src for src, *_ in soc.platform.sources])
            bios = sw_dir / "bios"
            (out / "software").mkdir(exist_ok=True)
            for name in ("bios.bin", "bios.elf"):
                shutil.copyfile(bios / name, out / "software" / name)
    except (Exception, SystemExit) as e:  # LiteX reports some errors with sys.exit
        if isinstance(e, ToolMissing):
            raise
        from .run import _one_line
        raise UserError(f"Arty SoC generation failed ({e.__class__.__name__}: {_one_line(e)}); "
                        f"see {log}") from None
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env_backup)


def _make_portable(gateware: Path, sources: list[str]) -> None:
    """Copy every HDL source into the project and make the scripts name them relative to it,
    so the folder builds on another machine (the usual case: Vivado lives elsewhere)."""
    replacements = {}
    for src in sources:
        path = Path(src)
        if path.resolve().parent != gateware.resolve():
            shutil.copyfile(path, gateware / path.name)
        replacements[str(path)] = path.name
    replacements[f"{gateware}/"] = ""
    for script in gateware.iterdir():
        if script.suffix in (".tcl", ".ys", ".sh"):
            text = script.read_text()
            for old, new in replacements.items():
                text = text.replace(old, new)
            script.write_text(text)


def _compile(gateware: Path, toolchain: str) -> None:
    """Run the build script LiteX wrote (Vivado: vivado -mode batch -source <name>.tcl)."""
    log = gateware / "toolchain.log"
    script = gateware / f"build_{BUILD_NAME}.sh"
    with open(log, "w") as f:
        r = subprocess.run(["bash", script.name], cwd=gateware, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-40:]
        errors = [l.strip() for l in tail if re.search(r"\berror\b", l, re.I)] or tail[-3:]
        raise UserError(f"{toolchain} failed: {' | '.join(errors[:3])} (full log: {log})")
