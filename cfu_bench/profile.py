"""`cfu-bench profile`: run a model on the SoC with a CFU, per-layer cycles from mcycle, every
layer's output checked against TFLM by CRC, results cached by everything that determines them.
"""
import hashlib
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from . import golden, protocol
from .errors import ResultError, SimulationError, UserError
from .designs import DEFAULT_DESIGN, load_design
from .model_info import model_info
from .models_registry import resolve_model
from .paths import build_root
from .progress import Progress
from .ram_image import DataBlock
from .report import LayerResult, ProfileResult
from .targets import get_target

DEFAULT_INPUTS = 2
INPUT_SEED = 20261121
MAX_MISMATCHES_KEPT = 20

# Profiles may run in threads (profile_with_baseline), but only their simulations overlap:
# SoC generation changes the process's working directory and file descriptors, and TFLM's
# golden runs redirect fd 2, so everything else holds this lock.
_HOST_LOCK = threading.Lock()


@contextmanager
def _unlocked():
    _HOST_LOCK.release()
    try:
        yield
    finally:
        _HOST_LOCK.acquire()


def cycle_limit_for(total_macs: int, inputs: int) -> int:
    """The watchdog's limit: far above any real run (the slowest reference kernels need about
    50 cycles/MAC), yet it stops a hung firmware instead of letting it run for hours."""
    return 200_000_000 + inputs * (200 * total_macs + 20_000_000)


def model_label(name_or_path: str) -> str:
    return Path(name_or_path).stem if str(name_or_path).endswith(".tflite") else str(name_or_path)


def profile(model: str, cfu: str = DEFAULT_DESIGN, target: str = "sim", inputs: int = DEFAULT_INPUTS,
            seed: int = INPUT_SEED, progress: Progress | None = None, use_cache: bool = True,
            port: str | None = None, bitstream: Path | None = None,
            memory: str | None = None) -> ProfileResult:
    """target: a target name (cfu_bench.targets) or a Target object.
    memory: "ddr3" or "ideal"; None picks the target's default (ddr3, as on the board)."""
    with _HOST_LOCK:
        return _profile(model, cfu, target, inputs, seed, progress, use_cache, port, bitstream,
                        memory)


def _profile(model, cfu, target, inputs, seed, progress, use_cache, port, bitstream,
             memory) -> ProfileResult:
    progress = progress or Progress(quiet=True)
    if inputs < 1:
        raise UserError("--inputs must be at least 1")
    runner = get_target(target) if isinstance(target, str) else target
    target = runner.name
    options = {"port": port, "bitstream": bitstream}
    memory = runner.check(memory, options)
    design = load_design(cfu)
    path = resolve_model(model)
    model_bytes = path.read_bytes()
    info = model_info(path)  # also validates the file: a malformed model stops here, exit 2
    samples = golden.random_inputs(model_bytes, inputs, seed)
    input_blobs = [golden.sample_bytes(s) for s in samples]
    block = DataBlock(model=model_bytes, inputs=input_blobs)

    prepared = runner.prepare(design, memory, progress, options)
    key = None
    if prepared.cache_id is not None:
        key = _cache_key(model_bytes, input_blobs, prepared.cache_id, target, memory)
        cached = _load_cached(key) if use_cache else None
        if cached:
            return cached
    tracker = _LiveProgress(progress, len(info["ops"]), inputs)
    with progress.step(f"running {model_label(model)} on {target} ({memory}) with CFU "
                       f"{design.name} ({inputs} input{'s' if inputs > 1 else ''})"):
        with _unlocked():
            out = prepared.run(block, on_line=tracker,
                               cycle_limit=cycle_limit_for(info["total_macs"], inputs))
    progress.end_status()

    report = protocol.parse(out.text).raise_for_error()
    with progress.step("computing TFLM golden outputs"):
        gold = golden.golden_crcs(model_bytes, samples)
    result = _build_result(model_label(model), design.name, target, memory, info, report, gold,
                           out.sim, prepared.cycles_source)
    if key:
        _store(key, result)
    return result


def parallel_simulations() -> int:
    """How many simulations may run at once: one per core this process may use (each
    Verilator model is single-threaded)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def profile_with_baseline(model: str, cfu: str, baseline: str | None, target: str = "sim",
                          progress: Progress | None = None, parallel: bool | None = None,
                          **options) -> tuple[ProfileResult, ProfileResult | None]:
    """The design's profile and, unless baseline is None or the design itself, the baseline's.

    On the simulator, with two cores or more, the two run as parallel simulations (builds
    included: each waits only for its own SoC). Each is its own simulation either way, so
    the cycles are the same as run one after the other. The board has one SoC: in turn.
    """
    progress = progress or Progress(quiet=True)
    if not baseline or baseline == cfu:
        return profile(model, cfu=cfu, target=target, progress=progress, **options), None
    if parallel is None:
        parallel = target == "sim" and parallel_simulations() >= 2
    if not parallel:
        return (profile(model, cfu=cfu, target=target, progress=progress, **options),
                profile(model, cfu=baseline, target=target, progress=progress, **options))
    progress.status(f"baseline {baseline}: simulating in parallel")
    progress.end_status()
    with ThreadPoolExecutor(max_workers=2) as pool:
        base = pool.submit(profile, model, cfu=baseline, target=target,
                           progress=Progress(quiet=True), **options)
        result = profile(model, cfu=cfu, target=target, progress=progress, **options)
        return result, base.result()


def _build_result(label, cfu, target, memory, info, report, gold, sim, source) -> ProfileResult:
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
        cycles_source=source, mismatches=mismatches)


class _LiveProgress:
    """Turns CFUB lines into a live status: input k/n, op i/m, cycles so far."""

    def __init__(self, progress: Progress, n_ops: int, n_inputs: int):
        self.progress, self.n_ops, self.n_inputs = progress, n_ops, n_inputs
        self.t0 = time.monotonic()

    def __call__(self, line: str) -> None:
        event = protocol.progress_event(line)
        if event is None:
            return
        if event[0] == "invoke":
            self.progress.status(f"  inference {event[1] + 1}/{self.n_inputs} done, "
                                 f"{time.monotonic() - self.t0:.0f} s")
        elif event[0] == "model":
            self.progress.status("  model loaded, running inference 1 ...")


def _cache_key(model: bytes, inputs: list[bytes], build_id: str, target: str, memory: str) -> str:
    h = hashlib.sha256()
    for part in (model, b"".join(inputs), build_id.encode(), target.encode(), memory.encode(),
                 b"v2"):
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
        raise ResultError(f"{result.model} with CFU {result.cfu}: layers {bad} differ from TFLM")
