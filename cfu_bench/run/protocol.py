"""Parser for the firmware's CFUB line protocol (UART in simulation/board, stdout on the host).

    CFUB MODEL bytes=<n> ops=<n> arena=<n> setup_cycles=<n>
    CFUB INPUT <k>
    CFUB OP <index> <OPNAME> <kernel> <cycles> <crc32 hex8>
    CFUB INVOKE <k> total=<cycles> kernels=<sum of op cycles> overhead=<total-kernels>
    CFUB ERROR <code> <message>
    CFUB DONE

(The SoC's main.c adds CFUB BOOT / CYCLES main=.. total=.. / EXIT <status>, parsed too;
the platform's trap handler CFUB TRAP ..., the self-test CFUB SELFTEST <design> pass= fail=,
the memory microbenchmark CFUB MEMBENCH <name> bytes= loads= cycles=, the timing
micro-benchmarks CFUB TIMEBENCH <name> cycles=, and the simulation's
cycle watchdog CFUB WATCHDOG cycle limit <n> reached. This module is the only host code
that knows these lines: the simulator runner, the board client and the profiler ask it.)
`parse(text)` accepts str or bytes with anything interleaved (BIOS banners, ANSI colour
codes, carriage returns, other firmware output): a protocol line is found wherever
"CFUB <KEYWORD>" starts in a line; everything else is kept in `junk`.

    report = parse(uart_text)
    report.raise_for_error()               # UserError for a refused model, ResultError otherwise
    report.invokes[0].ops[3].crc           # int
    report.complete                        # DONE seen and every INVOKE has its OP lines
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ResultError, UserError

ERROR_NAMES = {1: "malformed", 2: "unsupported", 3: "invalid", 4: "arena", 5: "input", 6: "eval",
               7: "limit"}
# codes that mean "the model or the inputs were refused" (bad input, exit 2) rather than a fault
USER_ERROR_CODES = {1, 2, 3, 5, 7}

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
# Lines that end or stop a run, looked for in a transcript while it is still arriving.
_EXIT_LINE = re.compile(r"CFUB EXIT (-?\d+)[ \t\r]*\n")
_TRAP_LINE = re.compile(r"CFUB TRAP [^\n]*")
_WATCHDOG_LINE = re.compile(r"CFUB WATCHDOG cycle limit (\d+) reached")  # soc/cycle_watchdog.v
_RUN_CYCLES = re.compile(r"CFUB CYCLES main=\d+ total=(\d+)")
_SELFTEST = re.compile(r"CFUB SELFTEST (\S+) pass=(\d+) fail=(\d+)")
_MEMBENCH = re.compile(r"CFUB MEMBENCH (\w+) bytes=(\d+) loads=(\d+) cycles=(\d+)")
_TIMEBENCH = re.compile(r"CFUB TIMEBENCH (\w+) cycles=(\d+)")
_LINE = re.compile(r"CFUB (MODEL|INPUT|OP|INVOKE|ERROR|DONE|EXIT|CYCLES|BOOT)\b(.*)")
_MODEL = re.compile(r"^ bytes=(\d+) ops=(\d+) arena=(\d+) setup_cycles=(\d+)\s*$")
_INPUT = re.compile(r"^ (\d+)\s*$")
_OP = re.compile(r"^ (\d+) (\S+) (\S+) (\d+) ([0-9a-f]{8})\s*$")
_INVOKE = re.compile(r"^ (\d+) total=(\d+) kernels=(\d+) overhead=(-?\d+)\s*$")
_ERROR = re.compile(r"^ (\d+) ?(.*?)\s*$")


class ProtocolError(ResultError):
    """The transcript is garbled or inconsistent (a firmware or transport fault)."""


@dataclass
class ModelInfo:
    bytes: int
    ops: int
    arena: int
    setup_cycles: int


@dataclass
class OpRecord:
    index: int
    op: str
    kernel: str
    cycles: int
    crc: int

    @property
    def crc_hex(self) -> str:
        return f"{self.crc:08x}"


@dataclass
class Invoke:
    index: int
    ops: list[OpRecord] = field(default_factory=list)
    total: int | None = None
    kernels: int | None = None
    overhead: int | None = None


@dataclass
class FirmwareError:
    code: int
    message: str

    @property
    def name(self) -> str:
        return ERROR_NAMES.get(self.code, f"code {self.code}")

    def __str__(self) -> str:
        return f"{self.name} (code {self.code}): {self.message}"


@dataclass
class Report:
    model: ModelInfo | None = None
    invokes: list[Invoke] = field(default_factory=list)
    error: FirmwareError | None = None
    done: bool = False
    junk: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # printed by the SoC's main.c around the runtime, not by the runtime itself
    exit_code: int | None = None
    cycles: dict[str, int] = field(default_factory=dict)

    @property
    def setup_cycles(self) -> int | None:
        return self.model.setup_cycles if self.model else None

    @property
    def arena_bytes(self) -> int | None:
        return self.model.arena if self.model else None

    @property
    def complete(self) -> bool:
        """DONE was seen, no error, and every inference has its full set of OP lines."""
        if not self.done or self.error or self.model is None or self.problems:
            return False
        return all(inv.total is not None and len(inv.ops) == self.model.ops for inv in self.invokes)

    def raise_for_error(self) -> "Report":
        if self.error:
            msg = f"firmware refused the run ({self.error.name}): {self.error.message}"
            if self.error.code in USER_ERROR_CODES:
                raise UserError(msg)
            raise ResultError(msg)
        if self.problems:
            raise ProtocolError("garbled firmware output: " + "; ".join(self.problems[:3]))
        if not self.done:
            raise ProtocolError("firmware output ended before CFUB DONE")
        return self


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def end_of_run(text: str) -> int | None:
    """Where the complete `CFUB EXIT <status>` line ends in a (growing) transcript, or None."""
    m = _EXIT_LINE.search(text)
    return m.end() if m else None


def trap(text: str) -> str | None:
    """The firmware's trap report (a CPU exception), if the transcript has one."""
    m = _TRAP_LINE.search(text)
    return m.group(0).strip() if m else None


def watchdog_limit(text: str) -> int | None:
    """The cycle limit, when the simulation's watchdog stopped the run."""
    m = _WATCHDOG_LINE.search(text)
    return int(m.group(1)) if m else None


def run_total_cycles(line: str) -> int | None:
    """mcycle at the end of the run (BIOS included), from the `CFUB CYCLES` line."""
    m = _RUN_CYCLES.search(line)
    return int(m.group(1)) if m else None


@dataclass
class SelftestLine:
    design: str
    passed: int
    failed: int


def selftest(text: str) -> SelftestLine | None:
    m = _SELFTEST.search(text)
    return SelftestLine(m.group(1), int(m.group(2)), int(m.group(3))) if m else None


@dataclass
class MembenchLine:
    name: str
    bytes: int
    loads: int
    cycles: int


def membench(text: str) -> dict[str, MembenchLine]:
    """The memory microbenchmark's results (firmware/membench), by name."""
    return {m.group(1): MembenchLine(m.group(1), *(int(g) for g in m.groups()[1:]))
            for m in _MEMBENCH.finditer(text)}


def timebench(text: str) -> dict[str, int]:
    """The timing micro-benchmarks' cycles (firmware/timebench), by name."""
    return {m.group(1): int(m.group(2)) for m in _TIMEBENCH.finditer(text)}


def progress_event(line: str) -> tuple | None:
    """("model",) when the model is loaded, ("invoke", k) when inference k is done, else None."""
    m = _LINE.search(line)
    if not m:
        return None
    if m.group(1) == "MODEL":
        return ("model",)
    if m.group(1) == "INVOKE":
        mm = _INVOKE.match(m.group(2))
        return ("invoke", int(mm.group(1))) if mm else None
    return None


def finished(text: str) -> bool:
    return "CFUB EXIT" in text


def _lines(text) -> list[str]:
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    text = _ANSI.sub("", text)
    return re.split(r"\r\n|\r|\n", text)


def parse(text) -> Report:
    rep = Report()
    current: Invoke | None = None
    for raw in _lines(text):
        m = _LINE.search(raw)
        if not m:
            if raw.strip():
                rep.junk.append(raw)
            continue
        kind, rest = m.group(1), m.group(2)
        if kind == "MODEL":
            mm = _MODEL.match(rest)
            if not mm:
                rep.problems.append(f"bad MODEL line: {raw!r}")
                continue
            rep.model = ModelInfo(*(int(g) for g in mm.groups()))
        elif kind == "INPUT":
            mm = _INPUT.match(rest)
            if not mm:
                rep.problems.append(f"bad INPUT line: {raw!r}")
                continue
            current = Invoke(int(mm.group(1)))
            if current.index != len(rep.invokes):
                rep.problems.append(f"INPUT {current.index} out of order")
            rep.invokes.append(current)
        elif kind == "OP":
            mm = _OP.match(rest)
            if not mm or current is None:
                rep.problems.append(f"bad or orphan OP line: {raw!r}")
                continue
            rec = OpRecord(int(mm.group(1)), mm.group(2), mm.group(3), int(mm.group(4)), int(mm.group(5), 16))
            if rec.index != len(current.ops):
                rep.problems.append(f"OP {rec.index} out of order in input {current.index}")
            current.ops.append(rec)
        elif kind == "INVOKE":
            mm = _INVOKE.match(rest)
            if not mm or current is None or int(mm.group(1)) != current.index:
                rep.problems.append(f"bad or orphan INVOKE line: {raw!r}")
                continue
            current.total, current.kernels, current.overhead = (int(g) for g in mm.groups()[1:])
            if sum(o.cycles for o in current.ops) != current.kernels:
                rep.problems.append(f"INVOKE {current.index}: kernels= is not the sum of its OP cycles")
        elif kind == "ERROR":
            mm = _ERROR.match(rest)
            rep.error = FirmwareError(int(mm.group(1)), mm.group(2)) if mm else FirmwareError(-1, rest.strip())
        elif kind == "DONE":
            rep.done = True
        elif kind == "EXIT":
            mm = re.match(r"^ (-?\d+)", rest)
            if mm:
                rep.exit_code = int(mm.group(1))
        elif kind == "CYCLES":
            rep.cycles.update({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", rest)})
    return rep


# Debug mode (firmware/platform/main.c, CFUB_DUMP_LAYER): one op's output as hex lines
#   CFUB DUMP <input> <op> <offset> <hex>   ...   CFUB DUMPEND <input> <op> <bytes> <crc32>
_DUMP = re.compile(r"CFUB DUMP (\d+) (\d+) (\d+) ([0-9a-f]*)\s*$")
_DUMPEND = re.compile(r"CFUB DUMPEND (\d+) (\d+) (\d+) ([0-9a-f]{8})")


def dumps(text: str) -> dict[tuple[int, int], bytes]:
    """(input, op) -> the op's output bytes (all outputs, in order), from CFUB DUMP lines; ProtocolError when a dump
    is incomplete or its bytes do not match the firmware's own length and CRC."""
    import zlib

    parts: dict[tuple[int, int], bytearray] = {}
    out = {}
    for raw in _lines(text):
        m = _DUMP.search(raw)
        if m:
            key, offset = (int(m.group(1)), int(m.group(2))), int(m.group(3))
            buf = parts.setdefault(key, bytearray())
            if offset != len(buf):
                raise ProtocolError(f"dump of op {key[1]}: bytes at {offset} arrived after {len(buf)}")
            buf += bytes.fromhex(m.group(4))
            continue
        m = _DUMPEND.search(raw)
        if m:
            key = (int(m.group(1)), int(m.group(2)))
            data = bytes(parts.pop(key, b""))
            if len(data) != int(m.group(3)) or zlib.crc32(data) != int(m.group(4), 16):
                raise ProtocolError(f"dump of op {key[1]} (input {key[0]}) is garbled: "
                                    f"{len(data)} bytes, expected {m.group(3)}")
            # an op with several outputs dumps each in turn: together, its CRC's bytes
            out[key] = out.get(key, b"") + data
    if parts:
        raise ProtocolError(f"dump of ops {sorted(k[1] for k in parts)} ended early")
    return out
