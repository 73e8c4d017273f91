"""Where the MLPerf firmware runs and how the host reaches its UART: the only place this
package touches the simulator and the board code.

    with open_sim(soc, firmware, data_block, cycle_limit) as link: ...   # UART on TCP
    with open_arty(port, firmware_bin, data_block, data_offset, baudrate) as link: ...

Each yields a pyserial object; leaving the block ends the session (the firmware's `exit`
command, then, should the simulator not stop, the simulator process).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

from ...errors import SimulationError
from .dut import say_exit

CONNECT_TIMEOUT_S = 60.0


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect(url: str, timeout_s: float, alive):
    import serial

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return serial.serial_for_url(url, timeout=0.05)
        except serial.SerialException as e:
            if not alive() or time.monotonic() > deadline:
                raise SimulationError(f"cannot reach the simulated SoC's UART at {url}: {e}") from None
            time.sleep(0.05)


def _simulators_on(port: int) -> list[int]:
    """Our own Vsim children serving this TCP port (run_sim gives no handle on its process)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                name, rest = f.read().rsplit(")", 1)
            if not name.endswith("(Vsim") or int(rest.split()[1]) != me:
                continue
            config = json.loads(Path(f"/proc/{entry}/cwd/sim_config.js").read_text())
            if any(m.get("module") == "serial2tcp" and int(m.get("args", {}).get("port", -1)) == port
                   for m in config):
                found.append(int(entry))
        except (OSError, ValueError):
            pass
    return found


class _QuickAcks:
    """A socket:// link that acknowledges at once. The simulator writes its UART to TCP a byte
    at a time, so Nagle holds each answer's tail until our ACK of its first byte, which Linux
    delays by up to 40 ms: that made every command cost 50 ms of wall time (a vww input is 892
    `db` lines). Linux clears TCP_QUICKACK after a while, so it is set before every read."""

    def __init__(self, link):
        self._link = link

    def read(self, n: int) -> bytes:
        sock = getattr(self._link, "_socket", None)
        if sock is not None and hasattr(socket, "TCP_QUICKACK"):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return self._link.read(n)

    def __getattr__(self, name):
        return getattr(self._link, name)


def stop_simulators(port: int) -> None:
    for pid in _simulators_on(port):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def open_sim(soc, firmware, data_block: bytes, cycle_limit: int, boot_timeout_s: float = CONNECT_TIMEOUT_S):
    """Run the simulated SoC with its UART on a local TCP port and yield the connection."""
    from ...sim.run import run_sim

    port = free_tcp_port()
    regions = [(0, firmware.binary), (firmware.data_offset, data_block)]
    outcome = {}

    def simulate():
        try:
            outcome["run"] = run_sim(soc, regions, cycle_limit, serial_tcp_port=port)
        except SimulationError as e:
            outcome["error"] = e

    thread = threading.Thread(target=simulate, name=f"vsim-{port}", daemon=True)
    thread.start()
    link = None
    try:
        link = _connect(f"socket://127.0.0.1:{port}", boot_timeout_s, thread.is_alive)
        yield _QuickAcks(link)
    except BaseException:
        thread.join(2)  # a simulator that just stopped tells why (the watchdog) better than we do
        if "error" in outcome:
            raise outcome["error"] from None
        raise
    finally:
        if link is not None:
            say_exit(link)
            thread.join(10)
            link.close()
        if thread.is_alive():
            stop_simulators(port)
            thread.join(10)


@contextlib.contextmanager
def open_fast_sim(exe, csr_json, memory: str, firmware, data_block: bytes, cycle_limit: int,
                  boot_timeout_s: float = CONNECT_TIMEOUT_S):
    """As open_sim, on the fast simulation (cfu_bench.sim.fast_sim) with its UART on TCP."""
    from ...sim.fast_sim import run_fast

    port = free_tcp_port()
    regions = [(0, firmware.binary), (firmware.data_offset, data_block)]
    outcome, procs = {}, []

    def simulate():
        try:
            outcome["run"] = run_fast(exe, csr_json, memory, regions, cycle_limit,
                                      serial_tcp_port=port, on_start=procs.append)
        except SimulationError as e:
            outcome["error"] = e

    thread = threading.Thread(target=simulate, name=f"fastsim-{port}", daemon=True)
    thread.start()
    link = None
    try:
        link = _connect(f"socket://127.0.0.1:{port}", boot_timeout_s, thread.is_alive)
        yield _QuickAcks(link)
    except BaseException:
        thread.join(2)
        if "error" in outcome:
            raise outcome["error"] from None
        raise
    finally:
        if link is not None:
            say_exit(link)
            thread.join(10)
            link.close()
        if thread.is_alive():
            for proc in procs:
                proc.kill()
            thread.join(10)


@contextlib.contextmanager
def open_arty(port: str, firmware_bin: bytes, data_block: bytes, data_offset: int, baudrate: int,
              boot_timeout_s: float = 10.0, log=None, leave_running: bool = False):
    """Serial-boot the firmware and data block through the board's LiteX BIOS and yield the
    open port, now talking to the firmware. Leaving the block sends `exit` (the board resets
    into its BIOS, ready for the next serial boot) unless leave_running."""
    from ...run.board.run import booted

    with booted(port, firmware_bin, data_block, data_offset, baudrate=baudrate,
                boot_timeout_s=boot_timeout_s, log=log) as (serial_port, _link):
        try:
            serial_port.timeout = 0.05
            yield serial_port
        finally:
            if not leave_running:
                say_exit(serial_port)
