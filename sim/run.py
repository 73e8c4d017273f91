"""Run firmware on a built simulation SoC: one private run directory per run, a cycle
watchdog, UART capture, and a wall-clock backstop in case the simulator itself wedges."""
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..run import protocol
from ..errors import SimulationError
from ..paths import build_root
from ..build.toolchain import tool_env
from ..build.ram_image import dram_bank_texts, readmemh_text
from .build import MainRamLayout, SocBuild

# Measured here: 1.3-1.4 M cycles/s with both cores busy (about 2 M idle, toolchain notes); the
# wall-clock backstop assumes far less, so only a wedged simulator ever meets it.
MIN_CYCLES_PER_SECOND = 200_000


@dataclass
class SimRun:
    output: str          # UART text, ANSI codes removed
    wall_seconds: float
    total_cycles: int | None  # mcycle at the end, as the firmware reported it

    @property
    def cycles_per_second(self) -> float | None:
        if self.total_cycles and self.wall_seconds > 0:
            return self.total_cycles / self.wall_seconds
        return None


def run_sim(soc: SocBuild, main_ram: list[tuple[int, bytes]], cycle_limit: int, on_line=None,
            serial_tcp_port: int | None = None, stdin=subprocess.DEVNULL,
            trace_to: Path | None = None, uart_tx_cycles: int = 1) -> SimRun:
    """Run with main RAM holding `main_ram`, (byte offset, bytes) regions, until the firmware
    ends the simulation. Raises SimulationError on a watchdog stop, a CPU trap, or a
    simulator that dies or never finishes.

    trace_to: with a trace build (build_sim_soc(trace=True)), where the waveform the run wrote
    (what happened while the firmware held sim_trace at 1) is moved to.
    uart_tx_cycles: the UART line takes a byte at most every this many cycles (1,000 is
    1 Mbaud at 100 MHz, as on the board); 1, the default, a byte every cycle."""
    if uart_tx_cycles > 1 and soc.litex_harness:
        raise SimulationError("a slow UART needs our harness; trace builds use LiteX's")
    runs = build_root() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=runs))
    try:
        _prepare_run_dir(soc, run_dir, main_ram, cycle_limit, serial_tcp_port)
        result = _execute(run_dir, cycle_limit, on_line, stdin, serial_tcp_port,
                          litex_harness=soc.litex_harness, uart_tx_cycles=uart_tx_cycles)
        if trace_to is not None:
            _keep_trace(run_dir, Path(trace_to))
        return result
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


TRACE_FILES = ("sim.fst", "sim.vcd")  # what LiteX's Verilator harness writes, FST or VCD build


def _keep_trace(run_dir: Path, dest: Path) -> None:
    found = [run_dir / n for n in TRACE_FILES if (run_dir / n).is_file() and (run_dir / n).stat().st_size]
    if not found:
        raise SimulationError("the simulation wrote no waveform: is this a trace build "
                              "(build_sim_soc(trace=True)) and did the firmware switch sim_trace on?")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(found[0]), dest)


def main_ram_files(layout: MainRamLayout, regions: list[tuple[int, bytes]]) -> dict[str, str]:
    """Init file name -> contents that put `regions` into main RAM."""
    if layout.memory == "ideal":
        return {layout.files[0]: readmemh_text(regions)}
    texts = dram_bank_texts(regions, len(layout.files), layout.row_bytes, layout.word_bytes)
    return dict(zip(layout.files, texts))


def _prepare_run_dir(soc: SocBuild, run_dir: Path, main_ram: list[tuple[int, bytes]],
                     cycle_limit: int, serial_tcp_port: int | None) -> None:
    gw = soc.gateware_dir
    os.symlink(soc.vsim, run_dir / "Vsim")
    if soc.litex_harness:
        os.symlink(gw / "modules", run_dir / "modules")
    files = main_ram_files(soc.main_ram, main_ram)
    for init in gw.glob("*.init"):
        if init.name not in files:
            os.symlink(init, run_dir / init.name)
    for name, text in files.items():
        (run_dir / name).write_text(text)
    (run_dir / "cycle_limit.init").write_text(f"{cycle_limit:016x}\n")
    # Our harness takes the TCP port on its command line, litex_sim's from sim_config.js;
    # the file is written for both, since mlperf's transport finds its simulator by reading it.
    config = json.loads((gw / "sim_config.js").read_text())
    if serial_tcp_port is not None:
        for module in config:
            if module.get("module") == "serial2console":
                module["module"] = "serial2tcp"
                module["args"] = {"port": serial_tcp_port}
    (run_dir / "sim_config.js").write_text(json.dumps(config, indent=2))


def _execute(run_dir: Path, cycle_limit: int, on_line, stdin, serial_tcp_port: int | None = None,
             litex_harness: bool = False, uart_tx_cycles: int = 1) -> SimRun:
    uart_on_tcp = serial_tcp_port is not None
    wall_limit = 60 + cycle_limit / MIN_CYCLES_PER_SECOND if cycle_limit else None
    t0 = time.monotonic()
    command = ["./Vsim"]
    if uart_on_tcp and not litex_harness:
        command += ["--uart-tcp", str(serial_tcp_port)]
    if uart_tx_cycles > 1:
        command += ["--uart-tx-cycles", str(uart_tx_cycles)]
    proc = subprocess.Popen(command, cwd=run_dir, env=tool_env(), stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    total_cycles = None
    try:
        # serial2console writes byte by byte: split on newlines ourselves.
        buf = b""
        fd = proc.stdout.fileno()
        while True:
            # select, so a simulator that stops printing still meets the wall-clock backstop
            ready, _, _ = select.select([fd], [], [], 1.0)
            chunk = os.read(fd, 65536) if ready else None
            if chunk == b"":
                break
            buf += chunk or b""
            *complete, buf = buf.split(b"\n")
            for raw in complete:
                line = protocol.strip_ansi(raw.decode("utf-8", "replace")).strip("\r")
                # the trace harness marks sim_trace changes in the console: not firmware output
                line = line.replace("<DUMP ON>", "").replace("<DUMP OFF>", "")
                lines.append(line)
                cycles = protocol.run_total_cycles(line)
                if cycles is not None:
                    total_cycles = cycles
                if on_line:
                    on_line(line)
            if wall_limit and time.monotonic() - t0 > wall_limit:
                proc.kill()
                raise SimulationError(
                    f"simulation did not finish within {wall_limit:.0f} s of wall time "
                    f"(cycle limit {cycle_limit}); the simulator seems stuck")
        if buf:
            lines.append(protocol.strip_ansi(buf.decode("utf-8", "replace")))
        rc = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    wall = time.monotonic() - t0
    output = "\n".join(lines)
    limit = protocol.watchdog_limit(output)
    if limit is not None:
        raise SimulationError(
            f"watchdog: the simulation hit its cycle limit of {limit:,} cycles and was "
            f"stopped (last output: {_last_meaningful(lines)!r})")
    trap = protocol.trap(output)
    if trap:
        raise SimulationError(f"firmware crashed: {trap}")
    # With the UART on TCP the firmware's lines go to the TCP client, not to stdout.
    if rc != 0 or (not protocol.finished(output) and not uart_on_tcp):
        raise SimulationError(
            f"simulation ended without the firmware finishing (exit code {rc}; last output: "
            f"{_last_meaningful(lines)!r})")
    return SimRun(output, wall, total_cycles)


def _last_meaningful(lines: list[str]) -> str:
    for line in reversed(lines):
        if line.strip() and "$finish" not in line:
            return line.strip()[:120]
    return ""
