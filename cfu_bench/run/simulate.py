"""From a CFU design to firmware running on the simulated SoC.

design -> cfu.v (cached by gateware hash) -> Verilated SoC (cached by Verilog + SoC config,
       memory ddr3 or ideal) -> firmware (cached by sources) -> main RAM init files -> run.
"""
import os
from dataclasses import dataclass

from . import protocol
from ..errors import ResultError, UserError
from ..build.firmware_build import Firmware, build_firmware
from ..designs import Design, load_design
from ..paths import build_root
from ..progress import Progress
from ..build.ram_image import DataBlock, check_fits
from ..sim.build import SocBuild, build_sim_soc
from ..sim.run import SimRun, run_sim
from ..soc.description import SocConfig

DEFAULT_MEMORY = "ddr3"  # as on the Arty; "ideal" is single-cycle RAM

# Generous: the slowest run we know (VWW with reference kernels) is a few hundred M cycles.
DEFAULT_CYCLE_LIMIT = 2_000_000_000


@dataclass
class SimTarget:
    design: Design
    soc: SocBuild
    firmware: Firmware


def cfu_verilog(design: Design) -> str:
    """The design's Verilog, regenerated only when its gateware changes."""
    out = build_root() / "cfu" / f"{design.name}-{design.gateware_hash()}"
    path = out / "cfu.v"
    if not path.exists():
        design.write_verilog(out)
    return path.read_text()


def prepare(design: Design | str, progress: Progress | None = None,
            firmware_design: Design | None = None, memory: str = DEFAULT_MEMORY,
            trace: bool = False) -> SimTarget:
    """Build or reuse everything needed to run firmware with this CFU.

    firmware_design, when given, supplies the kernels and self-test instead of `design`
    (e.g. a plain Verilog CFU running another design's firmware). trace: the waveform
    variant of the SoC build (cfu_bench.run.trace).
    """
    if isinstance(design, str):
        design = load_design(design)
    progress = progress or Progress(quiet=True)
    soc = build_sim_soc(cfu_verilog(design), SocConfig(memory=memory), progress=progress,
                        trace=trace)
    fw_design = firmware_design or design
    firmware = build_firmware(soc.software_dir, fw_design.kernel_sources(),
                              fw_design.kernel_include_dirs(), fw_design.selftest_available,
                              defines=fw_design.kernel_defines())
    return SimTarget(design, soc, firmware)


def run(target: SimTarget, block: DataBlock | bytes, cycle_limit: int = DEFAULT_CYCLE_LIMIT,
        on_line=None, trace_to=None, uart_tx_cycles: int = 1) -> SimRun:
    """uart_tx_cycles: see sim.run.run_sim (1,000 paces the UART like the board's 1 Mbaud)."""
    data = block.to_bytes() if isinstance(block, DataBlock) else block
    check_fits(data, target.firmware.data_capacity)
    regions = [(0, target.firmware.binary), (target.firmware.data_offset, data)]
    return run_sim(target.soc, regions, cycle_limit, on_line=on_line, trace_to=trace_to,
                   uart_tx_cycles=uart_tx_cycles)


FAST_SOC_DESIGN = "none"


# the memories sim/fast models; the ULX3S's sdram is RTL-only for now
FAST_MEMORIES = ("ddr3", "ideal")


def prepare_fast(design: Design | str, progress: Progress | None = None,
                 memory: str = DEFAULT_MEMORY) -> SimTarget:
    """What the fast simulation needs: the design's firmware, and the SoC's software and CSR
    map, which depend on the SoC configuration only, not on the CFU (the build shares them
    across CFUs): they come from the baseline's SoC, so a design or parameter point is never
    verilated for the fast simulation. Its CFU is its C emulation (cfu_bench.sim.fast_sim)."""
    from ..sim.fast_sim import adapter_for
    if isinstance(design, str):
        design = load_design(design)
    adapter_for(design)  # a design without an emulation is refused before any build
    if memory not in FAST_MEMORIES:
        raise UserError(f"--sim fast has timing models for {' and '.join(FAST_MEMORIES)} memory, "
                        f"not {memory}: use --sim rtl")
    progress = progress or Progress(quiet=True)
    soc = build_sim_soc(cfu_verilog(load_design(FAST_SOC_DESIGN)), SocConfig(memory=memory),
                        progress=progress)
    firmware = build_firmware(soc.software_dir, design.kernel_sources(),
                              design.kernel_include_dirs(), design.selftest_available,
                              defines=design.kernel_defines())
    return SimTarget(design, soc, firmware)


@dataclass
class SelftestResult:
    passed: int
    failed: int
    run: SimRun


def selftest(target: SimTarget, count: int = 1000, seed: int = 1,
             cycle_limit: int = 200_000_000) -> SelftestResult:
    """Compare every CFU instruction with its C emulation on random operands, on the SoC."""
    result = run(target, DataBlock(selftest_count=count, selftest_seed=seed), cycle_limit)
    line = protocol.selftest(result.output)
    if not line:
        raise ResultError(f"the firmware printed no self-test result: {result.output[-200:]!r}")
    return SelftestResult(line.passed, line.failed, result)


class Simulation:
    """The `sim` target (cfu_bench.run.targets): the SoC's RTL in Verilator."""

    name = "sim"
    description = "Verilator RTL simulation of the SoC"
    memories = ("ddr3", "ideal", "sdram")

    def __init__(self, firmware_design: Design | None = None):
        # firmware_design: kernels from another design than the CFU's (e.g. a faulty CFU
        # running the right design's firmware)
        self.firmware_design = firmware_design

    def check(self, memory, options) -> str:
        from .targets import check_memory
        return check_memory(self, memory)

    def prepare(self, design, memory, progress, options):
        engine = check_engine((options or {}).get("sim"))
        if engine == "fast":
            if self.firmware_design is not None:
                raise UserError("--sim fast runs a design's own firmware only")
            return PreparedFastSimulation(prepare_fast(design, progress, memory), memory)
        return PreparedSimulation(prepare(design, progress, memory=memory,
                                          firmware_design=self.firmware_design), memory)


SIM_ENGINES = ("rtl", "fast")


def check_engine(engine: str | None) -> str:
    """--sim: "rtl" (Verilator, the default) or "fast" (sim/fast, calibrated against it)."""
    engine = engine or "rtl"
    if engine not in SIM_ENGINES:
        raise UserError(f"unknown simulator '{engine}'; valid: {', '.join(SIM_ENGINES)}")
    return engine


_MEMORY_LABEL = {"ddr3": "DDR3 (LiteDRAM, MT41K128M16 PHY model, L2 8 KiB)",
                 "ideal": "ideal single-cycle main RAM",
                 "sdram": "SDR SDRAM (LiteDRAM, ULX3S's MT48LC16M16 PHY model at 50 MHz, L2 8 KiB)"}


class PreparedSimulation:
    cycles_kind = "rtl-sim"
    # profile runs each input in its own simulation, these many at once: one per core this
    # process may use (a Verilator model is single-threaded)
    separate_inputs = True

    def __init__(self, target: SimTarget, memory: str):
        self.parallel_runs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else (os.cpu_count() or 1)
        self.target = target
        self.cache_id = target.soc.key + ":" + _digest(target.firmware.binary)
        self.cycles_source = f"mcycle, Verilator RTL simulation of the SoC, {_MEMORY_LABEL[memory]}"

    def run(self, block, on_line=None, cycle_limit: int = DEFAULT_CYCLE_LIMIT):
        from .targets import RunOutput
        r = run(self.target, block, cycle_limit=cycle_limit, on_line=on_line)
        return RunOutput(r.output, {"cycles_per_second": r.cycles_per_second,
                                    "wall_seconds": round(r.wall_seconds, 3)})


def _digest(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()[:16]


class PreparedFastSimulation:
    """The same firmware and data block on the fast simulation (cfu_bench.sim.fast_sim)."""

    cycles_kind = "fast-sim"
    separate_inputs = True  # as the RTL runs: each input from the same state after boot

    def __init__(self, target: SimTarget, memory: str):
        from ..sim.fast_sim import build_fastsim
        self.parallel_runs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else (os.cpu_count() or 1)
        self.target, self.memory = target, memory
        self.exe = build_fastsim(target.design)
        self.cache_id = ("fast:" + _digest(self.exe.read_bytes()) + ":" + target.soc.key + ":"
                         + _digest(target.firmware.binary))
        self.cycles_source = (f"mcycle, fast simulation (sim/fast, timing model of the RTL), "
                              f"{_MEMORY_LABEL[memory]}")

    def run(self, block, on_line=None, cycle_limit: int = DEFAULT_CYCLE_LIMIT):
        from ..sim.fast_sim import run_fast
        from .targets import RunOutput
        data = block.to_bytes() if isinstance(block, DataBlock) else block
        regions = [(0, self.target.firmware.binary), (self.target.firmware.data_offset, data)]
        r = run_fast(self.exe, self.target.soc.csr_json, self.memory, regions, cycle_limit,
                     on_line=on_line)
        # the simulator's own speed (its CPU time), not the process start around it
        speed = r.stats["cycles"] / r.stats["seconds"] if r.stats.get("seconds") else \
            r.cycles_per_second
        return RunOutput(r.output, {"cycles_per_second": speed,
                                    "wall_seconds": round(r.wall_seconds, 3)})
