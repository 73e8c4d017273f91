"""The benchmark suite's outputs, on the smallest model."""
import json

from cfu_bench.designs import DEFAULT_DESIGN
from cfu_bench.suite import run_suite


def test_suite_writes_json_markdown_and_chart(tmp_path):
    finished = []
    summary = run_suite(["ad"], ["none", DEFAULT_DESIGN], out_dir=tmp_path, command="test",
                        on_run=lambda m, d, r, s: finished.append((m, d)))
    assert sorted(finished) == sorted([("ad", "none"), ("ad", DEFAULT_DESIGN)])
    runs = {r["cfu"]: r for r in summary["runs"]}
    assert runs["none"]["bit_exact"] and runs[DEFAULT_DESIGN]["bit_exact"]
    assert runs[DEFAULT_DESIGN]["total_cycles"] < runs["none"]["total_cycles"]
    md = (tmp_path / "results.md").read_text()
    speedup = runs["none"]["total_cycles"] / runs[DEFAULT_DESIGN]["total_cycles"]
    assert f"| ad | 264,192 |" in md and f"{speedup:.1f}x" in md
    assert json.loads((tmp_path / f"ad-{DEFAULT_DESIGN}.json").read_text())["model"] == "ad"
    assert (tmp_path / "cycles.png").read_bytes()[:4] == b"\x89PNG"
    res = summary["resources"]
    assert res[DEFAULT_DESIGN]["luts"] > res["none"]["luts"] and res[DEFAULT_DESIGN]["dsps"] > 0
    assert f"| {DEFAULT_DESIGN} | {res[DEFAULT_DESIGN]['luts']} |" in md
