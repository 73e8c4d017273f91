"""The fast simulation against the RTL results recorded in benchmarks/results/<model>-<cfu>-<memory>.json
(`cfu-bench profile ... --json`, RTL sim, one input, the default input seed): for all four models
x {none, mac8} x {ideal, ddr3} without re-running hours of RTL simulation.

    .venv/bin/python -m benchmarks.fastsim_vs_recorded [model-cfu-memory ...]

A recorded result is only comparable while the firmware and SoC are those it was recorded
with: `cfu-bench calibrate` runs both simulators now and is the check of record; this script
is the quick one, and says when a recorded run differs in bit-exactness or layer count.
The firmware is built against the SoC software of the memory's configuration (shared by
every CFU), so no Verilator model is needed for a design whose RTL SoC is not yet built.
"""
import json
import sys

from cfu_bench.model import golden
from cfu_bench.run import protocol
from cfu_bench.commands.calibrate import compare, format_calibration
from cfu_bench.designs import load_design
from cfu_bench.build.firmware_build import build_firmware
from cfu_bench.model.models_registry import resolve_model
from cfu_bench.paths import RESULTS
from cfu_bench.commands.profile import INPUT_SEED, _build_result, cycle_limit_for
from cfu_bench.model.model_info import model_info
from cfu_bench.build.ram_image import DataBlock
from cfu_bench.results.report import ProfileResult
from cfu_bench.sim.fast_sim import build_fastsim, run_fast
from cfu_bench.run.simulate import prepare

SOC_DESIGN = "template"  # the smallest CFU: the cheapest SoC to build when none is yet
ALL = [f"{m}-{c}-{mem}" for m in ("kws", "vww", "ic", "ad") for c in ("none", "mac8")
       for mem in ("ideal", "ddr3")]


def fast_result(model: str, cfu: str, memory: str, soc) -> ProfileResult:
    design = load_design(cfu)
    fw = build_firmware(soc.software_dir, design.kernel_sources(), design.kernel_include_dirs(),
                        design.selftest_available, defines=design.kernel_defines())
    path = resolve_model(model)
    mb = path.read_bytes()
    info = model_info(path)
    samples = golden.random_inputs(mb, 1, INPUT_SEED)
    block = DataBlock(model=mb, inputs=[golden.sample_bytes(samples[0])]).to_bytes()
    run = run_fast(build_fastsim(design), soc.csr_json, memory,
                   [(0, fw.binary), (fw.data_offset, block)], cycle_limit_for(info["total_macs"], 1))
    report = protocol.parse(run.output).raise_for_error()
    speed = run.stats["cycles"] / run.stats["seconds"] if run.stats.get("seconds") else None
    return _build_result(model, cfu, "sim", memory, info, report,
                         golden.golden_crcs(mb, samples),
                         {"cycles_per_second": speed, "wall_seconds": run.wall_seconds},
                         "fast-sim", "")


def main(specs: list[str]) -> None:
    socs = {}
    for spec in specs or ALL:
        model, cfu, memory = spec.split("-")
        if memory not in socs:  # any SoC of this memory: its software and CSR map are shared
            socs[memory] = prepare(SOC_DESIGN, memory=memory).soc
        rtl = ProfileResult.from_json_dict(json.loads((RESULTS / f"{spec}.json").read_text()))
        fast = fast_result(model, cfu, memory, socs[memory])
        c = compare(model, rtl, fast)
        speed = c.fast_cycles_per_second
        print(format_calibration(c, layers="-v" in sys.argv)
              + (f"; fast-sim {speed / 1e6:.0f} M cycles/s" if speed else ""), flush=True)


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("-")])
