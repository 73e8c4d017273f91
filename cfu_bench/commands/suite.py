"""`cfu-bench bench`: the benchmark suite, the four models (and, opted in, the zoo) x the CFU
designs, recorded in benchmarks/results/ as JSON per run, a Markdown table and a chart."""
import json
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from ..run import simulate
from ..designs import BASELINE_DESIGN, DEFAULT_DESIGN, list_designs
from ..errors import ToolMissing, UserError
from ..model.models_registry import BENCHMARKS, ZOO_MODELS, resolve_model
from ..paths import results_dir
from .profile import DEFAULT_INPUTS, profile
from ..progress import Progress
from ..results.report import ProfileResult
from ..soc.description import SUITE_MEMORIES



def fast_results_dir() -> Path:
    """Where `bench --sim fast` writes: never over the RTL's recorded results."""
    return results_dir() / "fast-sim"
_FAST_SOURCE = ("fast simulation of the SoC (sim/fast, calibrated against the RTL: "
                "see calibration.md)")

# The template only shows how a design is laid out; its kernels are the reference ones.
NOT_BENCHMARKED = {"template"}
# Above this many MACs the baseline (reference kernels, no CFU) takes hours in the RTL
# simulation: such models get no baseline run, and the table says so.
BASELINE_MAC_LIMIT = 50_000_000


def model_macs(model: str) -> int:
    from ..model.model_summary import summarize_file
    return summarize_file(resolve_model(model)).total_macs


def planned_runs(models: list[str], designs: list[str], memories: list[str],
                 macs: dict[str, int]) -> tuple[list[tuple], list[tuple]]:
    """(runs, skipped): every model x design x memory, less the baseline runs of models over
    BASELINE_MAC_LIMIT, which go to skipped."""
    runs, skipped = [], []
    for m in models:
        for d in designs:
            for mem in memories:
                too_big = d == BASELINE_DESIGN and macs[m] > BASELINE_MAC_LIMIT
                (skipped if too_big else runs).append((m, d, mem))
    return runs, skipped


def suite_designs() -> list[str]:
    others = [d for d in list_designs()
              if d not in NOT_BENCHMARKED and d not in (BASELINE_DESIGN, DEFAULT_DESIGN)]
    return [BASELINE_DESIGN, DEFAULT_DESIGN, *others]


def run_suite(models: list[str] | None = None, designs: list[str] | None = None,
              inputs: int = DEFAULT_INPUTS, out_dir: Path | None = None, command: str = "",
              progress: Progress | None = None, with_resources: bool = True, jobs: int = 2,
              on_run=None, memories: list[str] | None = None, params: dict | None = None,
              zoo: bool = False, on_skip=None, sim: str = "rtl",
              on_refused=None) -> dict:
    """Every model x design x memory. on_run(model, design, memory, result, seconds) is called
    as each run finishes. params: design parameters for every design but the baseline.
    zoo: add every zoo model to `models` (the four benchmarks when models is empty).
    on_skip(model, design, memory, macs) is called for each baseline run left out because the
    model is over BASELINE_MAC_LIMIT. sim: "rtl" or "fast" (cfu_bench.sim.fast_sim; give it
    its own out_dir, fast_results_dir())."""
    progress = progress or Progress(quiet=True)
    models = list(models or BENCHMARKS)
    if zoo:
        models += [z for z in ZOO_MODELS if z not in models]
    macs = {m: model_macs(m) for m in models}
    designs = designs or suite_designs()
    memories = memories or list(SUITE_MEMORIES)
    out_dir = Path(out_dir) if out_dir is not None else results_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    from ..designs import load_design
    loaded = {d: load_design(d, **(params or {}) if d != BASELINE_DESIGN else {}) for d in designs}
    for memory in memories:  # builds first, one at a time: they share the LiteX software tree
        for design in designs:
            if sim == "fast":
                simulate.prepare_fast(loaded[design], progress, memory=memory)
            else:
                simulate.prepare(loaded[design], progress, memory=memory)

    refused = []


    def one(model: str, design: str, memory: str) -> ProfileResult | None:
        t0 = time.monotonic()
        try:
            r = profile(model, cfu=loaded[design], inputs=inputs, memory=memory, sim=sim)
        except UserError as e:
            # A model the runtime (or TFLM) refuses costs its own runs, not the suite's other
            # hours of simulation; a missing tool still stops everything.
            if isinstance(e, ToolMissing):
                raise
            refused.append({"model": model, "cfu": design, "memory": memory, "error": str(e)})
            if on_refused:
                on_refused(model, design, memory, str(e))
            return None
        (out_dir / run_file(model, loaded[design].variant, memory)).write_text(
            json.dumps(r.to_json_dict(), indent=1) + "\n")
        if on_run:
            on_run(model, design, memory, r, time.monotonic() - t0)
        return r

    # Each simulation is one single-threaded Verilator process: run `jobs` of them at once.
    runs, skipped = planned_runs(models, designs, memories, macs)
    if sim == "fast":  # the MAC limit guards the RTL simulation's hours, not the fast one's seconds
        runs, skipped = runs + skipped, []
    for m, d, mem in skipped:
        if on_skip:
            on_skip(m, d, mem, macs[m])
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = {run: r for run, r in zip(runs, pool.map(lambda run: one(*run), runs)) if r}
    resources = _resources(designs, loaded) if with_resources else {}
    summary = {"command": command, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
               "host": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}",
               "inputs_per_run": inputs, "memories": memories, "resources": resources,
               "cycles_source": "fast-sim" if sim == "fast" else "rtl-sim",
               "runs": [_summary_row(r) for r in results.values()],
               "skipped": [{"model": m, "cfu": d, "memory": mem, "total_macs": macs[m],
                            "reason": f"over {BASELINE_MAC_LIMIT:,} MACs: no {d} RTL run"}
                           for m, d, mem in skipped],
               "refused": refused}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    (out_dir / "results.md").write_text(markdown(summary, models, designs, memories))
    if len(memories) > 1:
        (out_dir / "memory.md").write_text(memory_markdown(results, models, designs, memories))
    write_chart(summary, models, designs, memories, out_dir / "cycles.png")
    return summary


def run_file(model: str, design: str, memory: str) -> str:
    return f"{model}-{design}-{memory}.json"


def _summary_row(r: ProfileResult) -> dict:
    return {"model": r.model, "cfu": r.cfu, "memory": r.memory, "cycles_source": r.cycles_source,
            "total_cycles": r.total_cycles,
            "total_macs": r.total_macs, "cycles_per_mac": r.cycles_per_mac,
            "bit_exact": r.bit_exact, "inputs_checked": r.inputs_checked,
            "overhead_cycles": r.overhead_cycles, "setup_cycles": r.setup_cycles,
            "arena_bytes": r.arena_bytes,
            "accelerated_layers": sum(l.kernel != "ref" for l in r.layers),
            "layers": len(r.layers)}


def _resources(designs: list[str], loaded: dict | None = None) -> dict:
    """Per design: the CFU's estimate, and under "soc" the whole Arty SoC's with that CFU.
    loaded: the Designs by name (with their parameters); by default the plain designs."""
    from ..designs import load_design
    from ..results.resources import ARTY_A7_35T, design_resources_of, soc_resources

    loaded = loaded or {}
    out = {}
    for name in designs:
        d = loaded.get(name) or load_design(name)
        try:
            r = design_resources_of(d)
        except Exception as e:  # a failed estimate is reported in the table, not fatal
            out[name] = {"error": " ".join(str(e).split())[:200]}
            continue
        out[name] = r.as_dict()
        try:
            s = soc_resources(d)
            out[name]["soc"] = {**s.as_dict(), "fits_xc7a35t": s.fits(ARTY_A7_35T)}
        except Exception as e:
            out[name]["soc"] = {"error": " ".join(str(e).split())[:200]}
    return out


def markdown(summary: dict, models: list[str], designs: list[str],
             memories: list[str] = ("ideal",)) -> str:
    runs = {(r["model"], r["cfu"], r.get("memory", "ideal")): r for r in summary["runs"]}
    lines = [f"Measured with `{summary['command']}` on {summary['date']} "
             f"({summary['inputs_per_run']} random inputs per run; cycles from mcycle in the "
             + (_FAST_SOURCE if summary.get("cycles_source") == "fast-sim" else
                "Verilator RTL simulation of the SoC")
             + ", main RAM "
             + " and ".join(_MEMORY_NAMES[m] for m in memories)
             + "; every layer checked against TFLM).", ""]
    cols = [(d, mem) for d in designs for mem in memories]
    head = ["model", "MACs"] + [f"{d} {mem} cycles" for d, mem in cols] + \
           [f"{d} {mem} cyc/MAC" for d, mem in cols] + \
           [f"speedup {d} {mem}" for d, mem in cols if d != BASELINE_DESIGN] + ["bit-exact"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for m in models:
        rs = [runs.get((m, d, mem)) for d, mem in cols]
        first = next((r for r in rs if r), None)
        cells = [m, f"{first['total_macs']:,}" if first else "-"]
        cells += [f"{r['total_cycles']:,}" if r else "-" for r in rs]
        cells += [f"{r['total_cycles'] / r['total_macs']:.2f}" if r else "-" for r in rs]
        for (d, mem), r in zip(cols, rs):
            if d == BASELINE_DESIGN:
                continue
            base = runs.get((m, BASELINE_DESIGN, mem))
            cells.append(f"{base['total_cycles'] / r['total_cycles']:.1f}x" if r and base else "-")
        done = [r for r in rs if r]
        cells.append("-" if not done else "yes" if all(r["bit_exact"] for r in done) else "NO")
        lines.append("| " + " | ".join(cells) + " |")
    skipped = summary.get("skipped") or []
    if skipped:
        lines += ["", "Not run (a `-` above): " + "; ".join(
            f"{s['model']} {s['cfu']} {s['memory']} ({s['total_macs']:,} MACs, over "
            f"{BASELINE_MAC_LIMIT:,}: the reference kernels would take hours in the RTL simulation)"
            for s in skipped) + "."]
    for r in summary.get("refused") or []:
        lines += ["", f"Refused: {r['model']} {r['cfu']} {r['memory']}: {r['error']}"]
    res = summary.get("resources") or {}
    if res:
        lines += ["", "Resources on the Arty's XC7A35T (Yosys `synth_xilinx`, estimate; the part has "
                  "20,800 LUTs, 41,600 FFs, 90 DSPs, 50 BRAM36): the CFU alone, and the whole SoC "
                  "with it (VexRiscv, DDR3 controller, L2, ROM, UART):", "",
                  "| design | LUTs | FFs | DSPs | BRAMs | SoC LUTs | SoC FFs | SoC DSPs | SoC BRAMs | fits |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for d, r in res.items():
            if "error" in r:
                lines.append(f"| {d} | ({r['error']}) | | | | | | | | |")
                continue
            s = r.get("soc") or {}
            soc = (["-"] * 4 + ["-"]) if "error" in s or not s else \
                [str(s["luts"]), str(s["ffs"]), str(s["dsps"]), f"{s['brams']:g}",
                 "yes" if s["fits_xc7a35t"] else "NO"]
            lines.append("| " + " | ".join([d, str(r.get("luts", "-")), str(r.get("ffs", "-")),
                                            str(r.get("dsps", "-")), str(r.get("brams", "-"))] + soc) + " |")
    return "\n".join(lines) + "\n"


_MEMORY_NAMES = {"ddr3": "DDR3 (LiteDRAM with the Arty's MT41K128M16 timings, 8 KiB L2)",
                 "ideal": "ideal (single-cycle)",
                 "sdram": "SDR SDRAM (LiteDRAM with the ULX3S's MT48LC16M16 timings, 8 KiB L2, 50 MHz)"}


def memory_markdown(results: dict, models: list[str], designs: list[str],
                    memories: list[str]) -> str:
    """Per layer, the cycles with each memory and their ratio to the first memory's."""
    ref = "ideal" if "ideal" in memories else memories[0]
    memories = [ref] + [mem for mem in memories if mem != ref]
    others = memories[1:]
    lines = ["Cycles per layer by main RAM model (mcycle, Verilator RTL simulation; mean over "
             "the inputs).", ""]
    for m in models:
        for d in designs:
            rs = {mem: results.get((m, d, mem)) for mem in memories}
            if not all(rs.values()):
                continue
            lines += [f"### {m}, CFU {d}", "",
                      "| # | op | kernel | " + " | ".join(f"{mem} cycles" for mem in memories)
                      + " | " + " | ".join(f"{mem}/{ref}" for mem in others) + " |",
                      "|" + "---|" * (3 + len(memories) + len(others))]
            rows = list(zip(*(rs[mem].layers for mem in memories)))
            rows.append(None)
            for row in rows:
                if row is None:
                    cyc = [rs[mem].total_cycles for mem in memories]
                    label = ["", "total", ""]
                else:
                    cyc = [l.cycles for l in row]
                    label = [str(row[0].index), row[0].op, row[0].kernel]
                ratios = [f"{c / cyc[0]:.2f}" if cyc[0] else "-" for c in cyc[1:]]
                lines.append("| " + " | ".join(label + [f"{c:,}" for c in cyc] + ratios) + " |")
            lines.append("")
    return "\n".join(lines)


def write_chart(summary: dict, models: list[str], designs: list[str], memories: list[str],
                path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = {(r["model"], r["cfu"], r["memory"]): r for r in summary["runs"]}
    series = [(d, mem) for d in designs for mem in memories]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(series)
    for j, (d, mem) in enumerate(series):
        key = [(m, d, mem) for m in models]
        ys = [runs[k]["total_cycles"] / runs[k]["total_macs"] if k in runs else 0 for k in key]
        bars = ax.bar([i + (j - (len(series) - 1) / 2) * width for i in range(len(models))],
                      ys, width, label=f"{d} ({mem})")
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(range(len(models)), models)
    ax.set_ylabel("cycles per MAC (lower is better)")
    ax.set_yscale("log")
    ax.set_title("MLPerf Tiny on VexRiscv + CFU (Verilator RTL simulation, mcycle)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
