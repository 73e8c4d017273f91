"""Resource use and timing from the FPGA toolchain's reports (Vivado, nextpnr-xilinx)."""
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import UserError

BUILD_NAME = "cfu_bench_arty"


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
