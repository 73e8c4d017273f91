"""Build (or reuse) the Verilated model of the simulation SoC for one CFU and memory model.

Cache layout under build_root()/soc/:
  sw-<config>/      LiteX software (BIOS, picolibc, libbase): ~430 MB, shared by every CFU
  gw-<key>/         one Verilated model per (SoC config, CFU Verilog, our SoC sources, LiteX)
Only a change to those inputs re-verilates; firmware and models go in through init files,
whose names and word layout the build records in the gateware folder (MainRamLayout).
"""
import hashlib
import json
import os
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import UserError
from ..file_lock import file_lock
from ..paths import SOC, build_root
from ..progress import Progress
from ..build.toolchain import riscv_gcc, tool_env, verilator_version
from . import verilate as recipe

STAMP = "cfu-bench.stamp"


@dataclass(frozen=True)
class SocBuild:
    """A finished simulation SoC build: where its Verilated model and its software live."""

    key: str
    gateware_dir: Path
    software_dir: Path
    csr_json: Path
    timings: dict

    @property
    def vsim(self) -> Path:
        return self.gateware_dir / "obj_dir" / "Vsim"

    @property
    def litex_harness(self) -> bool:
        """True for the trace variant, built with LiteX's own recipe and harness (its VCD
        tracer follows the sim_trace signal); every other build uses sim/verilate.py's."""
        return (self.gateware_dir / "modules").is_dir()

    @property
    def main_ram(self) -> "MainRamLayout":
        return MainRamLayout(**json.loads((self.gateware_dir / MAIN_RAM_LAYOUT).read_text()))


MAIN_RAM_LAYOUT = "cfu-bench-main-ram.json"


@dataclass(frozen=True)
class MainRamLayout:
    """Where main RAM's contents live in the Verilated model: the init files it reads at
    start-up, and how main RAM addresses map onto them."""

    memory: str                # "ddr3", "sdram" or "ideal"
    files: list[str]           # ideal: one file; DRAM: one per bank, in bank order
    word_bytes: int            # bytes per line of an init file
    row_bytes: int = 0         # ddr3: bytes of one row of one bank (ROW_BANK_COL mapping)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:16]


def _litex_version() -> bytes:
    from importlib.metadata import version
    # litex-boards is left out: the DDR3 PHY settings use only its pad widths for the Arty,
    # which are the chip's (14 address, 3 bank, 16 data bits), and litedram is in.
    return (f"litex {version('litex')} litedram {version('litedram')} "
            f"vexriscv {version('pythondata-cpu-vexriscv')}").encode()


def _soc_sources() -> bytes:
    """The simulation SoC's description and this build recipe (not other targets' files)."""
    files = [SOC / "__init__.py", SOC / "description.py", SOC / "sim_soc.py"] + \
        sorted(SOC.glob("*.v")) + [Path(__file__)]
    return b"".join(p.read_bytes() for p in files) + recipe.recipe_fingerprint()


def build_sim_soc(cfu_verilog: str, config=None, progress: Progress | None = None,
                  trace: bool = False) -> SocBuild:
    """Return a SocBuild for the given CFU Verilog text, building only what is missing.

    trace: the waveform variant (its own cached build; same software and firmware): the model
    writes sim.vcd in its run directory while firmware holds the sim_trace CSR at 1."""
    from ..soc.sim_soc import SimSocConfig

    config = config or SimSocConfig()
    progress = progress or Progress(quiet=True)
    riscv_gcc()  # fail early, with the install line, before minutes of work
    verilator_version()

    config_blob = json.dumps(config.as_dict(), sort_keys=True).encode()
    # The software (BIOS, libraries, generated headers) depends on the SoC description only,
    # not on the CFU, the watchdog or other targets' files: keep it shared across those.
    config_key = _digest(config_blob, _litex_version(), (SOC / "sim_soc.py").read_bytes(),
                         (SOC / "description.py").read_bytes())
    key = _digest(config_blob, _litex_version(), _soc_sources(), cfu_verilog.encode(),
                  *([b"trace"] if trace else []))
    root = build_root() / "soc"
    gw_root = root / f"gw-{key}"
    sw_dir = root / f"sw-{config_key}"

    with file_lock(root / "locks" / f"gw-{key}.lock"):
        stamp = gw_root / STAMP
        if stamp.exists():
            return SocBuild(key, gw_root / "gateware", sw_dir, gw_root / "csr.json",
                            json.loads(stamp.read_text()))
        timings = {}
        with file_lock(root / "locks" / f"sw-{config_key}.lock"):
            t0 = time.monotonic()
            with progress.step("generating SoC (LiteX, BIOS, libraries)"):
                _generate(cfu_verilog, config, gw_root, sw_dir, trace)
            timings["soc_generation_s"] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        with progress.step("building Verilator model"):
            _verilate(gw_root / "gateware", trace)
        timings["verilator_build_s"] = round(time.monotonic() - t0, 1)
        stamp.write_text(json.dumps(timings))
        return SocBuild(key, gw_root / "gateware", sw_dir, gw_root / "csr.json", timings)


def _generate(cfu_verilog: str, config, gw_root: Path, sw_dir: Path, trace: bool = False) -> None:
    from litex.build.sim.config import SimConfig
    from litex.soc.integration.builder import Builder

    from ..soc.sim_soc import SimSoC

    gateware = gw_root / "gateware"
    gw_root.mkdir(parents=True, exist_ok=True)
    cfu_path = gw_root / "cfu.v"
    cfu_path.write_text(cfu_verilog)
    sim_config = SimConfig()
    sim_config.add_clocker("sys_clk", freq_hz=config.sys_clk_freq)
    sim_config.add_module("serial2console", "serial")
    # LiteX prints its whole build log; keep it in a file and show it only on failure.
    log = gw_root / "generate.log"
    cwd = os.getcwd()
    env_backup = dict(os.environ)
    os.environ.update(tool_env())
    try:
        with open(log, "w") as f, _redirect_fds(f):
            soc = SimSoC(cfu_path, config)
            builder = Builder(soc, output_dir=str(gw_root), gateware_dir=str(gw_root / "gateware"),
                              software_dir=str(sw_dir), compile_gateware=False)
            builder.build(sim_config=sim_config, run=False, jobs=os.cpu_count() or 2,
                          opt_level="O3", trace=trace)
        layout = _main_ram_layout(soc, config, gateware)
        recipe.record_sources(soc.platform, gateware)
        (gateware / MAIN_RAM_LAYOUT).write_text(json.dumps(asdict(layout)))
    except (Exception, SystemExit) as e:  # LiteX reports some errors with sys.exit
        reason = " ".join(str(e).split())
        raise UserError(f"SoC generation failed ({e.__class__.__name__}: {reason}); see {log}") from None
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env_backup)


@contextmanager
def _redirect_fds(f):
    """Redirect this process's stdout/stderr file descriptors (LiteX's make runs inherit them)."""
    import sys
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    os.dup2(f.fileno(), 1)
    os.dup2(f.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def _main_ram_layout(soc, config, gateware: Path) -> MainRamLayout:
    if config.memory == "ideal":
        return MainRamLayout("ideal", ["sim_main_ram.init"], 4)
    from ..soc.description import dram_module
    from ..soc.sim_soc import BANK_MARKER

    module, settings = dram_module(config.sys_clk_freq, config.memory).geom_settings, soc.ddrphy.settings
    nbanks = 2 ** module.bankbits
    word_bytes = settings.dfi_databits * settings.nphases // 8
    banks = {}
    for init in gateware.glob("*.init"):
        low = _first_word32(init, word_bytes)
        if low is not None and BANK_MARKER <= low < BANK_MARKER + nbanks:
            banks[low - BANK_MARKER] = init.name
    if sorted(banks) != list(range(nbanks)):
        raise UserError(f"SoC generation: found init files for DRAM banks {sorted(banks)} "
                        f"of {nbanks}; see {gateware}")
    row_bytes = 2 ** module.colbits * settings.databits // 8
    return MainRamLayout(config.memory, [banks[b] for b in range(nbanks)], word_bytes, row_bytes)


def _first_word32(init: Path, word_bytes: int) -> int | None:
    """The low 32 bits at the start of a DRAM bank's init file: one line of a DDR3 bank (16
    bytes) holds them, a 16-bit SDR bank needs two (little-endian: the first line is the low
    half)."""
    lines = max(1, 4 // word_bytes)
    with open(init) as f:
        head = [f.readline().strip() for _ in range(lines)]
    if any(len(h) != 2 * word_bytes for h in head):
        return None
    try:
        return sum(int(h, 16) << (8 * word_bytes * i) for i, h in enumerate(head)) & 0xFFFFFFFF
    except ValueError:
        return None


def _verilate(gateware_dir: Path, trace: bool) -> None:
    if not trace:
        recipe.verilate(gateware_dir, jobs=os.cpu_count() or 2)
        return
    # The waveform variant keeps LiteX's recipe: its harness dumps while sim_trace is high.
    log = gateware_dir / "verilate.log"
    with open(log, "w") as f:
        r = subprocess.run(["bash", "build_sim.sh"], cwd=gateware_dir, env=tool_env(),
                           stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0 or not (gateware_dir / "obj_dir" / "Vsim").exists():
        raise UserError(f"Verilator build failed: {recipe.log_errors(log)} (full log: {log})")
