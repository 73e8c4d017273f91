"""Per-layer facts about a .tflite model: shapes, geometry, MACs and parameters.

Works on any valid .tflite, not only the benchmark models. Counting rules (the MLPerf Tiny
convention): CONV_2D = OH*OW*OC*KH*KW*IC, DEPTHWISE_CONV_2D = OH*OW*OC*KH*KW,
FULLY_CONNECTED = output rows*units*in, TRANSPOSE_CONV = IH*IW*IC*KH*KW*OC; and the other
matrix products as the firmware counts them: BATCH_MATMUL = output elements*depth,
SVDF = batches*filters*(input+memory), UNIDIRECTIONAL_SEQUENCE_LSTM =
batches*steps*4*state*(input+state); every other op counts 0. Params are the elements of
the weight and bias tensors of those ops (int8 weights and int32 biases in a quantized model;
all constant inputs of the matrix ops); weight_bytes are their bytes.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..errors import UserError
from .models_registry import resolve_model
from .tflite_model import Operator, Subgraph, TfliteModel, load

__all__ = ["resolve_model", "model_info", "format_info_table"]

# op -> (index of the weight input, index of the bias input)
WEIGHTED_OPS = {"CONV_2D": (1, 2), "DEPTHWISE_CONV_2D": (1, 2), "FULLY_CONNECTED": (1, 2),
                "TRANSPOSE_CONV": (1, 3)}


def _prod(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _input(g: Subgraph, op: Operator, i: int):
    return g.tensors[op.inputs[i]] if i < len(op.inputs) and op.inputs[i] >= 0 else None


def _weights(g: Subgraph, op: Operator):
    """(weight tensor, bias tensor or None) of a weighted op, checked enough to count."""
    w_at, b_at = WEIGHTED_OPS[op.opcode]
    w = _input(g, op, w_at)
    rank = 2 if op.opcode == "FULLY_CONNECTED" else 4
    if w is None or len(w.shape) != rank or not op.outputs:
        shape = "missing" if w is None else "x".join(map(str, w.shape)) or "scalar"
        raise UserError(f"op {op.index} {op.opcode}: weight tensor is {shape}, "
                        f"expected {rank} dimensions")
    return w, _input(g, op, b_at)


def _matrix_macs(g: Subgraph, op: Operator) -> int:
    """MACs of the matrix ops outside WEIGHTED_OPS (0 when a shape is not what they need)."""
    shape = lambda i: list(g.tensors[op.inputs[i]].shape) if i < len(op.inputs) and op.inputs[i] >= 0 else []  # noqa: E731
    out = list(g.tensors[op.outputs[0]].shape) if op.outputs else []
    if op.opcode == "BATCH_MATMUL":
        lhs = shape(0)
        if len(lhs) < 2 or len(out) < 2:
            return 0
        depth = lhs[-1] if lhs[-2] == out[-2] else lhs[-2]  # lhs is rows x depth, or depth x rows (adj_x)
        return _prod(out) * depth
    if op.opcode == "SVDF":
        x, wf, wt = shape(0), shape(1), shape(2)
        if len(x) != 2 or len(wf) != 2 or len(wt) != 2:
            return 0
        return x[0] * wf[0] * (x[1] + wt[1])
    if op.opcode == "UNIDIRECTIONAL_SEQUENCE_LSTM":
        x, w = shape(0), shape(5)
        if len(x) != 3 or len(w) != 2:
            return 0
        return x[0] * x[1] * 4 * w[0] * (x[2] + w[0])
    return 0


def _macs(g: Subgraph, op: Operator) -> int:
    if op.opcode not in WEIGHTED_OPS:
        return _matrix_macs(g, op)
    w, _ = _weights(g, op)
    out = g.tensors[op.outputs[0]].shape
    if op.opcode == "CONV_2D":
        return _prod(out) * w.shape[1] * w.shape[2] * w.shape[3]
    if op.opcode == "DEPTHWISE_CONV_2D":
        return _prod(out) * w.shape[1] * w.shape[2]
    if op.opcode == "FULLY_CONNECTED":
        return _prod(out) * w.shape[1]
    data = _input(g, op, 2)
    return (_prod(data.shape) if data is not None else 0) * w.shape[1] * w.shape[2] * w.shape[0]


def _geometry(g: Subgraph, op: Operator) -> dict:
    o = op.options
    kernel = None
    if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV"):
        w, _ = _weights(g, op)
        kernel = [w.shape[1], w.shape[2]]
    elif "filter_h" in o:
        kernel = [o["filter_h"], o["filter_w"]]
    return {
        "kernel": kernel,
        "stride": [o["stride_h"], o["stride_w"]] if "stride_h" in o else None,
        "padding": o.get("padding"),
        "activation": o.get("fused_activation"),
    }


# matrix ops whose constant inputs are all weights or biases (a constant BATCH_MATMUL RHS,
# SVDF's feature and time weights, the LSTM's eight weight matrices and four biases)
MATRIX_OPS = ("BATCH_MATMUL", "SVDF", "UNIDIRECTIONAL_SEQUENCE_LSTM")


def _param_tensors(g: Subgraph, op: Operator) -> list:
    if op.opcode in WEIGHTED_OPS:
        return [t for t in _weights(g, op) if t is not None and t.is_constant]
    if op.opcode in MATRIX_OPS:
        return [g.tensors[i] for i in op.inputs if i >= 0 and g.tensors[i].is_constant]
    return []


def _op_info(g: Subgraph, op: Operator) -> dict:
    live = [g.tensors[i] for i in op.inputs if i >= 0]
    params = weight_bytes = 0
    for t in _param_tensors(g, op):
        params += t.size
        weight_bytes += len(t.data)
    outputs = [list(g.tensors[i].shape) for i in op.outputs]
    return {
        "index": op.index,
        "op": op.opcode,
        "input_shapes": [list(t.shape) for t in live if not t.is_constant],
        "weight_shapes": [list(t.shape) for t in live if t.is_constant],
        "output_shape": outputs[0] if outputs else [],
        "output_shapes": outputs,
        **_geometry(g, op),
        "params": params,
        "weight_bytes": weight_bytes,
        "macs": _macs(g, op),
    }


def _io(g: Subgraph, indices) -> list[dict]:
    out = []
    for i in indices:
        t = g.tensors[i]
        q = t.quantization
        out.append({"name": t.name, "shape": list(t.shape), "dtype": t.dtype,
                    "scale": float(q.scale[0]) if q and not q.per_channel else None,
                    "zero_point": int(q.zero_point[0]) if q and not q.per_channel else None})
    return out


def _unique_weight_totals(g: Subgraph) -> tuple[int, int]:
    # A tensor shared by two ops (tied weights) is stored once, so it counts once.
    seen = {}
    for op in g.operators:
        for t in _param_tensors(g, op):
            seen[t.index] = t
    return sum(t.size for t in seen.values()), sum(len(t.data) for t in seen.values())


def info_from_model(model: TfliteModel, label: str) -> dict:
    g = model.main
    ops = [_op_info(g, op) for op in g.operators]
    params, weight_bytes = _unique_weight_totals(g)
    activations = {i for op in g.operators for i in (*op.inputs, *op.outputs) if i >= 0}
    activations |= set(g.inputs) | set(g.outputs)
    largest = max((g.tensors[i].nbytes for i in activations if not g.tensors[i].is_constant),
                  default=0)
    return {
        "model": label,
        "path": model.source,
        "file_bytes": model.size,
        "subgraphs": len(model.subgraphs),
        "inputs": _io(g, g.inputs),
        "outputs": _io(g, g.outputs),
        "total_macs": sum(o["macs"] for o in ops),
        "params": params,
        "weight_bytes": weight_bytes,
        "largest_activation_bytes": largest,
        "op_counts": dict(sorted(Counter(o["op"] for o in ops).items())),
        "ops": ops,
    }


def runtime_support(model_bytes: bytes) -> dict:
    """Which layers the firmware runtime can run, judged before anything is built: each op
    prepared on its own by the host build of the runtime (the same C as the firmware).
    {"supported": bool | None, "reason": model-level refusal or None, "ops": {index: reason}}
    with None for `supported` when the host build is unavailable (no gcc)."""
    from ..build import hostrt
    from ..errors import ToolMissing
    try:
        survey = hostrt.default_runtime().survey(model_bytes)
    except ToolMissing as e:
        return {"supported": None, "reason": f"not checked: {e}", "ops": {}}
    except UserError as e:
        return {"supported": False, "reason": str(e), "ops": {}}
    refused = {j: msg or f"refused (code {code})" for j, (code, msg) in enumerate(survey) if code}
    return {"supported": not refused, "reason": None, "ops": refused}


def model_info(name_or_path: str | Path, check_runtime: bool = True) -> dict:
    """Info for a benchmark name or a .tflite path (the main subgraph; JSON-ready). With
    check_runtime, also which layers the firmware runtime cannot run (`runtime`, and
    `runtime_refusal` per op: None where it runs)."""
    path = resolve_model(name_or_path)
    info = info_from_model(load(path), str(name_or_path))
    if check_runtime:
        support = runtime_support(path.read_bytes())
        info["runtime"] = {"supported": support["supported"], "reason": support["reason"]}
        for o in info["ops"]:
            o["runtime_refusal"] = support["ops"].get(o["index"])
    return info


def _shape(s) -> str:
    return "x".join(map(str, s)) if s else "scalar"


def _pair(p) -> str:
    return "-" if p is None else f"{p[0]}x{p[1]}"


def format_info_table(info: dict) -> str:
    """A readable, aligned per-layer table with totals (what `cfu-bench info` prints)."""
    head = ["#", "op", "input", "weights", "output", "kernel", "stride", "pad", "act",
            "params", "MACs"]
    rows = [[str(o["index"]), o["op"] + (" !" if o.get("runtime_refusal") else ""), ", ".join(map(_shape, o["input_shapes"])) or "-",
             ", ".join(map(_shape, o["weight_shapes"])) or "-",
             ", ".join(map(_shape, o["output_shapes"])) or "-",
             _pair(o["kernel"]), _pair(o["stride"]), o["padding"] or "-", o["activation"] or "-",
             f"{o['params']:,}", f"{o['macs']:,}"] for o in info["ops"]]
    numeric = {"#", "params", "MACs"}
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells):
        return "  ".join(c.rjust(w) if h in numeric else c.ljust(w)
                         for c, w, h in zip(cells, widths, head)).rstrip()

    def io(t):
        q = f", scale {t['scale']:.6g} zero point {t['zero_point']}" if t["scale"] else ""
        return f"{_shape(t['shape'])} {t['dtype']}{q}"

    where = "" if info["path"] == info["model"] else f"{info['path']}, "
    out = [f"model {info['model']} ({where}{info['file_bytes']:,} bytes)"]
    out += [f"input  {io(t)}" for t in info["inputs"]]
    out += [f"output {io(t)}" for t in info["outputs"]]
    if info["subgraphs"] > 1:
        out.append(f"({info['subgraphs']} subgraphs; the main one is shown)")
    out += ["", line(head), line(["-" * w for w in widths]), *map(line, rows), ""]
    counts = ", ".join(f"{op} {n}" for op, n in info["op_counts"].items())
    out.append(f"total: {len(info['ops'])} ops ({counts})")
    out.append(f"       {info['total_macs']:,} MACs, {info['params']:,} params "
               f"({info['weight_bytes']:,} weight bytes), largest activation "
               f"{info['largest_activation_bytes']:,} bytes")
    runtime = info.get("runtime")
    refused = [o for o in info["ops"] if o.get("runtime_refusal")]
    if runtime and runtime["reason"]:
        out.append(f"runtime: {runtime['reason']}")
    elif refused:
        out.append(f"runtime: cannot run {len(refused)} of {len(info['ops'])} layers (marked !):")
        out += [f"  {o['runtime_refusal']}" for o in refused]
    elif runtime and runtime["supported"]:
        out.append("runtime: runs every layer")
    return "\n".join(out)
