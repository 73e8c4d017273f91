"""The table `cfu-bench models` prints: every named model, its task, input, MACs and ops."""
from __future__ import annotations

from .model_summary import summarize_file
from .models_registry import BENCHMARKS, ZOO_MODELS


def catalog() -> list[dict]:
    """One row per named model (benchmarks first, then the zoo); MACs and ops are read from
    the committed file, or None when it is missing."""
    rows = []
    for kind, registry in (("benchmark", BENCHMARKS), ("zoo", ZOO_MODELS)):
        for m in registry.values():
            row = {"name": m.name, "kind": kind, "task": m.task, "network": m.network,
                   "input": m.input, "macs": None, "ops": None}
            if m.path.is_file():
                s = summarize_file(m.path)
                row.update(macs=s.total_macs, ops=s.op_counts)
            rows.append(row)
    return rows


def format_catalog(rows: list[dict]) -> str:
    head = ["name", "set", "task", "network", "input", "MACs", "ops"]
    cells = [[r["name"], r["kind"], r["task"], r["network"], r["input"],
              f"{r['macs']:,}" if r["macs"] is not None else "(not built)",
              ", ".join(f"{op} {n}" if n > 1 else op for op, n in r["ops"].items())
              if r["ops"] else "-"] for r in rows]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head) - 1)]

    def line(c):
        return "  ".join([*(x.rjust(w) if h == "MACs" else x.ljust(w)
                            for x, w, h in zip(c, widths, head)), c[-1]]).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths] + ["---"]), *map(line, cells)])
