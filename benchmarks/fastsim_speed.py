"""Simulated cycles per second of the fast simulation on whole-model runs: the simulator binary
alone (`fastsim --stats`: its own CPU time, no process start, so a figure per core even on a
shared machine), best of three.

    .venv/bin/python -m benchmarks.fastsim_speed [model-cfu-memory ...]
"""
import sys
from cfu_bench.model import golden
from cfu_bench.designs import load_design
from cfu_bench.model.models_registry import resolve_model
from cfu_bench.build.ram_image import DataBlock
from cfu_bench.sim.fast_sim import build_fastsim, run_fast
from cfu_bench.run.simulate import prepare_fast
DEFAULT = ["ic-none-ideal", "vww-none-ideal", "kws-mac8-ideal", "vww-mac8-ideal", "ic-mac8-ideal",
           "ic-none-ddr3", "vww-none-ddr3", "ic-mac8-ddr3", "vww-mac8-ddr3"]

for spec in sys.argv[1:] or DEFAULT:
    model, cfu, mem = spec.split("-")
    t = prepare_fast(cfu, memory=mem)
    mb = resolve_model(model).read_bytes()
    s = golden.random_inputs(mb, 1, 20261121)
    block = DataBlock(model=mb, inputs=[golden.sample_bytes(s[0])]).to_bytes()
    best = 0
    for _ in range(3):
        r = run_fast(build_fastsim(load_design(cfu)), t.soc.csr_json, mem, [(0, t.firmware.binary), (t.firmware.data_offset, block)], 2_000_000_000)
        st = r.stats
        best = max(best, st["cycles"] / st["seconds"])
    print(f"{spec}: {st['cycles']:,} cycles, {st['instructions']:,} instructions, best {best/1e6:.0f} M cycles/s ({best*st['instructions']/st['cycles']/1e6:.0f} M instr/s); wall {r.wall_seconds:.2f} s")
