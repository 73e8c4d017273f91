"""Host side of the MLPerf Tiny serial protocol: the commands the benchmark runner sends, over
any pyserial-like link (read/write with a timeout). See firmware/mlperf/ee_protocol.h."""
from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass

from ...errors import CfuBenchError

READY = "m-ready"
DB_BYTES_PER_LINE = 31  # what the runner sends per `db` line without a power monitor
_LAP = re.compile(r"^m-lap-us-(\d+)$")
_RESULTS = re.compile(r"^m-results-\[([^\]]*)\]$")
_CRC = re.compile(r"^m-results-crc32-([0-9a-f]{8})$")
_ERROR = re.compile(r"^e-\[(.*)\]$")


class DutError(CfuBenchError):
    """The device did not answer as the protocol says."""

    exit_code = 1


@dataclass
class Inference:
    """The answer to `infer N W`."""

    iterations: int
    warmups: int
    start_us: int
    end_us: int
    results: str          # inside m-results-[...]
    crc32: int | None     # cfu-bench's extra line
    lines: list[str]

    @property
    def elapsed_us(self) -> int:
        return self.end_us - self.start_us

    @property
    def latency_ms(self) -> float:
        return self.elapsed_us / self.iterations / 1000.0


def say_exit(link, timeout_s: float = 3.0) -> None:
    """Send `exit` and read until the firmware's m-exit has come out: closing the connection
    while the simulated UART still sends would kill the simulator (SIGPIPE)."""
    with contextlib.suppress(Exception):
        link.write(b"exit%")
        link.flush()
        seen, deadline = b"", time.monotonic() + timeout_s
        while b"m-exit" not in seen and time.monotonic() < deadline:
            seen = seen[-16:] + link.read(max(1, getattr(link, "in_waiting", 0) or 0))


def errors(lines: list[str]) -> list[str]:
    return [m.group(1) for m in map(_ERROR.match, lines) if m]


class Dut:
    def __init__(self, link, name: str = "device", timeout_s: float = 10.0, log=None):
        self.link = link
        self.name = name
        self.timeout_s = timeout_s
        self.log = log or (lambda _line: None)
        self._pending = b""

    # ---- lines ----------------------------------------------------------------------------

    def _read_line(self, deadline: float) -> str | None:
        while b"\n" not in self._pending:
            if time.monotonic() >= deadline:
                return None
            # read(1) returns as soon as a byte is there; then take whatever else waits
            try:
                chunk = self.link.read(max(1, getattr(self.link, "in_waiting", 0) or 0))
            except Exception as e:  # pyserial: the simulator ended and closed its socket
                raise DutError(f"the connection to {self.name} closed "
                               f"({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
            if chunk:
                self._pending += chunk
        raw, self._pending = self._pending.split(b"\n", 1)
        # the runner drops '\r' and NUL the same way
        return raw.decode("utf-8", "replace").replace("\r", "").replace("\0", "")

    def command(self, text: str, timeout_s: float | None = None) -> list[str]:
        """Send `text%` and return the answer's lines up to and including m-ready."""
        self.log(f"> {text}")
        self.link.write(text.encode() + b"%")
        if hasattr(self.link, "flush"):
            self.link.flush()
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        lines = []
        while True:
            line = self._read_line(deadline)
            if line is None:
                raise DutError(f"no answer from {self.name} to {text[:40]!r} within "
                               f"{timeout_s or self.timeout_s:g} s"
                               + (f" (last line: {lines[-1]!r})" if lines else ""))
            self.log(f"< {line}")
            if line.startswith("CFUB TRAP"):  # platform.c's fault handler: nothing more comes
                raise DutError(f"the firmware on {self.name} crashed: {line}")
            if line:
                lines.append(line)
            if READY in line:
                return lines

    def checked(self, text: str, timeout_s: float | None = None) -> list[str]:
        lines = self.command(text, timeout_s)
        bad = errors(lines)
        if bad:
            raise DutError(f"{self.name} refused {text[:40]!r}: {bad[0]}")
        return lines

    # ---- the runner's steps ---------------------------------------------------------------

    def sync(self, timeout_s: float, retry_s: float = 2.0) -> str:
        """Ask `name` until the device answers (it may still be booting, and a BIOS may eat the
        first bytes), then drop any late duplicate answers. Returns the device name."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                lines = self.command("name", timeout_s=retry_s)
                names = [m.group(1) for m in (re.match(r"^m-name-dut-\[([^\]]+)\]$", l)
                                              for l in lines) if m]
                if names:
                    break
            except DutError:
                pass
            if time.monotonic() >= deadline:
                raise DutError(f"{self.name} did not answer `name` within {timeout_s:g} s: is the "
                               f"MLPerf firmware running?")
        quiet_until = time.monotonic() + 0.5
        while time.monotonic() < quiet_until:
            if self.link.read(4096):
                quiet_until = time.monotonic() + 0.5
        self._pending = b""
        return names[0]

    def profile(self) -> tuple[str, str]:
        lines = self.checked("profile")
        found = dict(m.groups() for m in (re.match(r"^m-(profile|model)-\[([^\]]+)\]$", l)
                                          for l in lines) if m)
        return found.get("profile", ""), found.get("model", "")

    def load(self, data: bytes, per_line: int = DB_BYTES_PER_LINE) -> None:
        self.checked(f"db load {len(data)}")
        lines = []
        for i in range(0, len(data), per_line):
            lines = self.checked("db " + data[i:i + per_line].hex())
        if not any("m-load-done" in l for l in lines):
            raise DutError(f"{self.name} did not confirm the load of {len(data)} bytes")

    def infer(self, iterations: int, warmups: int, timeout_s: float | None = None) -> Inference:
        lines = self.checked(f"infer {iterations} {warmups}", timeout_s)
        laps = [int(m.group(1)) for m in map(_LAP.match, lines) if m]
        results = [m.group(1) for m in map(_RESULTS.match, lines) if m]
        crcs = [int(m.group(1), 16) for m in map(_CRC.match, lines) if m]
        if len(laps) != 2 or len(results) != 1:
            raise DutError(f"{self.name}: `infer` answered without two timestamps and one result "
                           f"(lines: {lines[:8]})")
        return Inference(iterations, warmups, laps[0], laps[1], results[0],
                         crcs[0] if crcs else None, lines)

    def exit(self) -> None:
        """cfu-bench's extension: end the simulation (a board resets into its BIOS)."""
        say_exit(self.link)
