"""`cfu-bench profile`: run a model on the SoC with a CFU, per-layer cycles from mcycle, every
layer's output checked against TFLM by CRC, results cached by everything that determines them.
"""
import hashlib
import json
import time
from pathlib import Path

from . import golden, protocol
from .errors import ResultError, SimulationError, UserError
from .designs import DEFAULT_DESIGN, Design, load_design
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
            trace: str | tuple[int, int] | None = None, params: dict | None = None) -> ProfileResult:
    """target: a target name (cfu_bench.targets) or a Target object.
    memory: "ddr3" or "ideal"; None picks the target's default (ddr3, as on the board).
    cfu: a design name or path, or a Design. params: the design's parameters (make_cfu's
    keywords; with a name or path only).
    On a mismatch, the first differing layer is dumped and diffed element by element
    (`first_mismatch`); dump_dir gets its expected and actual tensors as .npy.
    trace: "N" or "N:M" (layers N to M inclusive) or a pair: a waveform of those layers of
    the first input, from the trace build of the simulation (`trace`)."""
    progress = progress or Progress(quiet=True)
    if inputs < 1:
        raise UserError("--inputs must be at least 1")
    runner = get_target(target) if isinstance(target, str) else target
    target = runner.name
    options = {"port": port, "bitstream": bitstream}
    memory = runner.check(memory, options)
    design = cfu if isinstance(cfu, Design) else load_design(cfu, **(params or {}))
    path = resolve_model(model)
    model_bytes = path.read_bytes()
    info = model_info(path)  # also validates the file: a malformed model stops here, exit 2
    if trace is not None:
        from .trace import check_traceable, parse_layers
        layers_traced = parse_layers(trace, len(info["ops"]))
        check_traceable(runner)
    samples = golden.random_inputs(model_bytes, inputs, seed)
    input_blobs = [golden.sample_bytes(s) for s in samples]
    block = DataBlock(model=model_bytes, inputs=input_blobs)

    prepared = runner.prepare(design, memory, progress, options)
    limit = cycle_limit_for(info["total_macs"], inputs)
    key = None
    result = None
    if prepared.cache_id is not None:
        key = _cache_key(model_bytes, input_blobs, prepared.cache_id, target, memory)
        result = _load_cached(key) if use_cache else None
    if result is None:
        result = _simulate(prepared, model, model_bytes, samples, block, design, target, memory,
                           info, inputs, progress)
        if key:
            _store(key, result)
    result.params = design.resolved_params
    if not result.bit_exact and (result.first_mismatch is None or dump_dir is not None):
        from .mismatch import diagnose
        with progress.step(f"dumping layer {result.mismatches[0]['layer']} of input "
                           f"{result.mismatches[0]['input']} to compare it with TFLM"):
            result.first_mismatch = diagnose(prepared, model_bytes, samples, input_blobs,
                                             result.mismatches[0], limit, dump_dir)
        if key and dump_dir is None:
            _store(key, result)
    if trace is not None:
        from .trace import record_trace
        with progress.step(f"tracing layers {layers_traced[0]}..{layers_traced[1]} (trace build)"):
            result.trace = record_trace(runner, design, memory, model_label(model), model_bytes,
                                        input_blobs[0], layers_traced, limit, progress)
    return result


def _simulate(prepared, model, model_bytes, samples, block, design, target, memory, info, inputs,
              progress) -> ProfileResult:
    tracker = _LiveProgress(progress, len(info["ops"]), inputs)
    with progress.step(f"running {model_label(model)} on {target} ({memory}) with CFU "
                       f"{design.name} ({inputs} input{'s' if inputs > 1 else ''})"):
        out = prepared.run(block, on_line=tracker,
                           cycle_limit=cycle_limit_for(info["total_macs"], inputs))
    progress.end_status()

    report = protocol.parse(out.text).raise_for_error()
    with progress.step("computing TFLM golden outputs"):
        gold = golden.golden_crcs(model_bytes, samples)
    return _build_result(model_label(model), design.name, target, memory, info, report, gold,
                         out.sim, prepared.cycles_source)


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
        first = result.first_mismatch
        detail = (f"; first: layer {first['layer']}, {first['count']} elements, max |diff| "
                  f"{first['max_abs_diff']}" if first else "")
        raise ResultError(f"{result.model} with CFU {result.cfu}: layers {bad} differ from "
                          f"TFLM{detail}")
