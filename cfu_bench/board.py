"""Running firmware on an Arty A7 board (or on the simulated SoC over TCP), and building the
board's FPGA project.

run_on_board: optionally load the bitstream (openFPGALoader), ask the LiteX BIOS to
serial-boot, upload the firmware to main RAM and the data block after it, jump, and return
the firmware's UART output up to `CFUB EXIT <status>`.

build_arty: write the complete Vivado (or openXC7 / F4PGA) project for one CFU design, the
BIOS and our firmware built for that SoC; run the FPGA toolchain when one is installed and
return resource use and timing from its reports.
"""
import codecs
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import ToolMissing, UserError
from .serial_boot import (LOAD_CHUNK, MAGIC_ACK, MAGIC_REQUEST, BoardError, Link, SerialBoot,
                          UploadStats)

__all__ = ["BoardError", "run_on_board", "profile_on_board", "load_bitstream", "build_arty",
           "ArtyBuild", "Resources", "Timing", "DEFAULT_BAUDRATE", "MAIN_RAM_BASE"]

MAIN_RAM_BASE = 0x40000000
DEFAULT_BAUDRATE = 1_000_000  # soc/arty.py's ArtyConfig.uart_baudrate
DEFAULT_DATA_OFFSET = 0x400000
SIM_CHUNK = 48
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_EXIT = re.compile(r"CFUB EXIT (-?\d+)\s*\n")
_TRAP = re.compile(r"CFUB TRAP [^\n]*\n")
# "\n" first ends whatever half-typed line sits at the BIOS prompt.
_POKE = b"\nserialboot\n"
_OPENFPGALOADER_BOARDS = {"a7-35": "arty_a7_35t", "a7-100": "arty_a7_100t"}


# --------------------------------------------------------------------------------------------
# Running firmware over the serial port
# --------------------------------------------------------------------------------------------

def run_on_board(port, firmware_bin: bytes, data_block: bytes,
                 data_offset: int = DEFAULT_DATA_OFFSET, bitstream=None, timeout_s: float = 600.0,
                 *, baudrate: int = DEFAULT_BAUDRATE, boot_timeout_s: float = 10.0,
                 main_ram_base: int = MAIN_RAM_BASE, variant: str | None = None,
                 on_line=None, log=None, window: int | None = None, chunk: int | None = None,
                 max_retries: int = 5, quiet_s: float = 0.5) -> str:
    """Serial-boot the firmware and data block and return the firmware's output (ANSI removed).

    port: a device path ("/dev/ttyUSB1"), a pyserial URL ("socket://127.0.0.1:PORT" for the
      simulated SoC), or an already open pyserial-like object (used as is and not closed).
    bitstream: a .bit file loaded with openFPGALoader first (the board then reboots into its BIOS).
    timeout_s: how long the firmware may run after the jump.
    boot_timeout_s: how long to wait for the BIOS to offer serial boot.
    on_line: called with each complete output line of the firmware, as it arrives.
    log: called with one-line progress messages (uploads, retries).
    window, chunk: frames in flight and data bytes per frame; by default 8 and 251 on a serial
      device, 1 and 48 over a socket:// URL (the simulator, see serial_boot.SerialBoot).

    Raises BoardError when the board does not answer, the upload fails after retries, the
    firmware traps, or it does not finish within timeout_s.
    """
    say = log or (lambda _msg: None)
    if bitstream is not None:
        load_bitstream(bitstream, variant)
        say(f"loaded {bitstream}")
    serial, owned = _open(port, baudrate, boot_timeout_s)
    name = _port_name(port)
    try:
        link = Link(serial, name)
        _handshake(link, boot_timeout_s)
        over_socket = str(port).startswith("socket://")
        boot = SerialBoot(link, window=window or (1 if over_socket else 8),
                          chunk=chunk or (SIM_CHUNK if over_socket else LOAD_CHUNK),
                          max_retries=max_retries, quiet_s=quiet_s)
        for what, address, data in (("firmware", main_ram_base, firmware_bin),
                                    ("data block", main_ram_base + data_offset, data_block)):
            before = boot.stats.resent
            boot.load(address, data)
            say(f"uploaded {what}: {len(data):,} bytes at 0x{address:08x}"
                + (f" ({boot.stats.resent - before} frames resent after errors)"
                   if boot.stats.resent > before else ""))
        boot.jump(main_ram_base)
        say(_rate(boot.stats))
        return _capture(link, timeout_s, on_line)
    finally:
        if owned:
            serial.close()


def _rate(stats: UploadStats) -> str:
    kbps = stats.bytes / stats.seconds / 1024 if stats.seconds > 0 else 0.0
    return (f"serial boot: {stats.frames} frames, {stats.bytes:,} bytes in {stats.seconds:.1f} s "
            f"({kbps:.0f} KiB/s), {stats.resent} resent")


def _port_name(port) -> str:
    if isinstance(port, (str, os.PathLike)):
        return str(port)
    return getattr(port, "name", None) or getattr(port, "port", None) or repr(port)


def _open(port, baudrate: int, boot_timeout_s: float):
    """(serial object, whether we opened it). Socket URLs are retried while refused: the
    simulator may still be starting."""
    if not isinstance(port, (str, os.PathLike)):
        return port, False
    import serial

    url = str(port)
    is_url = "://" in url
    if not is_url and not Path(url).exists():
        raise UserError(f"serial port {url} does not exist: is the board plugged in? (the Arty's "
                        f"UART is the second FTDI interface, usually /dev/ttyUSB1)")
    deadline = time.monotonic() + boot_timeout_s
    while True:
        try:
            # exclusive: a second program on the port (a terminal left open) would eat answers
            kwargs = {} if is_url else {"exclusive": True}
            s = serial.serial_for_url(url, baudrate=baudrate, timeout=Link.POLL_S, **kwargs)
            if hasattr(s, "reset_input_buffer"):
                s.reset_input_buffer()
            return s, True
        except serial.SerialException as e:
            refused = "refused" in str(e).lower()
            if is_url and refused and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            if refused:
                raise BoardError(f"no answer from the board on {url} within {boot_timeout_s:g} s: "
                                 f"connection refused (is the simulator or board server running?)")
            raise BoardError(f"cannot open {url}: {_one_line(e)}") from None


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


def _handshake(link: Link, boot_timeout_s: float, poke_interval_s: float = 1.0) -> None:
    """Wait for the BIOS's serial-boot request, asking for it from the prompt now and then,
    and acknowledge it."""
    seen = b""
    deadline = time.monotonic() + boot_timeout_s
    next_poke = 0.0
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if now >= next_poke:
            # Harmless when the BIOS is already waiting for the acknowledge: it ignores
            # everything but the acknowledge and 'Q'/ESC.
            link.send(_POKE)
            next_poke = now + poke_interval_s
        seen += link.recv(min(0.1, max(0.0, deadline - now)))
        if MAGIC_REQUEST in seen:
            link.send(MAGIC_ACK)
            return
    text = ANSI.sub("", seen.decode("utf-8", "replace"))
    text = text.replace("serialboot", "").strip()
    if not text:
        raise BoardError(f"no answer from the board on {link.name} within {boot_timeout_s:g} s: "
                         f"is it powered, programmed, and the BIOS at its prompt?")
    last = text.splitlines()[-1].strip()[:80]
    raise BoardError(f"the board on {link.name} answered but never offered serial boot within "
                     f"{boot_timeout_s:g} s (last output: {last!r}): press its RESET button or "
                     f"reload the bitstream, then retry")


def _capture(link: Link, timeout_s: float, on_line) -> str:
    """The firmware's output up to and including `CFUB EXIT <n>`."""
    import serial

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    raw = ""
    emitted = 0
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            chunk = link.recv(min(0.2, max(0.0, deadline - time.monotonic())))
        except serial.SerialException as e:  # the simulator closes its socket when it ends
            text = _clean(raw)
            raise BoardError(f"the connection to {link.name} closed before the firmware finished "
                             f"({_one_line(e)}; last output: {_last_line(text)!r})") from None
        raw += decoder.decode(chunk)
        text = _clean(raw)
        if on_line:
            lines = text.split("\n")
            for line in lines[emitted:-1]:
                on_line(line)
            emitted = max(emitted, len(lines) - 1)
        m = _EXIT.search(text)
        if m:
            return text[:m.end()]
        m = _TRAP.search(text)
        if m:
            raise BoardError(f"firmware crashed on the board: {m.group(0).strip()}")
        if time.monotonic() >= deadline:
            raise BoardError(f"the firmware on {link.name} did not finish within {timeout_s:g} s "
                             f"(last output: {_last_line(text)!r})")


def _clean(raw: str) -> str:
    return ANSI.sub("", raw).replace("\r", "")


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()[:120]
    return ""


def profile_on_board(design, block, port, bitstream=None, progress=None, variant: str | None = None,
                     timeout_s: float = 600.0, on_line=None) -> str:
    """Run the firmware of `design` with this data block on the board; return its output.

    The firmware is built against the Arty SoC's software (writing the project folder under
    build/arty/ if needed, without compiling the FPGA: that is `cfu-bench build --target arty`).
    The board must hold a bitstream of the same design, loaded now from `bitstream` or before.
    """
    from .progress import Progress
    from .ram_image import DataBlock

    progress = progress or Progress(quiet=True)
    if variant is None and bitstream is not None and Path(bitstream).is_file():
        variant = bitstream_variant(Path(bitstream))
    build = build_arty(design, variant=variant or "a7-35", no_compile=True, progress=progress)
    data = block.to_bytes() if isinstance(block, DataBlock) else bytes(block)
    with progress.step(f"serial boot and run on the board at {port}"):
        return run_on_board(port, build.firmware_bin.read_bytes(), data, build.data_offset,
                            bitstream=bitstream, timeout_s=timeout_s, baudrate=build.baudrate,
                            variant=variant, on_line=on_line)


# --------------------------------------------------------------------------------------------
# Loading a bitstream
# --------------------------------------------------------------------------------------------

def bitstream_variant(bitstream: Path) -> str | None:
    """The Arty variant a .bit file was built for, from the part name in its header."""
    head = Path(bitstream).read_bytes()[:256]
    if b"7a100t" in head:
        return "a7-100"
    if b"7a35t" in head:
        return "a7-35"
    return None


def load_bitstream(bitstream, variant: str | None = None, timeout_s: float = 120.0) -> None:
    """Load a bitstream into the FPGA's configuration RAM (lost at power-off) with openFPGALoader."""
    path = Path(bitstream)
    if not path.is_file():
        raise UserError(f"bitstream not found: {path}")
    exe = shutil.which("openFPGALoader")
    if exe is None:
        raise ToolMissing("openFPGALoader not on PATH: install it (apt-get install openfpgaloader) "
                          "or load the bitstream with Vivado's hardware manager and run without "
                          "--bitstream")
    variant = variant or bitstream_variant(path) or "a7-35"
    board = _OPENFPGALOADER_BOARDS.get(variant)
    if board is None:
        raise UserError(f"unknown Arty variant {variant!r}; valid: {', '.join(_OPENFPGALOADER_BOARDS)}")
    try:
        r = subprocess.run([exe, "-b", board, str(path)], capture_output=True, text=True,
                           timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise BoardError(f"openFPGALoader did not finish within {timeout_s:g} s") from None
    if r.returncode != 0:
        lines = [l.strip() for l in (r.stderr + r.stdout).splitlines() if l.strip()]
        errors = [l for l in lines if "error" in l.lower()] or lines[-2:]
        raise BoardError(f"openFPGALoader could not load {path.name} onto the {board}: "
                         + " | ".join(errors[:3]))


# --------------------------------------------------------------------------------------------
# Building the FPGA project
# --------------------------------------------------------------------------------------------

@dataclass
class Resources:
    """Post-placement use of the FPGA, and what the device has."""

    lut: int
    ff: int
    dsp: int
    bram36: float  # 36 Kb block RAM tiles (an 18 Kb half counts 0.5)
    available: dict = field(default_factory=dict)


@dataclass
class Timing:
    wns_ns: float        # worst negative slack over every clock (positive: met)
    clock_period_ns: float
    fmax_mhz: float      # estimated from the sys clock's slack
    met: bool


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


BUILD_NAME = "cfu_bench_arty"
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
    from .firmware_build import build_firmware
    from .designs import load_design
    from .paths import build_root
    from .progress import Progress
    from .simulate import cfu_verilog
    from .soc.arty import VARIANTS, ArtyConfig

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
    out = Path(out_dir) if out_dir else build_root() / "arty" / f"{design.name}-{variant}"
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
                              design.selftest_available)
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


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version
    out = []
    for pkg in ("litex", "litedram", "litex-boards", "pythondata-cpu-vexriscv"):
        try:
            out.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            out.append(f"{pkg} -")
    return ", ".join(out)


def _soc_source() -> bytes:
    from .soc import arty
    return Path(arty.__file__).read_bytes()


def _project_key(config, verilog_text: str, toolchain: str) -> str:
    return _digest(json.dumps(config.as_dict(), sort_keys=True), _versions(), _soc_source(),
                   Path(__file__).read_bytes(), verilog_text, toolchain)


def _previous(summary: Path, key: str, gateware: Path) -> dict | None:
    """The summary of the project already in this folder, when it came from the same inputs."""
    try:
        data = json.loads(summary.read_text())
    except (OSError, ValueError):
        return None
    if data.get("key") != key or not Path(data.get("software_dir", "")).is_dir():
        return None
    if not (gateware / f"{BUILD_NAME}.v").exists():
        return None
    if data.get("build", {}).get("bitstream") and not (gateware / f"{BUILD_NAME}.bit").exists():
        data["build"]["bitstream"] = None
    return data


def _software_dir(config) -> Path:
    """One BIOS and library build per SoC configuration (about 450 MB of picolibc objects),
    shared by every CFU design: the software does not depend on the CFU."""
    from .paths import build_root
    key = _digest(json.dumps(config.as_dict(), sort_keys=True), _versions(), _soc_source())
    return build_root() / "arty" / f"sw-{key}"


def _generate(config, verilog_text: str, out: Path, sw_dir: Path, toolchain: str, run: bool) -> None:
    from litex.soc.integration.builder import Builder

    from .sim.build import _locked, _redirect_fds
    from .soc.arty import ArtySoC
    from .toolchain import tool_env

    gateware = out / "gateware"
    gateware.mkdir(parents=True, exist_ok=True)
    cfu_path = gateware / "cfu.v"
    cfu_path.write_text(verilog_text)
    log = out / "generate.log"
    cwd = os.getcwd()
    env_backup = dict(os.environ)
    os.environ.update(tool_env())
    try:
        with _locked(sw_dir.parent / "locks" / f"{sw_dir.name}.lock"), \
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


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------

def read_reports(gateware: Path, toolchain: str, period_ns: float):
    if toolchain == "vivado":
        util = gateware / f"{BUILD_NAME}_utilization_place.rpt"
        timing = gateware / f"{BUILD_NAME}_timing.rpt"
        return (parse_vivado_utilization(util.read_text()) if util.exists() else None,
                parse_vivado_timing(timing.read_text(), period_ns) if timing.exists() else None)
    log = gateware / "toolchain.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return parse_nextpnr_utilization(text), parse_nextpnr_timing(text, period_ns)


def _table_rows(text: str):
    """Rows of Vivado's ASCII tables: lists of cell strings."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            yield [c.strip() for c in line.strip("|").split("|")]


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return None


def parse_vivado_utilization(text: str) -> Resources:
    """From report_utilization: the Used and Available columns of the rows we report."""
    wanted = {"Slice LUTs": "lut", "CLB LUTs": "lut", "Slice Registers": "ff",
              "CLB Registers": "ff", "DSPs": "dsp", "Block RAM Tile": "bram36"}
    used, available = {}, {}
    header = None
    for cells in _table_rows(text):
        if cells and cells[0] == "Site Type":
            header = cells
            continue
        name = cells[0].rstrip("*").strip() if cells else ""
        if name in wanted and header and wanted[name] not in used:
            row = dict(zip(header, cells))
            key = wanted[name]
            used[key] = _number(row.get("Used", "")) or 0.0
            avail = _number(row.get("Available", ""))
            if avail is not None:
                available[key] = int(avail)
    if not used:
        raise UserError("could not read resource use from the Vivado utilization report")
    return Resources(lut=int(used.get("lut", 0)), ff=int(used.get("ff", 0)),
                     dsp=int(used.get("dsp", 0)), bram36=float(used.get("bram36", 0.0)),
                     available=available)


def parse_vivado_timing(text: str, period_ns: float) -> Timing:
    """From report_timing_summary: the design WNS, and the sys clock's own WNS when the
    intra-clock table names a clock with the sys period."""
    lines = text.splitlines()
    wns = None
    for i, line in enumerate(lines):
        if re.match(r"\s*WNS\(ns\)\s+TNS\(ns\)", line):
            for follow in lines[i + 1:i + 4]:
                fields = follow.split()
                if fields and _number(fields[0]) is not None:
                    wns = float(fields[0])
                    break
            if wns is not None:
                break
    if wns is None:
        raise UserError("could not read WNS from the Vivado timing report")
    periods = _clock_periods(lines)
    sys_wns = _sys_clock_wns(lines, periods, period_ns)
    slack = sys_wns if sys_wns is not None else wns
    return Timing(wns_ns=wns, clock_period_ns=period_ns,
                  fmax_mhz=round(1000.0 / (period_ns - slack), 1), met=wns >= 0)


def _clock_periods(lines: list[str]) -> dict[str, float]:
    """Clock name -> period from the Clock Summary table."""
    periods = {}
    inside = False
    for line in lines:
        if line.strip().startswith("Clock") and "Waveform(ns)" in line:
            inside = True
            continue
        if inside:
            if not line.strip():
                if periods:
                    break
                continue
            m = re.match(r"\s*(\S+)\s+\{[^}]*\}\s+([\d.]+)\s+([\d.]+)", line)
            if m:
                periods[m.group(1)] = float(m.group(2))
    return periods


def _sys_clock_wns(lines: list[str], periods: dict, period_ns: float) -> float | None:
    """The worst setup slack among clocks with the sys period, from the Intra Clock Table.
    The 100 MHz input clock has the same period, but it only feeds the PLL."""
    candidates = {name for name, p in periods.items() if abs(p - period_ns) < 1e-3}
    worst = None
    inside = False
    for line in lines:
        title = line.strip().lstrip("|").strip()
        if title == "Intra Clock Table":
            inside = True
            continue
        if inside:
            if title in ("Inter Clock Table", "Other Path Groups Table", "Timing Details"):
                break
            fields = line.split()
            if len(fields) >= 2 and fields[0] in candidates and _number(fields[1]) is not None:
                slack = float(fields[1])
                worst = slack if worst is None else min(worst, slack)
    return worst


def parse_nextpnr_utilization(text: str) -> Resources | None:
    """From nextpnr-xilinx's 'Device utilisation' lines: 'SLICE_LUTX:  1234/ 41600  2%'."""
    counts = {}
    for m in re.finditer(r"^\s*(?:Info:\s*)?(\w+):\s+(\d+)\s*/\s*(\d+)", text, re.MULTILINE):
        counts[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    if not counts:
        return None

    def used(*names):
        return sum(counts[n][0] for n in names if n in counts)

    def avail(*names):
        return sum(counts[n][1] for n in names if n in counts)

    return Resources(
        lut=used("SLICE_LUTX"), ff=used("SLICE_FFX"), dsp=used("DSP48E1"),
        bram36=used("RAMB36E1") + 0.5 * used("RAMB18E1"),
        available={"lut": avail("SLICE_LUTX"), "ff": avail("SLICE_FFX"), "dsp": avail("DSP48E1"),
                   "bram36": avail("RAMB36E1")})


def parse_nextpnr_timing(text: str, period_ns: float) -> Timing | None:
    """From 'Max frequency for clock 'X': 112.34 MHz (PASS at 100.00 MHz)': the slowest clock
    whose target is the sys frequency (the last report, after routing, wins)."""
    target = 1000.0 / period_ns
    found = {}
    for m in re.finditer(r"Max frequency for clock\s+'([^']+)':\s+([\d.]+) MHz \((PASS|FAIL) at "
                         r"([\d.]+) MHz\)", text):
        if abs(float(m.group(4)) - target) < 0.01:
            found[m.group(1)] = float(m.group(2))
    if not found:
        return None
    fmax = min(found.values())
    wns = round(period_ns - 1000.0 / fmax, 3)
    return Timing(wns_ns=wns, clock_period_ns=period_ns, fmax_mhz=round(fmax, 1), met=wns >= 0)
