"""The fast simulation (`--sim fast`): our instruction-set simulator of the SoC (sim/fast/, C),
running the same firmware binary and data block as the RTL simulation, its cycles from a timing
model of VexRiscv full+cfu calibrated against the RTL (`cfu-bench calibrate`).

One binary per CFU design and parameters, built with the host compiler and cached by content
under build/fastsim/. A design takes part through its bit-exact C emulation
(kernels/<name>_emu.h) and a latency adapter: sim/fast/cfu_<name>.h when the design has one,
else the generic one (every instruction answers the cycle after it is accepted).
"""
import hashlib
import json
import os
import threading
import subprocess
import tempfile
import time
from pathlib import Path

from ..run import protocol
from ..errors import SimulationError, UserError
from ..paths import build_root
from .run import SimRun

FAST = Path(__file__).with_name("fast")
CSR_NAMES = ("uart_rxtx", "uart_txfull", "uart_rxempty", "uart_txempty", "uart_ev_pending",
             "sim_finish_finish")
# Measured here: 20-100 M cycles/s; the backstop assumes far less.
MIN_CYCLES_PER_SECOND = 2_000_000


def adapter_for(design) -> tuple[str, list[str]]:
    """(adapter header, extra compiler flags) for a design; UserError when it has no emulation."""
    if design.name == "none":
        return "cfu_none.h", []
    kernels = design.kernels_dir
    emu = kernels / f"{design.name}_emu.h" if kernels else None
    if emu is None or not emu.is_file():
        raise UserError(f"--sim fast needs the design's C emulation (kernels/{design.name}_emu.h); "
                        f"design {design.name} has none: use --sim rtl")
    defines = [f"-D{k}={v}" for k, v in sorted(design.kernel_defines().items())]
    own = FAST / f"cfu_{design.name}.h"
    if own.is_file():
        return own.name, [f"-I{kernels}", *defines]
    return "cfu_generic.h", [f"-I{kernels}", f"-DCFU_NAME={design.name}", *defines]


def build_fastsim(design) -> Path:
    """The simulator binary for this design, compiled only when its sources change."""
    from ..testing.emulation import host_compiler
    adapter, flags = adapter_for(design)
    sources = sorted(FAST.glob("*.[ch]"))
    if design.kernels_dir and design.name != "none":
        sources += sorted(design.kernels_dir.glob("*_emu.h"))
    h = hashlib.sha256(" ".join([adapter, *flags]).encode())
    for p in sources:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    out = build_root() / "fastsim" / f"{design.name}-{h.hexdigest()[:16]}"
    exe = out / "fastsim"
    if exe.exists():
        return exe
    out.mkdir(parents=True, exist_ok=True)
    # per thread too: the suite prepares its runs from a thread pool, in one process
    tmp = out / f"fastsim.{os.getpid()}.{threading.get_ident()}.tmp"
    cmd = [host_compiler(), "-O2", "-std=gnu11", "-Wall", "-Wno-unused-function",
           f"-DCFU_ADAPTER=\"{adapter}\"", f"-I{FAST}", *flags, str(FAST / "fastsim.c"),
           "-o", str(tmp)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise UserError(f"building the fast simulator for {design.name} failed: "
                        f"{r.stderr.strip().splitlines()[:3]}")
    os.replace(tmp, exe)
    return exe


def csr_addresses(csr_json: Path) -> dict[str, int]:
    regs = json.loads(Path(csr_json).read_text())["csr_registers"]
    return {n: regs[n]["addr"] for n in CSR_NAMES if n in regs}


def run_fast(exe: Path, csr_json: Path, memory: str, regions: list[tuple[int, bytes]],
             cycle_limit: int, on_line=None, serial_tcp_port: int | None = None,
             on_start=None) -> SimRun:
    """Run the firmware with main RAM holding `regions` ((byte offset, bytes)); as
    sim.run.run_sim, SimulationError on a watchdog stop, a trap or no finish.
    serial_tcp_port: the UART on this local TCP port (one client) instead of stdout.
    on_start(process): called once the simulator runs (to stop it from elsewhere)."""
    runs = build_root() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fast-", dir=runs) as d:
        cmd = [str(exe), "--memory", memory, "--stats"]
        if serial_tcp_port is not None:
            cmd += ["--uart-tcp", str(serial_tcp_port)]
        if cycle_limit:
            cmd += ["--cycle-limit", str(cycle_limit)]
        for name, addr in csr_addresses(csr_json).items():
            cmd += ["--csr", f"{name}={addr:#x}"]
        for k, (offset, data) in enumerate(regions):
            path = Path(d) / f"region{k}.bin"
            path.write_bytes(data)
            cmd += ["--load", str(offset), str(path)]
        t0 = time.monotonic()
        wall_limit = 60 + cycle_limit / MIN_CYCLES_PER_SECOND if cycle_limit else None
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                errors="replace")
        if on_start:
            on_start(proc)
        lines, total = [], None
        try:
            for raw in proc.stdout:
                line = protocol.strip_ansi(raw.rstrip("\n")).strip("\r")
                lines.append(line)
                cycles = protocol.run_total_cycles(line)
                if cycles is not None:
                    total = cycles
                if on_line:
                    on_line(line)
                if wall_limit and time.monotonic() - t0 > wall_limit:
                    proc.kill()
                    raise SimulationError(f"fast simulation did not finish within "
                                          f"{wall_limit:.0f} s of wall time")
            stderr = proc.stderr.read()
            rc = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    wall = time.monotonic() - t0
    output = "\n".join(lines)
    limit = protocol.watchdog_limit(output)
    if limit is not None:
        raise SimulationError(f"watchdog: the fast simulation hit its cycle limit of "
                              f"{limit:,} cycles and was stopped")
    trap = protocol.trap(output)
    if trap:
        raise SimulationError(f"firmware crashed: {trap}")
    if rc != 0 or (not protocol.finished(output) and serial_tcp_port is None):
        raise SimulationError(f"fast simulation ended without the firmware finishing (exit code "
                              f"{rc}; {stderr.strip()[-200:]!r})")
    run = SimRun(output, wall, total)
    run.stats = _parse_stats(stderr)
    return run


def _parse_stats(stderr: str) -> dict:
    """fastsim --stats: 'fastsim: <c> cycles, <i> instructions, <s> s, <r> M cycles/s'."""
    for line in stderr.splitlines():
        if line.startswith("fastsim: ") and " cycles, " in line:
            parts = line[len("fastsim: "):].split(", ")
            return {"cycles": int(parts[0].split()[0]), "instructions": int(parts[1].split()[0]),
                    "seconds": float(parts[2].split()[0])}
    return {}
