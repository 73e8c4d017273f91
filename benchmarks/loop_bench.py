"""The designer's loop, timed: edit a kernel of a design, then `cfu-bench profile MODEL`.

    .venv/bin/python -m benchmarks.loop_bench [--model ic] [--cfu mac8] [--memory ddr3]
                                              [--repeat 2] [--baseline]

Warm caches: a first profile builds whatever is missing (SoC, Verilated model, firmware),
untimed. Then, per repeat, a comment is appended to one of the design's kernel sources
(the firmware's cache key changes, so it recompiles, as after a real edit) and
`cfu-bench profile MODEL --cfu CFU --no-cache` runs (`--no-baseline` unless --baseline:
with --baseline the baseline is simulated too, in parallel). The kernel file is restored
afterwards. Prints one line per repeat and a JSON summary on the last line. Wall times
depend on the machine's load: say what else ran when quoting them.
"""
import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from cfu_bench.designs import load_design

REPO = Path(__file__).resolve().parent.parent
CFU_BENCH = REPO / ".venv" / "bin" / "cfu-bench"


def profile_command(model: str, cfu: str, memory: str, baseline: bool) -> list[str]:
    return [str(CFU_BENCH), "profile", model, "--cfu", cfu, "--memory", memory, "--no-cache",
            "--quiet", *([] if baseline else ["--no-baseline"])]


def sim_speed(output: str) -> float | None:
    m = re.search(r"simulation: ([\d.]+) M cycles/s", output)
    return float(m.group(1)) if m else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="ic")
    ap.add_argument("--cfu", default="mac8")
    ap.add_argument("--memory", default="ddr3")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--baseline", action="store_true")
    args = ap.parse_args(argv)

    kernels = load_design(args.cfu).kernel_sources()
    if not kernels:
        print(f"design {args.cfu} has no kernel sources to edit", file=sys.stderr)
        return 2
    kernel = kernels[0]
    command = profile_command(args.model, args.cfu, args.memory, args.baseline)
    subprocess.run(command, check=True, capture_output=True)   # warm-up, untimed
    original = kernel.read_bytes()
    runs = []
    try:
        for k in range(args.repeat):
            kernel.write_bytes(original + f"\n/* loop_bench edit {time.time_ns()} */\n".encode())
            t0 = time.monotonic()
            r = subprocess.run(command, capture_output=True, text=True)
            wall = time.monotonic() - t0
            if r.returncode != 0:
                print(r.stdout[-2000:], r.stderr[-2000:], file=sys.stderr)
                return r.returncode
            runs.append({"wall_seconds": round(wall, 2), "sim_mcycles_per_s": sim_speed(r.stdout)})
            print(f"edit {k + 1}: {wall:.1f} s wall ({' '.join(command[1:])})")
    finally:
        kernel.write_bytes(original)
    print(json.dumps({"model": args.model, "cfu": args.cfu, "memory": args.memory,
                      "baseline": args.baseline, "edited": str(kernel.relative_to(REPO)),
                      "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
