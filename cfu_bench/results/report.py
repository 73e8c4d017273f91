"""Profile results and their forms: the table, JSON (design.md contract), CSV and a PNG plot."""
import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class LayerResult:
    index: int
    op: str
    output_shape: list[int]
    macs: int
    kernel: str          # "ref" or the CFU kernel that ran this layer
    cycles: int          # mean over the inputs, from mcycle
    bit_exact: bool      # this layer's output matched TFLM for every input


@dataclass
class ProfileResult:
    model: str
    cfu: str
    target: str              # "sim" or "arty"
    memory: str              # "ddr3" (as on the Arty), "sdram" (as on the ULX3S) or "ideal"
    total_cycles: int        # one inference (mean over inputs), mcycle, dispatch included
    total_macs: int
    bit_exact: bool
    inputs_checked: int
    layers: list[LayerResult]
    sim: dict | None         # {"cycles_per_second", "wall_seconds"} for target sim
    kernel_cycles: int = 0   # sum of the layers' cycles
    overhead_cycles: int = 0  # runtime dispatch inside the inference (total - kernels)
    setup_cycles: int = 0    # parse + plan + prepare, once per model load
    arena_bytes: int = 0
    cycles_source: str = "rtl-sim"  # "rtl-sim", "fast-sim" or "board"
    mismatches: list[dict] = field(default_factory=list)  # first few (input, layer) that differ
    first_mismatch: dict | None = None  # element diff of the first differing layer (mismatch.py)
    trace: str | None = None  # waveform of the layers given to --trace (trace.py)
    params: dict = field(default_factory=dict)  # the design's parameters, defaults included
    cached: bool = False
    cycles_detail: str = ""  # the counter, simulator or board and memory, in words

    @property
    def cycles_per_mac(self) -> float | None:
        return self.total_cycles / self.total_macs if self.total_macs else None

    def to_json_dict(self) -> dict:
        d = asdict(self)
        d["cycles_per_mac"] = self.cycles_per_mac
        return d

    @classmethod
    def from_json_dict(cls, d: dict) -> "ProfileResult":
        d = dict(d)
        d.pop("cycles_per_mac", None)
        d["layers"] = [LayerResult(**l) for l in d["layers"]]
        return cls(**d)


def write_json(result: ProfileResult, path: Path, baseline: ProfileResult | None = None) -> None:
    d = result.to_json_dict()
    if baseline is not None:
        d["baseline"] = {"cfu": baseline.cfu, "memory": baseline.memory,
                         "total_cycles": baseline.total_cycles,
                         "bit_exact": baseline.bit_exact,
                         "speedup": _ratio(baseline.total_cycles, result.total_cycles),
                         "layers": [{"index": b.index, "cycles": b.cycles}
                                    for b in baseline.layers]}
    Path(path).write_text(json.dumps(d, indent=2) + "\n")


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def _shape(s: list[int]) -> str:
    return "x".join(map(str, s))


def _cpm(cycles: int, macs: int) -> str:
    return f"{cycles / macs:.2f}" if macs else "-"


def table_rows(result: ProfileResult, baseline: ProfileResult | None = None) -> list[dict]:
    base = {b.index: b for b in baseline.layers} if baseline else {}
    rows = []
    for l in result.layers:
        row = {"#": l.index, "op": l.op, "output": _shape(l.output_shape), "kernel": l.kernel,
               "MACs": l.macs, "cycles": l.cycles, "cyc/MAC": _cpm(l.cycles, l.macs),
               "share": f"{100 * l.cycles / max(result.kernel_cycles, 1):.1f}%",
               "exact": "yes" if l.bit_exact else "NO"}
        if baseline:
            b = base.get(l.index)
            row["base cycles"] = b.cycles if b else "-"
            row["speedup"] = f"{b.cycles / l.cycles:.1f}x" if b and l.cycles else "-"
        rows.append(row)
    return rows


def format_table(result: ProfileResult, baseline: ProfileResult | None = None) -> str:
    rows = table_rows(result, baseline)
    headers = list(rows[0]) if rows else []
    numeric = {"#", "MACs", "cycles", "cyc/MAC", "share", "base cycles", "speedup"}

    def cell(v):
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)

    widths = {h: max(len(h), *(len(cell(r[h])) for r in rows)) for h in headers}

    def line(vals):
        return "  ".join(cell(v).rjust(widths[h]) if h in numeric else cell(v).ljust(widths[h])
                         for h, v in zip(headers, vals)).rstrip()
    params = " ".join(f"{k}={v}" for k, v in result.params.items())
    out = [f"{result.model} on {result.target}, memory {result.memory}, CFU {result.cfu}"
           + (f" ({params})" if params else "")
           + (f", baseline {baseline.cfu}" if baseline else ""),
           line(headers), line(["-" * widths[h] for h in headers])]
    out += [line([r[h] for h in headers]) for r in rows]
    out.append("")
    out.append(f"total: {result.total_cycles:,} cycles for {result.total_macs:,} MACs = "
               f"{_cpm(result.total_cycles, result.total_macs)} cycles/MAC "
               f"(kernels {result.kernel_cycles:,}, runtime dispatch {result.overhead_cycles:,}; "
               f"model setup {result.setup_cycles:,} once; arena {result.arena_bytes:,} B)")
    if baseline:
        out.append(f"baseline {baseline.cfu}: {baseline.total_cycles:,} cycles "
                   f"({_cpm(baseline.total_cycles, baseline.total_macs)} cycles/MAC); "
                   f"speedup {baseline.total_cycles / max(result.total_cycles, 1):.2f}x"
                   + ("" if baseline.bit_exact else "  [baseline NOT bit-exact]"))
    verdict = ("bit-exact with TFLM on every layer" if result.bit_exact
               else f"MISMATCH with TFLM ({len(result.mismatches)} shown in JSON)")
    out.append(f"check: {verdict}, {result.inputs_checked} input(s)")
    if result.first_mismatch:
        from .mismatch import format_first_mismatch
        out.append(format_first_mismatch(result.first_mismatch))
    if result.trace:
        out.append(f"trace: {result.trace} (GTKWave: gtkwave {result.trace} "
                   f"{Path(result.trace).with_suffix('.gtkw')})")
    out.append(f"cycles: {result.cycles_source}"
               + (f" ({result.cycles_detail})" if result.cycles_detail else "")
               + (" (cached result)" if result.cached else ""))
    if baseline is not None and baseline.cycles_source != result.cycles_source:
        out.append(f"baseline cycles: {baseline.cycles_source} ({baseline.cycles_detail}): "
                   f"not the same source as the design's")
    if result.sim:
        n = result.sim.get("simulations", 1)
        speed = result.sim.get("cycles_per_second")
        out.append(f"simulation: {speed / 1e6 if speed else 0:.2f} M cycles/s"
                   f"{' each' if n > 1 else ''}, {n} simulation{'s' if n > 1 else ''}"
                   f" (one per input) in {result.sim['wall_seconds']:.1f} s wall")
    return "\n".join(out)


def write_csv(result: ProfileResult, path: Path, baseline: ProfileResult | None = None) -> None:
    rows = [{"model": result.model, "cfu": result.cfu, "target": result.target,
             "memory": result.memory, "cycles_source": result.cycles_source, **r}
            for r in table_rows(result, baseline)]
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    Path(path).write_text(buf.getvalue())


def write_plot(result: ProfileResult, path: Path, baseline: ProfileResult | None = None) -> None:
    """Cycles per layer, side by side with the baseline when there is one (log scale)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{l.index} {l.op.replace('_2D', '').replace('DEPTHWISE', 'DW')}"
              for l in result.layers]
    x = range(len(labels))
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(labels) + 2), 4.5))
    width = 0.4 if baseline else 0.8
    if baseline:
        base = {b.index: b.cycles for b in baseline.layers}
        ax.bar([i - width / 2 for i in x], [base.get(l.index, 0) for l in result.layers],
               width, label=f"{baseline.cfu} ({baseline.total_cycles:,} cycles)", color="#999999")
    ax.bar([i + (width / 2 if baseline else 0) for i in x], [l.cycles for l in result.layers],
           width, label=f"{result.cfu} ({result.total_cycles:,} cycles)", color="#1f77b4")
    ax.set_yscale("log")
    ax.set_xticks(list(x), labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("cycles (mcycle)")
    ax.set_title(f"{result.model}: cycles per layer ({result.target}, memory {result.memory})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
