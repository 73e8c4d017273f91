"""A simulated SoC whose BIOS behaves as on the board, for driving run_on_board without one.

The simulation SoC's BIOS is built with BIOS_NO_DELAYS (its timers load 0, which makes every
serial-boot wait end at once) and ROM_BOOT_ADDRESS (it jumps straight into the preloaded main
RAM). The board's BIOS has neither: it waits for the host's acknowledge, then stops at its
prompt. The BIOS lives in the ROM's init file, which the Verilated model reads at start-up, so
we rebuild only the BIOS with those two lines removed from soc.h and give the simulator a
gateware folder whose ROM init is the new BIOS: no second SoC build, no re-verilating.

One more change scales time: the BIOS's serial-boot timeouts are CONFIG_CLOCK_FREQUENCY/4
cycles, 0.25 s on the board but 25 M cycles (over 30 s of wall time) in simulation. We set
the constant so they last 250 k cycles, under a second here even on a busy machine (the DDR3
SoC simulates at 0.3-0.6 M cycles/s), which keeps them below the host's 2 s wait for an
answer, as on a board; the BIOS uses it for nothing else that runs in simulation (it also
prints it, as the CPU frequency).

With DDR3 main RAM the BIOS initialises the DRAM as on the board but keeps the simulation's
SDRAM_TEST_DISABLE: its memory test would only cost simulated seconds.
"""
import dataclasses
import hashlib
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

from cfu_bench.run.board import ArtyBoard
from cfu_bench.paths import build_root
from cfu_bench.file_lock import file_lock
from cfu_bench.sim.build import SocBuild
from cfu_bench.build.toolchain import tool_env

ROM_INIT = "sim_rom.init"
_SIM_ONLY = re.compile(r"^#define (ROM_BOOT_ADDRESS|CONFIG_BIOS_NO_DELAYS)\b.*$", re.MULTILINE)
_CLOCK = re.compile(r"^#define CONFIG_CLOCK_FREQUENCY \d+$", re.MULTILINE)
TIMEOUT_CYCLES = 250_000


def board_bios_soc(soc: SocBuild) -> SocBuild:
    recipe = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]
    out = build_root() / "board-sim" / f"{soc.key}-{recipe}"
    gateware = out / "gateware"
    stamp = out / "stamp"
    with file_lock(build_root() / "board-sim" / "locks" / f"{soc.key}.lock"):
        if not stamp.exists():
            shutil.rmtree(out, ignore_errors=True)
            rom_words = _build_bios(soc, out / "sw")
            gateware.mkdir(parents=True)
            for entry in soc.gateware_dir.iterdir():
                if entry.name != ROM_INIT:
                    os.symlink(entry, gateware / entry.name)
            (gateware / ROM_INIT).write_text("".join(f"{w:08x}\n" for w in rom_words))
            stamp.write_text("ok\n")
    return dataclasses.replace(soc, key=soc.key + "-board-bios", gateware_dir=gateware)


def _build_bios(soc: SocBuild, sw: Path) -> list[int]:
    include = sw / "include"
    shutil.copytree(soc.software_dir / "include", include)
    soc_h = include / "generated" / "soc.h"
    text, n = _SIM_ONLY.subn("", soc_h.read_text())
    assert n == 2, f"expected ROM_BOOT_ADDRESS and CONFIG_BIOS_NO_DELAYS in {soc_h}"
    text, n = _CLOCK.subn(f"#define CONFIG_CLOCK_FREQUENCY {4 * TIMEOUT_CYCLES}", text)
    assert n == 1, f"expected CONFIG_CLOCK_FREQUENCY in {soc_h}"
    soc_h.write_text(text)
    mak = include / "generated" / "variables.mak"
    variables = mak.read_text().replace(str(soc.software_dir / "include"), str(include))
    mak.write_text(variables)
    for lib in soc.software_dir.iterdir():
        if lib.name.startswith("lib"):
            os.symlink(lib, sw / lib.name)
    (sw / "bios").mkdir()
    bios_dir = re.search(r"^BIOS_DIRECTORY=(.*)$", variables, re.MULTILINE).group(1)
    r = subprocess.run(["make", "-j2", "-C", str(sw / "bios"), "-f", f"{bios_dir}/Makefile"],
                       env=tool_env(), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"board-style BIOS build failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    bios = (sw / "bios" / "bios.bin").read_bytes()
    bios += b"\0" * (-len(bios) % 4)
    # The ROM was sized to the simulation BIOS; keep its depth so every address decodes the same.
    depth = len((soc.gateware_dir / ROM_INIT).read_text().split())
    words = [w for (w,) in struct.iter_unpack("<I", bios)]
    if len(words) > depth:
        raise RuntimeError(f"board-style BIOS ({len(words)} words) does not fit the simulation "
                           f"ROM ({depth} words)")
    return words + [0] * (depth - len(words))


class SimulatedArty(ArtyBoard):
    """The `arty` profile target with the board replaced by the simulated SoC: the simulator
    serves the SoC's UART on TCP and everything else is the board path, unchanged: the
    handshake with the BIOS, serial boot of firmware and data block, capture of the output
    up to CFUB EXIT, and profile's parsing and TFLM comparison. Only the firmware differs: it
    is built for the simulation SoC (its CSR map), where the board's comes from build_arty."""

    def __init__(self, target, timeout_s: float = 600.0):
        self.target = target
        self.soc = board_bios_soc(target.soc)
        self.timeout_s = timeout_s
        self.log: list[str] = []

    def check(self, memory, options):
        from cfu_bench.run.targets import check_memory
        return check_memory(self, memory)

    def prepare(self, design, memory, progress, options):
        assert design.name == self.target.design.name, "the simulated board holds one design"
        return _PreparedSimulatedArty(self)


class _PreparedSimulatedArty:
    cache_id = None
    cycles_source = ("mcycle, Verilator RTL simulation of the SoC, DDR3, firmware serial-booted "
                     "over the simulated UART")

    def __init__(self, board: SimulatedArty):
        self.board = board

    def run(self, block, on_line=None, cycle_limit: int = 0):
        import socket
        import threading

        from cfu_bench.run.board import SIM_CHUNK, run_on_board
        from cfu_bench.errors import SimulationError
        from cfu_bench.sim.run import run_sim
        from cfu_bench.run.targets import RunOutput

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        sim = {}

        def simulate():
            try:
                sim["run"] = run_sim(self.board.soc, [], cycle_limit=cycle_limit + 100_000_000,
                                     serial_tcp_port=port)
            except SimulationError as e:
                sim["error"] = e

        thread = threading.Thread(target=simulate, daemon=True)
        thread.start()
        fw = self.board.target.firmware
        try:
            text = run_on_board(f"socket://127.0.0.1:{port}", fw.binary, block.to_bytes(),
                                fw.data_offset, boot_timeout_s=30, timeout_s=self.board.timeout_s,
                                chunk=SIM_CHUNK, window=1, on_line=on_line,
                                log=self.board.log.append)
        finally:
            thread.join(30)
            kill_our_simulators()
        return RunOutput(text, None)


def kill_our_simulators() -> None:
    """run_sim gives no handle on its process; a failed test must not leave it running."""
    import signal
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                name, rest = f.read().rsplit(")", 1)
            if name.endswith("(Vsim") and int(rest.split()[1]) == me:
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, ValueError):
            pass
