"""From a CFU design to firmware running on the simulated SoC.

design -> cfu.v (cached by gateware hash) -> Verilated SoC (cached by Verilog + SoC config)
       -> firmware (cached by sources) -> main_ram.init -> run.
"""
import re
from dataclasses import dataclass

from .errors import ResultError
from .firmware_build import Firmware, build_firmware
from .designs import Design, load_design
from .paths import build_root
from .progress import Progress
from .ram_image import DataBlock, readmemh_text
from .sim.build import SocBuild, build_sim_soc
from .sim.run import SimRun, run_sim

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
            firmware_design: Design | None = None) -> SimTarget:
    """Build or reuse everything needed to run firmware with this CFU.

    firmware_design, when given, supplies the kernels and self-test instead of `design`
    (e.g. a plain Verilog CFU running another design's firmware).
    """
    if isinstance(design, str):
        design = load_design(design)
    progress = progress or Progress(quiet=True)
    soc = build_sim_soc(cfu_verilog(design), progress=progress)
    fw_design = firmware_design or design
    firmware = build_firmware(soc.software_dir, fw_design.kernel_sources(),
                              fw_design.kernel_include_dirs(), fw_design.selftest_available)
    return SimTarget(design, soc, firmware)


def run(target: SimTarget, block: DataBlock | bytes, cycle_limit: int = DEFAULT_CYCLE_LIMIT,
        on_line=None) -> SimRun:
    data = block.to_bytes() if isinstance(block, DataBlock) else block
    init = readmemh_text([(0, target.firmware.binary), (target.firmware.data_offset, data)])
    return run_sim(target.soc, init, cycle_limit, on_line=on_line)


@dataclass
class SelftestResult:
    passed: int
    failed: int
    run: SimRun


_SELFTEST = re.compile(r"CFUB SELFTEST (\S+) pass=(\d+) fail=(\d+)")


def selftest(target: SimTarget, count: int = 1000, seed: int = 1,
             cycle_limit: int = 200_000_000) -> SelftestResult:
    """Compare every CFU instruction with its C emulation on random operands, on the SoC."""
    result = run(target, DataBlock(selftest_count=count, selftest_seed=seed), cycle_limit)
    m = _SELFTEST.search(result.output)
    if not m:
        raise ResultError(f"the firmware printed no self-test result: {result.output[-200:]!r}")
    return SelftestResult(int(m.group(2)), int(m.group(3)), result)
