"""`cfu-bench calibrate`: the same runs on the RTL simulation and on the fast simulation, and
how far the fast one's cycles are from the RTL's, per layer and for the whole model.

The bounds are the fast simulation's promise (issue 25): whole-model cycles within 1 % of
the RTL on ideal memory and 3 % on DDR3; every layer above 1 % of the total within 5 %.
"""
from dataclasses import dataclass, field

from .profile import profile
from ..progress import Progress

WHOLE_BOUND = {"ideal": 1.0, "ddr3": 3.0}   # percent
LAYER_BOUND = 5.0                            # percent, for layers above LAYER_SHARE
LAYER_SHARE = 0.01


def error_percent(fast: int, rtl: int) -> float:
    """Signed error of the fast simulation's cycles against the RTL's, in percent."""
    return 100.0 * (fast - rtl) / rtl if rtl else (0.0 if fast == 0 else float("inf"))


@dataclass
class Calibration:
    model: str
    cfu: str
    memory: str
    rtl_cycles: int            # kernel cycles, the sum of the layers
    fast_cycles: int
    layers: list[dict] = field(default_factory=list)  # index, op, rtl, fast, error_percent, checked
    fast_cycles_per_second: float | None = None
    rtl_cycles_per_second: float | None = None
    bit_exact: bool = True     # both runs matched TFLM on every layer

    @property
    def error_percent(self) -> float:
        return error_percent(self.fast_cycles, self.rtl_cycles)

    @property
    def worst_layer(self) -> dict | None:
        checked = [l for l in self.layers if l["checked"]]
        return max(checked, key=lambda l: abs(l["error_percent"])) if checked else None

    @property
    def within_bounds(self) -> bool:
        worst = self.worst_layer
        return (abs(self.error_percent) <= WHOLE_BOUND[self.memory]
                and (worst is None or abs(worst["error_percent"]) <= LAYER_BOUND))

    def to_json_dict(self) -> dict:
        return {"model": self.model, "cfu": self.cfu, "memory": self.memory,
                "rtl_cycles": self.rtl_cycles, "fast_cycles": self.fast_cycles,
                "error_percent": round(self.error_percent, 3),
                "whole_bound_percent": WHOLE_BOUND[self.memory],
                "layer_bound_percent": LAYER_BOUND, "within_bounds": self.within_bounds,
                "bit_exact": self.bit_exact, "layers": self.layers,
                "fast_cycles_per_second": self.fast_cycles_per_second,
                "rtl_cycles_per_second": self.rtl_cycles_per_second}


def compare(model: str, rtl, fast) -> Calibration:
    """A Calibration from two ProfileResults of the same model, design and memory."""
    total = rtl.kernel_cycles
    layers = [{"index": r.index, "op": r.op, "rtl": r.cycles, "fast": f.cycles,
               "error_percent": round(error_percent(f.cycles, r.cycles), 3),
               "checked": r.cycles > LAYER_SHARE * total}
              for r, f in zip(rtl.layers, fast.layers)]
    return Calibration(model, rtl.cfu, rtl.memory, total, fast.kernel_cycles, layers,
                       (fast.sim or {}).get("cycles_per_second"),
                       (rtl.sim or {}).get("cycles_per_second"),
                       rtl.bit_exact and fast.bit_exact)


def calibrate(model: str, cfu: str, memory: str, inputs: int = 1, use_cache: bool = True,
              progress: Progress | None = None) -> Calibration:
    """Run MODEL with CFU on both simulators (the RTL result may come from the cache: it is
    keyed by the same SoC build, firmware and inputs) and compare them."""
    progress = progress or Progress(quiet=True)
    common = dict(cfu=cfu, memory=memory, inputs=inputs, progress=progress)
    rtl = profile(model, use_cache=use_cache, sim="rtl", **common)
    fast = profile(model, use_cache=False, sim="fast", **common)
    return compare(rtl.model, rtl, fast)


def format_calibration(c: Calibration, layers: bool = True) -> str:
    out = []
    if layers:
        out.append(f"{c.model} / {c.cfu} / {c.memory}:")
        out.append(f"  {'#':>3}  {'op':<18} {'rtl-sim':>12} {'fast-sim':>12} {'error':>8}")
        for l in c.layers:
            out.append(f"  {l['index']:>3}  {l['op']:<18} {l['rtl']:>12,} {l['fast']:>12,} "
                       f"{l['error_percent']:>+7.2f}%{'' if l['checked'] else '  (<1 %)'}")
    worst = c.worst_layer
    out.append(f"{c.model} {c.cfu} {c.memory}: whole model {c.rtl_cycles:,} rtl-sim, "
               f"{c.fast_cycles:,} fast-sim, error {c.error_percent:+.2f}% (bound "
               f"{WHOLE_BOUND[c.memory]:g}%); worst layer "
               + (f"{worst['index']} {worst['error_percent']:+.2f}% (bound {LAYER_BOUND:g}%)"
                  if worst else "-")
               + ("; within bounds" if c.within_bounds else "; OUTSIDE BOUNDS")
               + ("" if c.bit_exact else "; NOT bit-exact"))
    return "\n".join(out)
