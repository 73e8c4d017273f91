"""The benchmark suite's outputs, on the smallest model."""
import json

from cfu_bench.designs import DEFAULT_DESIGN
from cfu_bench.commands.suite import run_suite


def test_suite_writes_json_markdown_and_chart(tmp_path):
    finished = []
    summary = run_suite(["ad"], ["none", DEFAULT_DESIGN], out_dir=tmp_path, command="test",
                        on_run=lambda m, d, mem, r, s: finished.append((m, d, mem)))
    assert sorted(finished) == sorted((("ad", d, mem) for d in ("none", DEFAULT_DESIGN)
                                       for mem in ("ddr3", "ideal")))
    both = {(r["cfu"], r["memory"]): r for r in summary["runs"]}
    for d in ("none", DEFAULT_DESIGN):  # DRAM latency costs cycles, never saves them
        assert both[(d, "ddr3")]["total_cycles"] > both[(d, "ideal")]["total_cycles"]
    runs = {r["cfu"]: r for r in summary["runs"] if r["memory"] == "ddr3"}
    assert runs["none"]["bit_exact"] and runs[DEFAULT_DESIGN]["bit_exact"]
    assert runs[DEFAULT_DESIGN]["total_cycles"] < runs["none"]["total_cycles"]
    md = (tmp_path / "results.md").read_text()
    speedup = runs["none"]["total_cycles"] / runs[DEFAULT_DESIGN]["total_cycles"]
    assert f"| ad | 264,192 |" in md and f"{speedup:.1f}x" in md
    assert f"{DEFAULT_DESIGN} ddr3 cycles" in md and f"{DEFAULT_DESIGN} ideal cycles" in md
    run = json.loads((tmp_path / f"ad-{DEFAULT_DESIGN}-ddr3.json").read_text())
    assert run["model"] == "ad" and run["memory"] == "ddr3"
    per_layer = (tmp_path / "memory.md").read_text()
    assert f"### ad, CFU {DEFAULT_DESIGN}" in per_layer and "ddr3/ideal" in per_layer
    assert (tmp_path / "cycles.png").read_bytes()[:4] == b"\x89PNG"
    res = summary["resources"]
    assert res[DEFAULT_DESIGN]["luts"] > res["none"]["luts"] and res[DEFAULT_DESIGN]["dsps"] > 0
    assert f"| {DEFAULT_DESIGN} | {res[DEFAULT_DESIGN]['luts']} |" in md
