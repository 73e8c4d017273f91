"""`cfu-bench sweep`: a design's parameter grid x models, on this machine or a Ray cluster.

Every point (one set of parameters) builds its CFU and SoC (cached), passes the design's
cocotb tests, gets a yosys resource estimate and profiles each model bit-exact on the
simulated SoC; the rows (a point and a model each) go to sweep.csv and sweep.json, and the
cycles-against-resources Pareto fronts to pareto.png. Each step is cached by its inputs
(Verilog, firmware, model, memory), so an interrupted sweep resumes where it stopped and a
finished one re-runs in seconds.

Engines: "local" runs points in a process pool; "ray" runs each point as a Ray task on an
existing cluster (`ray_address`) or on a local one it starts. Both call `run_point`, so
their rows are the same.
"""
import csv
import hashlib
import itertools
import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import CfuBenchError, ResultError, UserError
from ..file_lock import file_lock

ENGINES = ("local", "ray")
RESOURCE_SCOPES = {"cfu": "the CFU alone (yosys synth_xilinx -family xc7, estimate)",
                   "soc": "the whole Arty A7 SoC with the CFU (yosys synth_xilinx -family xc7, estimate)",
                   "ulx3s": "the whole ULX3S SoC with the CFU, placed and routed (yowasp yosys + "
                            "nextpnr-ecp5, LFE5U-85F; fmax of the sys clock after routing)"}
# The memory each board's rows are simulated with (its cycles are that board's).
BOARD_MEMORY = {"ulx3s": "sdram"}
RESOURCE_FIELDS = ("luts", "ffs", "dsps", "brams")


# ---- the grid ---------------------------------------------------------------------------------

def parse_grid(items) -> dict:
    """`--param NAME=V1,V2,...` options into {name: [values]} (ints where they parse)."""
    grid = {}
    for item in items or ():
        name, sep, values = str(item).partition("=")
        name = name.strip()
        parts = [v.strip() for v in values.split(",")]
        if not sep or not name.isidentifier() or not all(parts):
            raise UserError(f"bad --param '{item}': expected NAME=V1,V2,... (e.g. --param lanes=4,8,16)")
        if name in grid:
            raise UserError(f"--param {name} given twice")
        grid[name] = [_value(v) for v in parts]
    return grid


def _value(text: str):
    try:
        return int(text, 0)
    except ValueError:
        return text


def grid_points(grid: dict) -> list[dict]:
    """Every combination, the first parameter varying slowest."""
    names = list(grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]


def point_label(params: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(defaults)"


# ---- one point ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepSpec:
    design: str
    models: tuple
    memory: str = "ddr3"
    inputs: int = 1
    resources: str = "cfu"     # "cfu" or "soc"
    cocotb: bool = True
    sim: str = "rtl"           # "rtl" or "fast" (cfu_bench.sim.fast_sim: no SoC build per point)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextmanager
def _build_lock():
    """One build at a time per machine: points share the LiteX software tree and the caches."""
    from ..paths import build_root
    with file_lock(build_root() / "sweep" / ".build.lock"):
        yield


def _cached_json(kind: str, key: str, compute):
    """compute() once per key, kept under build/sweep/<kind>/ (a resumed sweep reads it)."""
    from ..paths import build_root
    path = build_root() / "sweep" / kind / f"{key}.json"
    if path.exists():
        return json.loads(path.read_text())
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))
    return value


def _cocotb_check(design) -> str:
    import logging

    from ..testing.cocotb_runner import run_cocotb
    from ..testing import seeds

    # The cocotb runner logs each command at INFO on a logger of its own class's name (and
    # sets that level itself): in a sweep those lines drown the progress.
    logging.getLogger("Verilator").disabled = True

    def run():
        r = run_cocotb(design)
        return {"passed": r.total - len(r.failed), "total": r.total, "summary": r.summary()}
    key = hashlib.sha256(f"{design.gateware_hash()}|{seeds.base_seed()}".encode()).hexdigest()[:20]
    result = _cached_json("cocotb", key, run)
    if result["total"] == 0 or result["passed"] != result["total"]:
        raise ResultError(f"{design.variant}: cocotb check failed: {result['summary']}")
    return f"{result['passed']}/{result['total']} passed"


def _resources(design, scope: str) -> dict:
    from ..results.resources import design_resources_of, soc_resources

    if scope == "ulx3s":
        return _cached_json("resources-ulx3s", design.gateware_hash(),
                            lambda: _placed_and_routed(design))

    def run():
        r = design_resources_of(design) if scope == "cfu" else soc_resources(design)
        return r.as_dict()
    return _cached_json(f"resources-{scope}", design.gateware_hash(), run)


def _placed_and_routed(design) -> dict:
    """Post-place-and-route utilisation and fmax of the ULX3S SoC with this CFU (its bitstream
    is built too: the same flow as `cfu-bench build --target ulx3s`)."""
    from ..run.board.ecp5_build import build_ecp5
    b = build_ecp5(design, allow_timing_miss=True)
    u = b.utilisation
    return {"luts": u["lut"], "ffs": u["ff"], "dsps": u["dsp"], "brams": u["bram"],
            "fmax_mhz": b.fmax_mhz, "target_mhz": b.target_mhz, "met": b.met,
            "worst_path": b.worst_path, "bitstream": str(b.bitstream)}


def latency_us(cycles: int, fmax_mhz: float) -> float:
    """Time of one inference at the clock the design reaches: cycles / fmax (MHz -> us)."""
    return round(cycles / fmax_mhz, 1)


def run_point(spec: SweepSpec, params: dict, index: int = 0, total: int = 0) -> list[dict]:
    """Build, check, estimate and profile one point; a row per model. index/total number
    the progress lines ([k/total] counts point x model)."""
    from ..run import simulate
    from ..designs import load_design
    from .profile import profile

    design = load_design(spec.design, **params)
    label = point_label(params)
    first = index * len(spec.models)

    def step(k: int, model: str, what: str) -> None:
        _say(f"[{first + k + 1}/{total}] {label} {model}: {what}")

    with _build_lock():
        step(0, spec.models[0], "building (cached when unchanged)...")
        if spec.sim == "fast":
            simulate.prepare_fast(design, memory=spec.memory)
        else:
            simulate.prepare(design, memory=spec.memory)
        cocotb = "skipped"
        if spec.cocotb and design.tests_dir is not None:
            step(0, spec.models[0], "cocotb check...")
            cocotb = _cocotb_check(design)
        step(0, spec.models[0], f"resources ({spec.resources})...")
        res = _resources(design, spec.resources)
    rows = []
    for k, model in enumerate(spec.models):
        step(k, model, "profiling...")
        t0 = time.monotonic()
        r = profile(model, cfu=design, inputs=spec.inputs, memory=spec.memory, sim=spec.sim)
        step(k, model, f"{r.total_cycles:,} cycles, {'bit-exact' if r.bit_exact else 'NOT bit-exact'}"
                       f"{' (cached)' if r.cached else f' ({time.monotonic() - t0:.0f} s)'}")
        rows.append({**params, "model": r.model, "cycles": r.total_cycles,
                     **{f: res.get(f) for f in RESOURCE_FIELDS}, "bit_exact": r.bit_exact,
                     "macs": r.total_macs, "cycles_per_mac": round(r.cycles_per_mac, 4),
                     "accelerated_layers": sum(l.kernel != "ref" for l in r.layers),
                     "layers": len(r.layers), "memory": r.memory, "resources": spec.resources,
                     "cocotb": cocotb, "cycles_source": r.cycles_source, "rtl_cycles": None})
        if "fmax_mhz" in res:
            rows[-1].update(fmax_mhz=res["fmax_mhz"], met=res["met"],
                            latency_us=latency_us(r.total_cycles, res["fmax_mhz"]))
    return rows


# ---- engines --------------------------------------------------------------------------------------

def _run_local(spec, points, jobs, on_rows):
    from concurrent.futures import ProcessPoolExecutor, as_completed

    total = len(points) * len(spec.models)
    if jobs <= 1:
        for i, p in enumerate(points):
            on_rows(i, run_point(spec, p, i, total))
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_point, spec, p, i, total): i for i, p in enumerate(points)}
        for f in as_completed(futures):
            on_rows(futures[f], f.result())


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def _run_ray(spec, points, jobs, on_rows, address):
    if not ray_available():
        raise UserError("--engine ray needs Ray: pip install 'cfu-bench[sweep]' "
                        "(scripts/setup.sh --models installs it)")
    import ray
    from ray.exceptions import RayTaskError

    # Workers run this interpreter (the repo's .venv), also on a cluster started elsewhere.
    runtime_env = {"py_executable": sys.executable}
    started_here = not ray.is_initialized()
    if started_here:
        try:
            # "local": a new Ray here, never whatever `ray start` left on this machine
            ray.init(address=address or "local", runtime_env=runtime_env, log_to_driver=True,
                     include_dashboard=False, logging_level="ERROR", configure_logging=False,
                     **({} if address else {"num_cpus": max(1, jobs)}))
        except ConnectionError as e:
            raise UserError(f"cannot reach the Ray cluster at {address}: {e}") from None
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(run_point)
        total = len(points) * len(spec.models)
        pending = {task.remote(spec, p, i, total): i for i, p in enumerate(points)}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                i = pending.pop(ref)
                try:
                    on_rows(i, ray.get(ref))
                except RayTaskError as e:
                    cause = getattr(e, "cause", None)
                    if isinstance(cause, CfuBenchError):
                        raise cause from None
                    raise
    finally:
        if started_here:
            ray.shutdown()


# ---- the sweep --------------------------------------------------------------------------------

def sweep(design: str, grid: dict, models: list[str], engine: str = "local", jobs: int = 1,
          out_dir: Path | None = None, memory: str = "ddr3", inputs: int = 1, resources: str = "cfu",
          ray_address: str | None = None, cocotb: bool = True, command: str = "",
          sim: str = "rtl", confirm: int = 0) -> dict:
    """Run the grid; write DIR/sweep.csv, sweep.json and pareto.png when out_dir is given.
    Returns the JSON document (rows in grid order, then model order).
    sim "fast": every point on the fast simulation (ranks points in seconds); confirm N then
    re-runs the N points with the fewest cycles (summed over the models) on the RTL and adds
    their `rtl_cycles` to their rows."""
    from ..designs import load_design
    from ..model.models_registry import resolve_model
    from ..soc.description import MEMORIES

    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    if engine == "ray" and not ray_available():
        raise UserError("--engine ray needs Ray: pip install 'cfu-bench[sweep]' "
                        "(scripts/setup.sh --models installs it)")
    if memory not in MEMORIES:
        raise UserError(f"unknown memory {memory!r}; valid: {', '.join(MEMORIES)}")
    if resources not in RESOURCE_SCOPES:
        raise UserError(f"unknown resources scope {resources!r}; valid: {', '.join(RESOURCE_SCOPES)}")
    if resources in BOARD_MEMORY and memory != BOARD_MEMORY[resources]:
        raise UserError(f"the {resources} sweep simulates that board's memory "
                        f"({BOARD_MEMORY[resources]}), not {memory}")
    if not models:
        raise UserError("give at least one --model")
    if sim not in ("rtl", "fast"):
        raise UserError(f"unknown simulator {sim!r}; valid: rtl, fast")
    if confirm and sim != "fast":
        raise UserError("--confirm re-runs the best points of a --sim fast sweep on the RTL")
    if confirm < 0:
        raise UserError("--confirm must be 0 or more")
    if inputs < 1:
        raise UserError("--inputs must be at least 1")
    for m in models:
        resolve_model(m)
    points = grid_points(grid)
    for p in points:           # every name and value checked before anything runs
        load_design(design, **p)
    spec = SweepSpec(design, tuple(models), memory, inputs, resources, cocotb, sim)
    results: dict[int, list] = {}
    t0 = time.monotonic()

    def on_rows(i, rows):
        results[i] = rows
        if engine == "ray":   # workers' lines reach us through Ray's log forwarding, if at all
            for k, r in enumerate(rows):
                _say(f"[{i * len(models) + k + 1}/{len(points) * len(models)}] {point_label(points[i])} "
                     f"{r['model']}: {r['cycles']:,} cycles, {'bit-exact' if r['bit_exact'] else 'NOT bit-exact'}"
                     " (Ray task done)")

    if engine == "local":
        _run_local(spec, points, jobs, on_rows)
    else:
        _run_ray(spec, points, jobs, on_rows, ray_address)
    confirmed = _confirm_best(spec, points, results, confirm) if confirm else []
    rows = [row for i in range(len(points)) for row in results[i]]
    doc = {"command": command, "design": design, "parameters": grid, "models": list(models),
           "memory": memory, "inputs_per_run": inputs, "engine": engine,
           "cycles_source": "fast-sim" if sim == "fast" else "rtl-sim",
           "cycles_detail": ("mcycle, fast simulation of the SoC (sim/fast), main RAM "
                             if sim == "fast" else
                             "mcycle, Verilator RTL simulation of the SoC, main RAM ") + memory,
           "confirmed_in_rtl": confirmed,
           "resources": resources, "resources_source": RESOURCE_SCOPES[resources],
           "wall_seconds": round(time.monotonic() - t0, 1),
           "rows": rows, "pareto": pareto_fronts(rows, list(grid))}
    if out_dir is not None:
        write_outputs(doc, Path(out_dir))
    return doc


def _confirm_best(spec: SweepSpec, points: list[dict], results: dict, n: int) -> list[dict]:
    """Re-run the n fastest points (fewest cycles summed over the models) on the RTL; their
    rows get rtl_cycles. Returns the confirmed points' parameters."""
    from ..designs import load_design
    from .profile import profile

    ranked = sorted(range(len(points)), key=lambda i: sum(r["cycles"] for r in results[i]))
    done = []
    for i in ranked[:n]:
        design = load_design(spec.design, **points[i])
        for row in results[i]:
            _say(f"confirming {point_label(points[i])} {row['model']} on the RTL...")
            r = profile(row["model"], cfu=design, inputs=spec.inputs, memory=spec.memory, sim="rtl")
            row["rtl_cycles"] = r.total_cycles
            row["bit_exact"] = row["bit_exact"] and r.bit_exact
        done.append(points[i])
    return done


# ---- Pareto fronts ---------------------------------------------------------------------------------

def pareto_front(points: list[tuple]) -> list[int]:
    """Indices of the points no other point beats: (cost_a, cost_b) pairs, both minimised;
    of equal points the first counts."""
    front = []
    for i, (a, b) in enumerate(points):
        dominated = any((a2 <= a and b2 <= b and (a2 < a or b2 < b)) or ((a2, b2) == (a, b) and j < i)
                        for j, (a2, b2) in enumerate(points) if j != i)
        if not dominated:
            front.append(i)
    return front


def pareto_fronts(rows: list[dict], names: list[str]) -> dict:
    """Per model and resource (luts, dsps): the parameter sets on the cycles front; with
    post-place-and-route rows, also on the latency (us at fmax) front ("latency_luts")."""
    out = {}
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model and r["bit_exact"]]
        out[model] = {}
        for res in ("luts", "dsps"):
            usable = [r for r in mine if r.get(res) is not None]
            idx = pareto_front([(r["cycles"], r[res]) for r in usable])
            out[model][res] = [{n: usable[i][n] for n in names} for i in idx]
        timed = [r for r in mine if r.get("latency_us") is not None and r.get("luts") is not None]
        if timed:
            idx = pareto_front([(r["latency_us"], r["luts"]) for r in timed])
            out[model]["latency_luts"] = [{n: timed[i][n] for n in names} for i in idx]
    return out


# ---- outputs -----------------------------------------------------------------------------------------

CSV_TAIL = ("model", "cycles", "luts", "ffs", "dsps", "brams", "bit_exact", "memory", "resources",
            "cycles_per_mac", "cycles_source", "rtl_cycles")
TIMED_TAIL = ("fmax_mhz", "latency_us", "met")  # rows placed and routed (resources "ulx3s")


def format_summary(doc: dict) -> str:
    """The rows as a table, then the Pareto points per model."""
    names = list(doc["parameters"])
    timed = any("latency_us" in r for r in doc["rows"])
    bram = "BRAMs" if timed else "BRAM36"
    lines = [" ".join(f"{n:>6}" for n in names) + f" {'model':<5} {'cycles':>12} {'LUTs':>6} {'DSPs':>5} "
             f"{bram:>6}" + (f" {'fmax MHz':>8} {'latency us':>11}" if timed else "") + "  bit-exact"]
    for r in doc["rows"]:
        lines.append(" ".join(f"{r[n]!s:>6}" for n in names) + f" {r['model']:<5} {r['cycles']:>12,} "
                     f"{r['luts']!s:>6} {r['dsps']!s:>5} {r['brams']!s:>6}"
                     + (f" {r.get('fmax_mhz')!s:>8} {r.get('latency_us')!s:>11}" if timed else "")
                     + f"  {'yes' if r['bit_exact'] else 'NO'}")
    for r in doc["rows"]:
        if r.get("rtl_cycles"):
            lines.append(f"confirmed on the RTL: {point_label({n: r[n] for n in names})} {r['model']}: "
                         f"fast-sim {r['cycles']:,}, rtl-sim {r['rtl_cycles']:,} cycles "
                         f"({100 * (r['cycles'] - r['rtl_cycles']) / r['rtl_cycles']:+.2f} %)")
    if doc.get("cycles_source") == "fast-sim":
        lines.append("cycles: fast-sim (" + doc["cycles_detail"] + "); rank with them, quote rtl_cycles")
    for model, fronts in doc["pareto"].items():
        lines.append(f"Pareto {model}: cycles vs LUTs " + "; ".join(map(point_label, fronts["luts"]))
                     + " | vs DSPs " + "; ".join(map(point_label, fronts["dsps"]))
                     + (" | latency vs LUTs " + "; ".join(map(point_label, fronts["latency_luts"]))
                        if "latency_luts" in fronts else ""))
    return "\n".join(lines)


def write_outputs(doc: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    names = list(doc["parameters"])
    with open(out_dir / "sweep.csv", "w", newline="") as f:
        w = csv.writer(f)
        tail = CSV_TAIL + (TIMED_TAIL if any("latency_us" in r for r in doc["rows"]) else ())
        w.writerow([*names, *tail])
        for r in doc["rows"]:
            w.writerow([r[n] for n in names] + [r.get(c) for c in tail])
    (out_dir / "sweep.json").write_text(json.dumps(doc, indent=1) + "\n")
    write_plot(doc, out_dir / "pareto.png")


def _label_clusters(rows: list[dict], res: str, names: list[str]):
    """One label per group of points that would overlap (within 3 % on both axes)."""
    groups = []
    for r in sorted(rows, key=lambda r: (r[res], r["cycles"])):
        for g in groups:
            x, y = g[0][res], g[0]["cycles"]
            if abs(r[res] - x) <= 0.03 * max(x, 1) and abs(r["cycles"] - y) <= 0.03 * y:
                g.append(r)
                break
        else:
            groups.append([r])
    for g in groups:
        text = ", ".join(" ".join(f"{n[0]}{r[n]}" for n in names) for r in g)
        yield g[0][res], g[0]["cycles"], text


def write_plot(doc: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(doc["parameters"])
    rows = [r for r in doc["rows"] if r["bit_exact"]]
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    markers = "osD^v<>"
    for ax, res, label in ((axes[0], "luts", "LUTs"), (axes[1], "dsps", "DSP48E1")):
        for k, model in enumerate(models):
            mine = [r for r in rows if r["model"] == model and r.get(res) is not None]
            if not mine:
                continue
            color = f"C{k}"
            front = pareto_front([(r["cycles"], r[res]) for r in mine])
            ax.scatter([r[res] for r in mine], [r["cycles"] for r in mine], marker=markers[k % len(markers)],
                       facecolors="none", edgecolors=color, label=f"{model}")
            best = sorted((mine[i] for i in front), key=lambda r: r[res])
            ax.plot([r[res] for r in best], [r["cycles"] for r in best], color=color, alpha=0.6,
                    drawstyle="steps-post")
            ax.scatter([r[res] for r in best], [r["cycles"] for r in best], marker=markers[k % len(markers)],
                       color=color, label=f"{model} Pareto")
            for x, y, text in _label_clusters(mine, res, names):
                ax.annotate(text, (x, y), fontsize=7, xytext=(4, 3), textcoords="offset points")
        ax.set_xlabel(f"{label} ({doc['resources']}, yosys)" if doc["resources"] in BOARD_MEMORY
                      else f"{label} ({doc['resources']} estimate, yosys)")
        ax.set_ylabel(f"cycles per inference (RTL sim, {doc['memory']})")
        ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"{doc['design']} sweep over {', '.join(names)}: cycles vs resources "
                 f"(filled: Pareto-optimal; labels {', '.join(f'{n[0]}={n}' for n in names)})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
