"""`cfu-bench profile`: run a model on the SoC with a CFU, per-layer cycles from mcycle, every
layer's output checked against TFLM by CRC, results cached by everything that determines them.
"""
import hashlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..model import golden
from ..run import protocol
from ..errors import ResultError, SimulationError, UserError
from ..designs import DEFAULT_DESIGN, Design, load_design
from ..model.model_info import model_info
from ..model.models_registry import resolve_model
from ..paths import build_root
from ..progress import Progress
from ..build.ram_image import DataBlock
from ..results.report import LayerResult, ProfileResult
from ..run.targets import get_target

DEFAULT_INPUTS = 2
INPUT_SEED = 20261121
MAX_MISMATCHES_KEPT = 20


def cycle_limit_for(total_macs: int, inputs: int) -> int:
    """The watchdog's limit: far above any real run (the slowest reference kernels need about
    50 cycles/MAC), yet it stops a hung firmware instead of letting it run for hours."""
    return 200_000_000 + inputs * (200 * total_macs + 20_000_000)


def model_label(name_or_path: str) -> str:
    return Path(name_or_path).stem if str(name_or_path).endswith(".tflite") else str(name_or_path)


def profile(model: str, cfu: str = DEFAULT_DESIGN, target: str = "sim", inputs: int = DEFAULT_INPUTS,
            seed: int = INPUT_SEED, progress: Progress | None = None, use_cache: bool = True,
            port: str | None = None, bitstream: Path | None = None,
            memory: str | None = None, dump_dir: Path | None = None,
            trace: str | tuple[int, int] | None = None, params: dict | None = None,
            sim: str | None = None) -> ProfileResult:
    """target: a target name (cfu_bench.run.targets) or a Target object.
    memory: "ddr3" or "ideal"; None picks the target's default (ddr3, as on the board).
    cfu: a design name or path, or a Design. params: the design's parameters (make_cfu's
    keywords; with a name or path only).
    On a mismatch, the first differing layer is dumped and diffed element by element
    (`first_mismatch`); dump_dir gets its expected and actual tensors as .npy.
    trace: "N" or "N:M" (layers N to M inclusive) or a pair: a waveform of those layers of
    the first input, from the trace build of the simulation (`trace`).
    sim: target sim only: "rtl" (Verilator, the default) or "fast" (cfu_bench.sim.fast_sim)."""
    progress = progress or Progress(quiet=True)
    job = _plan(model, cfu, target, inputs, seed, progress, use_cache, port, bitstream, memory,
                trace, params, sim)
    _simulate([job], progress)
    return _follow_up(job, progress, dump_dir, trace)


def profile_with_baseline(model: str, cfu: str, baseline: str | None, target: str = "sim",
                          inputs: int = DEFAULT_INPUTS, seed: int = INPUT_SEED,
                          progress: Progress | None = None, use_cache: bool = True,
                          port: str | None = None, bitstream: Path | None = None,
                          memory: str | None = None, dump_dir: Path | None = None,
                          trace=None, params: dict | None = None, sim: str | None = None,
                          baseline_sim: str | None = None
                          ) -> tuple[ProfileResult, ProfileResult | None]:
    """The design's profile and, unless baseline is None or the design itself, the
    baseline's, with the simulations of both (one per input) sharing the machine's cores.
    params: the design's parameters (the baseline runs with its defaults).
    sim: "rtl" or "fast" for the design's run; the baseline runs on the same simulator
    unless baseline_sim says otherwise (only when the user asks: its result is labelled)."""
    progress = progress or Progress(quiet=True)
    common = (target, inputs, seed, progress, use_cache, port, bitstream, memory)
    jobs = [_plan(model, cfu, *common, trace, params, sim)]
    if baseline and baseline != cfu:
        jobs.append(_plan(model, baseline, *common, None, None, baseline_sim or sim))
    _simulate(jobs, progress)
    result = _follow_up(jobs[0], progress, dump_dir, trace)
    return result, (_follow_up(jobs[1], progress, None, None) if len(jobs) > 1 else None)


@dataclass
class _Job:
    """One profile between its plan (built, cache looked up) and its result."""
    label: str
    design: Design
    runner: object
    memory: str
    model_bytes: bytes
    info: dict
    samples: list
    input_blobs: list[bytes]
    prepared: object
    limit: int
    key: str | None
    result: ProfileResult | None  # from the cache, or once simulated


def _plan(model, cfu, target, inputs, seed, progress, use_cache, port, bitstream, memory,
          trace, params=None, sim=None) -> _Job:
    if inputs < 1:
        raise UserError("--inputs must be at least 1")
    runner = get_target(target) if isinstance(target, str) else target
    if sim not in (None, "rtl") and runner.name != "sim":
        raise UserError(f"--sim {sim} is for target sim; target {runner.name} runs the hardware")
    if sim == "fast" and trace is not None:
        raise UserError("--trace needs the RTL simulation: drop --sim fast")
    options = {"port": port, "bitstream": bitstream, "sim": sim}
    memory = runner.check(memory, options)
    design = cfu if isinstance(cfu, Design) else load_design(cfu, **(params or {}))
    path = resolve_model(model)
    model_bytes = path.read_bytes()
    info = model_info(path)  # also validates the file: a malformed model stops here, exit 2
    _check_runtime_support(info)
    if trace is not None:
        from ..run.trace import check_traceable, parse_layers
        parse_layers(trace, len(info["ops"]))
        check_traceable(runner)
    samples = golden.random_inputs(model_bytes, inputs, seed)
    input_blobs = [golden.sample_bytes(s) for s in samples]
    prepared = runner.prepare(design, memory, progress, options)
    key = result = None
    if prepared.cache_id is not None:
        key = _cache_key(model_bytes, input_blobs, prepared.cache_id, runner.name, memory)
        result = _load_cached(key) if use_cache else None
    return _Job(model_label(model), design, runner, memory, model_bytes, info, samples,
                input_blobs, prepared, cycle_limit_for(info["total_macs"], 1), key, result)


def _check_runtime_support(info: dict) -> None:
    """Refuse, before building anything, a model whose layers the runtime cannot run (the host
    build of the runtime judged each op: model_info's runtime_refusal)."""
    runtime = info.get("runtime") or {}
    if runtime.get("supported") is False:
        refused = [o["runtime_refusal"] for o in info["ops"] if o.get("runtime_refusal")]
        more = f" (and {len(refused) - 1} more layers; see `cfu-bench info`)" if len(refused) > 1 else ""
        raise UserError(f"the firmware runtime cannot run this model: "
                        f"{refused[0] if refused else runtime.get('reason')}{more}")


def _runs_of(job: _Job) -> list[DataBlock]:
    """The data blocks a job runs. A simulation runs each input on its own, from the same
    state after boot and model setup, so an input's cycles do not depend on the inputs before
    it or on how many simulations the machine runs at once. A board runs them in one boot."""
    if getattr(job.prepared, "separate_inputs", False):
        return [DataBlock(model=job.model_bytes, inputs=[b]) for b in job.input_blobs]
    return [DataBlock(model=job.model_bytes, inputs=job.input_blobs)]


def _simulate(jobs: list[_Job], progress: Progress) -> None:
    """Run every simulation the jobs need, as many at once as the targets allow (each
    Verilator model uses one core), then check each job's outputs against TFLM."""
    todo = [(job, k, block) for job in jobs if job.result is None
            for k, block in enumerate(_runs_of(job))]
    if not todo:
        return
    width = max(1, min(min(getattr(j.prepared, "parallel_runs", 1) for j, _, _ in todo), len(todo)))
    tracker = _LiveProgress(progress, sum(len(b.inputs) for _, _, b in todo), width)
    names = sorted({j.design.name for j, _, _ in todo})
    first = todo[0][0]
    what = (f"running {first.label} on {first.runner.name} ({first.memory}) with CFU "
            f"{' and '.join(names)}: {len(todo)} simulation{'s' if len(todo) > 1 else ''}"
            + (f", {width} at a time" if width > 1 else ""))
    outputs: dict[int, list] = {id(j): [None] * len(_runs_of(j)) for j, _, _ in todo}
    with progress.step(what):
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=width) as pool:
            futures = {pool.submit(job.prepared.run, block, on_line=tracker,
                                   cycle_limit=job.limit * len(block.inputs)): (job, k)
                       for job, k, block in todo}
            for future, (job, k) in futures.items():
                outputs[id(job)][k] = future.result()
        wall = time.monotonic() - t0
    progress.end_status()
    for job in {id(j): j for j, _, _ in todo}.values():
        with progress.step(f"computing TFLM golden outputs ({job.design.name})"):
            gold = golden.golden_crcs(job.model_bytes, job.samples)
        report = _merged([protocol.parse(o.text).raise_for_error() for o in outputs[id(job)]])
        sim = _sim_speed(outputs[id(job)], wall)
        job.result = _build_result(job.label, job.design.name, job.runner.name, job.memory,
                                   job.info, report, gold, sim, cycles_kind(job),
                                   job.prepared.cycles_source)
        if job.key:
            _store(job.key, job.result)


def _merged(reports: list) -> protocol.Report:
    """One report of several runs' inferences, numbered in input order."""
    first = reports[0]
    for r in reports[1:]:
        for inv in r.invokes:
            inv.index = len(first.invokes)
            first.invokes.append(inv)
    return first


def _sim_speed(outputs: list, wall: float) -> dict | None:
    """Per-simulation speed (what a faster model or harness changes) and the wall time of
    them all, which parallel runs shorten."""
    sims = [o.sim for o in outputs if o.sim]
    if not sims:
        return None
    speeds = [s["cycles_per_second"] for s in sims if s.get("cycles_per_second")]
    return {"cycles_per_second": sum(speeds) / len(speeds) if speeds else None,
            "wall_seconds": round(wall, 3), "simulations": len(sims)}


def _follow_up(job: _Job, progress: Progress, dump_dir, trace) -> ProfileResult:
    """The mismatch diagnosis and the waveform, which rerun one input on their own."""
    result = job.result
    result.params = job.design.resolved_params
    if not result.bit_exact and (result.first_mismatch is None or dump_dir is not None):
        from ..results.mismatch import diagnose
        with progress.step(f"dumping layer {result.mismatches[0]['layer']} of input "
                           f"{result.mismatches[0]['input']} to compare it with TFLM"):
            result.first_mismatch = diagnose(job.prepared, job.model_bytes, job.samples,
                                             job.input_blobs, result.mismatches[0], job.limit,
                                             dump_dir)
        if job.key and dump_dir is None:
            _store(job.key, result)
    if trace is not None:
        from ..run.trace import parse_layers, record_trace
        layers = parse_layers(trace, len(job.info["ops"]))
        with progress.step(f"tracing layers {layers[0]}..{layers[1]} (trace build)"):
            result.trace = record_trace(job.runner, job.design, job.memory, job.label,
                                        job.model_bytes, job.input_blobs[0], layers, job.limit,
                                        progress)
    return result


def cycles_kind(job: _Job) -> str:
    """"rtl-sim", "fast-sim" or "board": where a result's cycles come from."""
    return getattr(job.prepared, "cycles_kind", "board" if job.runner.name != "sim" else "rtl-sim")


def _build_result(label, cfu, target, memory, info, report, gold, sim, source,
                  detail) -> ProfileResult:
    ops = info["ops"]
    if len(report.invokes) != len(gold):
        raise SimulationError(f"the firmware reported {len(report.invokes)} inferences, "
                              f"expected {len(gold)}")
    mismatches = []
    exact = [True] * len(ops)
    cycles = [0] * len(ops)
    kernels = ["ref"] * len(ops)
    for k, (inv, want) in enumerate(zip(report.invokes, gold)):
        if len(inv.ops) != len(ops):
            raise SimulationError(f"input {k}: the firmware reported {len(inv.ops)} ops, "
                                  f"the model has {len(ops)}")
        for op, expected in zip(inv.ops, want):
            cycles[op.index] += op.cycles
            kernels[op.index] = op.kernel
            if op.crc != expected:
                exact[op.index] = False
                if len(mismatches) < MAX_MISMATCHES_KEPT:
                    mismatches.append({"input": k, "layer": op.index, "op": op.op,
                                       "crc": f"{op.crc:08x}", "tflm_crc": f"{expected:08x}"})
    n = len(report.invokes)
    layers = [LayerResult(index=o["index"], op=o["op"], output_shape=list(o["output_shape"]),
                          macs=o["macs"], kernel=kernels[i], cycles=round(cycles[i] / n),
                          bit_exact=exact[i]) for i, o in enumerate(ops)]
    total = round(sum(inv.total for inv in report.invokes) / n)
    kernel_cycles = sum(l.cycles for l in layers)
    return ProfileResult(
        model=label, cfu=cfu, target=target, memory=memory, total_cycles=total, total_macs=info["total_macs"],
        bit_exact=all(exact), inputs_checked=n, layers=layers, sim=sim,
        kernel_cycles=kernel_cycles, overhead_cycles=total - kernel_cycles,
        setup_cycles=report.setup_cycles, arena_bytes=report.arena_bytes,
        cycles_source=source, cycles_detail=detail, mismatches=mismatches)


class _LiveProgress:
    """Turns CFUB lines of the running simulations into one live status (inferences done of
    all, seconds so far). Called from several threads when simulations run in parallel."""

    def __init__(self, progress: Progress, n_inferences: int, width: int):
        self.progress, self.total, self.width = progress, n_inferences, width
        self.done = 0
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def __call__(self, line: str) -> None:
        event = protocol.progress_event(line)
        if event is None:
            return
        with self.lock:
            elapsed = time.monotonic() - self.t0
            if event[0] == "invoke":
                self.done += 1
                self.progress.status(f"  inference {self.done}/{self.total} done, {elapsed:.0f} s")
            elif event[0] == "model" and self.done == 0:
                self.progress.status(f"  model loaded, running inference 1"
                                     f"{f'-{min(self.width, self.total)}' if self.width > 1 else ''}"
                                     f" ... {elapsed:.0f} s")


def _cache_key(model: bytes, inputs: list[bytes], build_id: str, target: str, memory: str) -> str:
    h = hashlib.sha256()
    for part in (model, b"".join(inputs), build_id.encode(), target.encode(), memory.encode(),
                 b"v4"):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:24]


def _cache_path(key: str) -> Path:
    return build_root() / "results" / f"{key}.json"


def _load_cached(key: str) -> ProfileResult | None:
    p = _cache_path(key)
    if not p.exists():
        return None
    try:
        result = ProfileResult.from_json_dict(json.loads(p.read_text()))
    except (ValueError, TypeError, KeyError):
        return None  # an older format: simulate again
    result.cached = True
    return result


def _store(key: str, result: ProfileResult) -> None:
    p = _cache_path(key)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(result.to_json_dict(), indent=1))


def check(result: ProfileResult) -> None:
    """Exit 1 (ResultError) when any layer differs from TFLM."""
    if not result.bit_exact:
        bad = sorted({m["layer"] for m in result.mismatches})
        first = result.first_mismatch
        detail = (f"; first: layer {first['layer']}, {first['count']} elements, max |diff| "
                  f"{first['max_abs_diff']}" if first else "")
        raise ResultError(f"{result.model} with CFU {result.cfu}: layers {bad} differ from "
                          f"TFLM{detail}")
