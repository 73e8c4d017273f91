"""Utilisation and timing of a placed and routed ECP5 design, from nextpnr-ecp5's JSON report
(`--report`): the cells the placed design uses, each clock's achieved fmax, and each clock's
critical path."""
from dataclasses import dataclass

from ...errors import UserError

# nextpnr-ecp5's cell types for what we report: a TRELLIS_COMB is one LUT4 (carry chains
# included: a CCU2 counts as two), a DP16KD one 18 Kb block RAM, a MULT18X18D one multiplier.
CELL_TYPES = {"lut": ("TRELLIS_COMB",), "ff": ("TRELLIS_FF",), "dsp": ("MULT18X18D", "ALU54B"),
              "bram": ("DP16KD",)}


@dataclass
class Utilisation:
    lut: int
    ff: int
    dsp: int
    bram: int
    available: dict


@dataclass
class Ecp5Timing:
    fmax_mhz: float          # the slowest clock among those constrained to the target
    worst_path: dict         # that clock's critical path: from, to, delay_ns, logic_levels, clock
    clocks: dict             # every constrained clock: achieved and target MHz


def parse_utilisation(report: dict) -> Utilisation:
    cells = report.get("utilization") or report.get("utilisation")
    if not isinstance(cells, dict) or not cells:
        raise UserError("nextpnr's report has no utilization section")

    def total(key, field):
        return sum(int(cells[t][field]) for t in CELL_TYPES[key] if t in cells)

    return Utilisation(lut=total("lut", "used"), ff=total("ff", "used"), dsp=total("dsp", "used"),
                       bram=total("bram", "used"),
                       available={k: total(k, "available") for k in CELL_TYPES})


def fmax_of_clocks(report: dict) -> dict[str, dict]:
    """Clock net -> {"achieved_mhz", "target_mhz"}."""
    out = {}
    for clock, f in (report.get("fmax") or {}).items():
        out[clock] = {"achieved_mhz": round(float(f["achieved"]), 2),
                      "target_mhz": round(float(f["constraint"]), 3)}
    return out


# LiteX's ECP5 PLL gets within 1 % of the requested clock and constrains the clock it makes
# (44 MHz asked: 43.75 MHz made and constrained).
PLL_MARGIN = 0.01


def sys_clock(clocks: dict[str, dict], target_mhz: float) -> str:
    """The SoC clock: the slowest of the clocks constrained to the target frequency, as the PLL
    makes it (a clock with the same frequency, such as the SDRAM's phase-shifted one, can only
    make it stricter)."""
    candidates = [c for c, f in clocks.items()
                  if abs(f["target_mhz"] - target_mhz) <= PLL_MARGIN * target_mhz + 0.01]
    if not candidates:
        raise UserError(f"nextpnr's report has no clock constrained to {target_mhz:g} MHz "
                        f"(clocks: {', '.join(clocks) or 'none'})")
    return min(candidates, key=lambda c: clocks[c]["achieved_mhz"])


def _endpoint(step: dict, side: str) -> str:
    end = step.get(side) or {}
    cell, port = end.get("cell", "?"), end.get("port")
    return f"{cell}.{port}" if port else cell


def critical_path(report: dict, clock: str) -> dict | None:
    """The critical path launched and captured by `clock`: its first and last cell, total
    delay and number of logic cells on it."""
    edge = {clock, f"posedge {clock}"}  # nextpnr names the launching and capturing edges
    for p in report.get("critical_paths") or []:
        if p.get("from") not in edge or p.get("to") not in edge:
            continue
        steps = p.get("path") or []
        if not steps:
            return None
        return {"clock": clock, "from": _endpoint(steps[0], "from"),
                "to": _endpoint(steps[-1], "to"),
                "delay_ns": round(sum(float(s.get("delay", 0.0)) for s in steps), 3),
                "logic_levels": sum(1 for s in steps if s.get("type") == "logic")}
    return None


def read_nextpnr_report(report: dict, target_mhz: float) -> tuple[Utilisation, Ecp5Timing]:
    clocks = fmax_of_clocks(report)
    clock = sys_clock(clocks, target_mhz)
    path = critical_path(report, clock) or {"clock": clock, "from": "?", "to": "?",
                                            "delay_ns": None, "logic_levels": None}
    return parse_utilisation(report), Ecp5Timing(fmax_mhz=clocks[clock]["achieved_mhz"],
                                                 worst_path=path, clocks=clocks)
