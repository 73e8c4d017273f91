"""The benchmark suite's opt-in ECP5 step: the ULX3S bitstreams of the suite's designs, with
the sys clock's fmax after routing, the utilisation of the placed design and the wall time.

    .venv/bin/python -m benchmarks.ecp5_bench [--cfu none --cfu mac8] [--fresh]

Each design is built with `cfu-bench build --target ulx3s` (yowasp yosys + nextpnr-ecp5 +
ecppack, one at a time: place and route uses a core for minutes). --fresh removes the
projects first, so the wall time is the whole flow's (SoC generation, BIOS, synthesis, place
and route, packing); without it a design whose project is up to date is reused and its time is
the one recorded when it was built. Writes benchmarks/results/ulx3s.json and ulx3s.md and
prints the table. Wall times depend on the machine's load: say what else ran when quoting them.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
CFU_BENCH = REPO / ".venv" / "bin" / "cfu-bench"
DESIGNS = ("none", "mac8")


def build_command(design: str) -> list[str]:
    return [str(CFU_BENCH), "build", "--target", "ulx3s", "--cfu", design, "--quiet"]


def build_one(design: str, fresh: bool) -> dict:
    from cfu_bench.paths import build_root

    if fresh:  # the project `cfu-bench build` (and tests/board/test_ulx3s_build.py) uses
        shutil.rmtree(build_root() / "ulx3s" / f"{design}-85f", ignore_errors=True)
    started = time.time()
    t0 = time.monotonic()
    r = subprocess.run(build_command(design), capture_output=True, text=True)
    wall = round(time.monotonic() - t0, 1)
    if r.returncode not in (0, 1):  # 1: built, but misses the clock (recorded as such)
        sys.exit(f"build of {design} failed: {r.stderr.strip().splitlines()[-1:]}")
    summary = json.loads(r.stdout[:r.stdout.rindex("}") + 1])
    # An up-to-date project is reused: its bitstream predates this run, and this run's wall
    # time is not a build's.
    reused = os.path.getmtime(summary["bitstream"]) < started
    return {"design": design, "reused": reused, "wall_seconds": wall,
            "compile_seconds": summary["compile_seconds"],
            "fmax_mhz": summary["fmax_mhz"], "target_mhz": summary["target_mhz"],
            "met": summary["met"], "worst_path": summary["worst_path"],
            "utilisation": summary["utilisation"], "device": summary["device"],
            "bitstream_bytes": os.path.getsize(summary["bitstream"])}


def markdown(rows: list[dict], command: str) -> str:
    lines = [f"ULX3S ({rows[0]['device']}) bitstreams, from `{command}` "
             f"({time.strftime('%Y-%m-%d', time.gmtime())}); fmax of the sys clock after routing "
             "(nextpnr-ecp5), utilisation of the placed design; wall time of the whole build "
             "on this machine (`reused`: an up-to-date project, built earlier).", "",
             "| design | fmax MHz | target MHz | met | LUT4 | FF | MULT18 | DP16KD | wall s | synth+P&R+pack s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        u = r["utilisation"]
        lines.append(f"| {r['design']} | {r['fmax_mhz']} | {r['target_mhz']:g} | "
                     f"{'yes' if r['met'] else 'NO'} | {u['lut']:,} | {u['ff']:,} | {u['dsp']} | "
                     f"{u['bram']} | {'reused' if r['reused'] else r['wall_seconds']} | "
                     f"{r['compile_seconds']} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cfu", action="append", dest="designs", help="design (repeatable)")
    ap.add_argument("--fresh", action="store_true", help="rebuild from scratch, timing all of it")
    args = ap.parse_args(argv)
    designs = args.designs or list(DESIGNS)
    command = "python -m benchmarks.ecp5_bench" + "".join(f" --cfu {d}" for d in args.designs or []) \
        + (" --fresh" if args.fresh else "")
    rows = []
    for d in designs:
        rows.append(build_one(d, args.fresh))
        print(json.dumps(rows[-1]), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ulx3s.json").write_text(json.dumps({"command": command, "rows": rows}, indent=1) + "\n")
    table = markdown(rows, command)
    (RESULTS / "ulx3s.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
