"""`cfu-bench mlperf MODEL`: drive the MLPerf firmware as the MLPerf Tiny benchmark runner does
in performance mode, check every result against TFLM, and report the median latency.

The runner's performance script per model is `loop 5: download, infer N W` (its
tests_performance.yaml: kws 70/10, vww 20/5, ic 20/5, ad 1500/10): each window loads the next
input over `db` commands, runs W warm-up and N timed inferences between two m-lap-us
timestamps, and reads the results. On the board we use those counts; in simulation, where a
second of the board is minutes of wall time, 2 windows of 1 warm-up + 2 timed inferences.
"""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ...model import golden
from ...errors import ResultError, UserError
from ...designs import DEFAULT_DESIGN, load_design
from ...testing import seeds
from ...model.model_info import model_info
from ...model.models_registry import resolve_model
from ...progress import Progress
from ...build.ram_image import DataBlock
from .dut import Dut
from .results import expected_results

# tests_performance.yaml of the MLPerf Tiny runner: (timed inferences, warm-ups) per window
OFFICIAL = {"kws01": (70, 10), "vww01": (20, 5), "ic01": (20, 5), "ad01": (1500, 10)}
OFFICIAL_WINDOWS = 5
SIM_DEFAULTS = (2, 1, 2)  # iterations, warm-ups, windows


def seed_from_env() -> int:
    """The one seed (CFU_BENCH_SEED, or the fixed default) picks the inputs."""
    try:
        return seeds.base_seed()
    except ValueError as e:
        raise UserError(str(e)) from None


@dataclass
class Window:
    input_index: int
    latency_ms: float
    elapsed_us: int
    results: str
    expected: str
    crc32: str | None
    expected_crc32: str
    match: bool


@dataclass
class MlperfResult:
    model: str
    model_id: str
    cfu: str
    target: str
    memory: str
    clock_hz: int
    iterations: int
    warmups: int
    windows: list[Window]
    latency_ms_median: float
    results_match_tflm: bool
    seed: int
    device_name: str = ""
    device_profile: str = ""
    timing_source: str = ""
    sim: dict | None = None
    cycles_source: str = ""  # "rtl-sim", "fast-sim" or "board"

    def to_json_dict(self) -> dict:
        d = asdict(self)
        d["throughput_per_s"] = round(1000.0 / self.latency_ms_median, 3) if self.latency_ms_median else None
        return d


def _plan(target: str, model_id: str, iterations, warmups, windows) -> tuple[int, int, int]:
    if target == "arty":
        n, w = OFFICIAL.get(model_id, (20, 5))
        default = (n, w, OFFICIAL_WINDOWS)
    else:
        default = SIM_DEFAULTS
    n = default[0] if iterations is None else iterations
    w = default[1] if warmups is None else warmups
    k = default[2] if windows is None else windows
    if n < 1:
        raise UserError("--iterations must be at least 1")
    if w < 0:
        raise UserError("--warmups must be 0 or more")
    if k < 1:
        raise UserError("--windows must be at least 1")
    return n, w, k


def _model_id(input_bytes: int) -> str:
    """The id the firmware will report (dut.c picks it by input size, as the runner's tests)."""
    sizes = {490: "kws01", 96 * 96 * 3: "vww01", 32 * 32 * 3: "ic01", 640: "ad01"}
    return sizes.get(input_bytes, "unknown")


def _input_bytes(model_bytes: bytes) -> int:
    desc = golden.describe(model_bytes)
    return sum(int(np.prod(desc.tensors[t].shape)) * np.dtype(desc.tensors[t].dtype).itemsize
               for t in desc.inputs)


def run_mlperf(model: str, cfu: str = DEFAULT_DESIGN, target: str = "sim", port: str | None = None,
               iterations: int | None = None, warmups: int | None = None,
               windows: int | None = None, seed: int | None = None,
               progress: Progress | None = None, log=None, bitstream=None,
               memory: str | None = None, sim: str = "rtl") -> MlperfResult:
    """sim: target sim only, "rtl" (Verilator) or "fast" (cfu_bench.sim.fast_sim)."""
    progress = progress or Progress(quiet=True)
    if target not in ("sim", "arty"):
        raise UserError(f"unknown target '{target}'; valid targets: sim, arty")
    if target == "arty" and not port:
        raise UserError("--target arty needs --port (e.g. /dev/ttyUSB1)")
    if sim not in ("rtl", "fast"):
        raise UserError(f"unknown simulator '{sim}'; valid: rtl, fast")
    if sim == "fast" and target != "sim":
        raise UserError("--sim fast is for target sim; target arty runs the hardware")
    seed = seed_from_env() if seed is None else seed
    design = load_design(cfu)
    path = resolve_model(model)
    model_bytes = path.read_bytes()
    info = model_info(path)  # validates the model: a malformed one stops here, exit 2
    label = path.stem if str(model).endswith(".tflite") else str(model)
    model_id = _model_id(_input_bytes(model_bytes))
    n, w, k = _plan(target, model_id, iterations, warmups, windows)
    inputs = [golden.sample_bytes(s) for s in golden.random_inputs(model_bytes, k, seed)]
    block = DataBlock(model=model_bytes).to_bytes()

    t0 = time.monotonic()
    if target == "sim":
        from ...build.firmware_build import build_firmware
        from ...sim.build import build_sim_soc
        from ...run.simulate import cfu_verilog
        from ...soc.description import MEMORIES, SocConfig
        from .transport import open_sim

        memory = memory or SocConfig().memory
        if memory not in MEMORIES:
            raise UserError(f"unknown memory '{memory}'; valid memories: {', '.join(MEMORIES)}")
        config = SocConfig(memory=memory)
        if sim == "fast":
            from ...sim.fast_sim import adapter_for, build_fastsim
            from ...run.simulate import FAST_SOC_DESIGN
            from .transport import open_fast_sim
            adapter_for(design)  # refused before any build without an emulation
            # the SoC's software and CSR map do not depend on the CFU (simulate.prepare_fast)
            soc = build_sim_soc(cfu_verilog(load_design(FAST_SOC_DESIGN)), config,
                                progress=progress)
        else:
            soc = build_sim_soc(cfu_verilog(design), config, progress=progress)
        firmware = build_firmware(soc.software_dir, design.kernel_sources(),
                                  design.kernel_include_dirs(), design.selftest_available, mlperf=True,
                                  defines=design.kernel_defines())
        limit = _cycle_limit(info["total_macs"], k * (n + w))
        clock_hz = config.sys_clk_freq
        if sim == "fast":
            session = open_fast_sim(build_fastsim(design), soc.csr_json, memory, firmware, block,
                                    limit)
            source = "m-lap-us from mcycle, fast simulation of the SoC (sim/fast)"
        else:
            session = open_sim(soc, firmware, block, limit)
            source = "m-lap-us from mcycle, Verilator RTL simulation of the SoC"
        # commands other than infer: the simulator may be busy starting up
        timeout_s = 30.0
        infer_timeout = 60.0 + (n + w) * 200 * info["total_macs"] / 200_000
    else:
        if memory not in (None, "ddr3"):
            raise UserError("--target arty has DDR3 memory only")
        session, build = _arty_session(design, port, bitstream, block, progress, log)
        clock_hz, memory = build.sys_clk_freq, "ddr3"
        source = f"m-lap-us from mcycle, Arty A7 board at {build.sys_clk_freq / 1e6:g} MHz"
        timeout_s = 10.0
        infer_timeout = 60.0 + (n + w) * 100 * info["total_macs"] / build.sys_clk_freq

    with progress.step("computing the TFLM results"):
        expected = expected_results(model_bytes, inputs)
    done = []
    with progress.step(f"MLPerf session on {target} with CFU {design.name}: {k} window(s) of "
                       f"{w} warm-up + {n} timed inference(s)"):
        with session as link:
            dut = Dut(link, name=f"the {target} device", timeout_s=timeout_s, log=log)
            name = dut.sync(timeout_s=120.0 if target == "sim" else 10.0)
            profile_text, reported_id = dut.profile()
            for i, (blob, want) in enumerate(zip(inputs, expected)):
                progress.status(f"  window {i + 1}/{k}: loading {len(blob)} bytes")
                dut.load(blob)
                progress.status(f"  window {i + 1}/{k}: {w} warm-up + {n} timed inferences")
                r = dut.infer(n, w, timeout_s=infer_timeout)
                crc = f"{r.crc32:08x}" if r.crc32 is not None else None
                done.append(Window(i, round(r.latency_ms, 6), r.elapsed_us, r.results, want.text,
                                   crc, f"{want.crc32:08x}",
                                   r.results == want.text and crc == f"{want.crc32:08x}"))
            progress.end_status()
    wall = time.monotonic() - t0
    return MlperfResult(
        model=label, model_id=reported_id or model_id, cfu=design.name, target=target,
        memory=memory, clock_hz=clock_hz, iterations=n, warmups=w, windows=done,
        latency_ms_median=round(statistics.median(x.latency_ms for x in done), 6),
        results_match_tflm=all(x.match for x in done), seed=seed, device_name=name,
        device_profile=profile_text, timing_source=source,
        cycles_source="board" if target != "sim" else ("fast-sim" if sim == "fast" else "rtl-sim"),
        sim={"wall_seconds": round(wall, 3)} if target == "sim" else None)


def _cycle_limit(total_macs: int, inferences: int) -> int:
    """Far above a real session (the slowest reference kernels need about 50 cycles/MAC) plus
    room for the host's pauses between commands, while the firmware waits on the UART."""
    return 400_000_000 + inferences * 200 * total_macs


def _arty_session(design, port, bitstream, block: bytes, progress, log, leave_running=False):
    from ...run import board
    from .transport import open_arty

    variant = "a7-35"
    if bitstream is not None:
        variant = board.bitstream_variant(Path(bitstream)) or variant
        board.load_bitstream(bitstream, variant)
    build = board.build_arty(design, variant=variant, no_compile=True, progress=progress)
    firmware_bin = _arty_mlperf_firmware(build, design)
    return open_arty(port, firmware_bin, block, build.data_offset, build.baudrate, log=log,
                     leave_running=leave_running), build


def boot_on_board(model: str, cfu: str = DEFAULT_DESIGN, port: str | None = None, bitstream=None,
                  progress: Progress | None = None, log=None) -> tuple[str, str]:
    """Serial-boot the MLPerf firmware with MODEL onto the board and leave it serving the
    protocol (for the official runner). Returns the (name, model id) it answered with."""
    progress = progress or Progress(quiet=True)
    if not port:
        raise UserError("--boot-only needs --port (e.g. /dev/ttyUSB1)")
    design = load_design(cfu)
    path = resolve_model(model)
    model_info(path)
    block = DataBlock(model=path.read_bytes()).to_bytes()
    session, _ = _arty_session(design, port, bitstream, block, progress, log, leave_running=True)
    with progress.step(f"serial boot of the MLPerf firmware at {port}"):
        with session as link:
            dut = Dut(link, name="the board", log=log)
            name = dut.sync(timeout_s=10.0)
            return name, dut.profile()[1]


def _arty_mlperf_firmware(build, design) -> bytes:
    from ...run.board import SUMMARY
    from ...build.firmware_build import build_firmware

    summary = json.loads((build.out_dir / SUMMARY).read_text())
    firmware = build_firmware(Path(summary["software_dir"]), design.kernel_sources(),
                              design.kernel_include_dirs(), design.selftest_available, mlperf=True,
                              defines=design.kernel_defines())
    return firmware.binary


def check(result: MlperfResult) -> None:
    """Exit 1 (ResultError) when any window's results differ from TFLM."""
    if not result.results_match_tflm:
        bad = [w for w in result.windows if not w.match]
        first = bad[0]
        raise ResultError(
            f"{result.model} with CFU {result.cfu}: {len(bad)} of {len(result.windows)} results "
            f"differ from TFLM (window {first.input_index + 1}: m-results-[{first.results[:60]}] "
            f"crc {first.crc32}, TFLM [{first.expected[:60]}] crc {first.expected_crc32}; "
            f"seed {result.seed}, set CFU_BENCH_SEED to repeat)")


def format_report(r: MlperfResult) -> str:
    lines = [f"{r.model} ({r.model_id}) on {r.target}, memory {r.memory}, CFU {r.cfu}: MLPerf Tiny "
             f"performance mode, {len(r.windows)} window(s) of {r.warmups} warm-up + "
             f"{r.iterations} timed inference(s)",
             "window  latency ms  elapsed us  m-results vs TFLM",
             "------  ----------  ----------  -----------------"]
    for w in r.windows:
        shown = w.results if len(w.results) <= 40 else w.results[:37] + "..."
        lines.append(f"{w.input_index + 1:>6}  {w.latency_ms:>10.4f}  {w.elapsed_us:>10,}  "
                     f"{'match' if w.match else 'DIFFERS'} [{shown}]")
    lines.append(f"median latency: {r.latency_ms_median:.4f} ms per inference "
                 f"({1000.0 / r.latency_ms_median:,.1f} inferences/s) at {r.clock_hz / 1e6:g} MHz")
    lines.append(f"results: {'bit-exact with TFLM' if r.results_match_tflm else 'DIFFER from TFLM'} "
                 f"(output CRC and m-results text), seed {r.seed}")
    lines.append(f"timing: {r.cycles_source + ': ' if r.cycles_source else ''}{r.timing_source}, "
                 f"memory {r.memory}")
    if r.sim:
        lines.append(f"simulation: {r.sim['wall_seconds']:.1f} s wall")
    return "\n".join(lines)


def write_json(r: MlperfResult, path) -> None:
    Path(path).write_text(json.dumps(r.to_json_dict(), indent=2) + "\n")
