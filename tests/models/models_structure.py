"""Checks a built model against the MLPerf Tiny reference structure (shared by several tests)."""
import numpy as np

from cfu_bench.model.model_info import info_from_model
from cfu_bench.model.tflite_model import TfliteModel
from mlperf_tiny_reference import IC_ADD_INPUTS, OPS, TOTALS


def _shapes(shapes) -> str:
    return ", ".join("x".join(map(str, s)) for s in shapes) or "-"


def _pair(p) -> str:
    return "-" if p is None else f"{p[0]}x{p[1]}"


def info_rows(info: dict) -> list[tuple]:
    """Our info in the reference table's row format."""
    return [(o["index"], o["op"], _shapes(o["input_shapes"]), _shapes(o["weight_shapes"]),
             _shapes([o["output_shape"]]), _pair(o["kernel"]), _pair(o["stride"]),
             o["padding"] or "-", o["activation"] or "-", o["macs"]) for o in info["ops"]]


def structure_problems(name: str, model: TfliteModel) -> list[str]:
    """Every way `model` differs from the reference `name`; empty when it matches."""
    info = info_from_model(model, name)
    problems = []
    ours, ref = info_rows(info), OPS[name]
    if [r[1] for r in ours] != [r[1] for r in ref]:
        problems.append(f"op sequence {[r[1] for r in ours]} != {[r[1] for r in ref]}")
    for got, want in zip(ours, ref):
        if got != want:
            problems.append(f"op {want[0]}: {got} != {want}")
    totals = TOTALS[name]
    for key, ours_key in (("macs", "total_macs"), ("params", "params"),
                          ("weight_bytes", "weight_bytes"),
                          ("largest_activation_bytes", "largest_activation_bytes")):
        if info[ours_key] != totals[key]:
            problems.append(f"{key} {info[ours_key]} != {totals[key]}")
    problems += _wiring_problems(name, model)
    return problems


def _wiring_problems(name: str, model: TfliteModel) -> list[str]:
    g = model.main
    produced_by = {i: op.index for op in g.operators for i in op.outputs}
    problems = []
    if list(g.inputs) != [g.operators[0].inputs[0]]:
        problems.append("model input does not feed op 0")
    if list(g.outputs) != list(g.operators[-1].outputs):
        problems.append("model output is not the last op's output")
    for op in g.operators[1:]:
        sources = [produced_by.get(i) for i in op.inputs if i >= 0 and not g.tensors[i].is_constant]
        if name == "ic" and op.index in IC_ADD_INPUTS:
            want = list(IC_ADD_INPUTS[op.index])
        elif name == "ic" and op.opcode == "CONV_2D" and op.index in (6, 10):
            want = [op.index - 3]  # the projection reads the previous stack's ADD
        else:
            want = [op.index - 1]  # everything else is a plain chain
        if sources != want:
            problems.append(f"op {op.index} {op.opcode} reads outputs of ops {sources}, "
                            f"expected {want}")
    return problems


def quantization_problems(model: TfliteModel) -> list[str]:
    """Differences from the reference int8 scheme (see the module docstring of the reference)."""
    g = model.main
    problems = []

    def q(i):
        return g.tensors[i].quantization

    for i in (*g.inputs, *g.outputs):
        t = g.tensors[i]
        if t.dtype != "INT8" or q(i) is None or q(i).per_channel:
            problems.append(f"model input/output {t.name} is {t.dtype}, not per-tensor int8")
    for op in g.operators:
        where = f"op {op.index} {op.opcode}"
        if op.opcode in ("QUANTIZE", "DEQUANTIZE"):
            problems.append(f"{where}: no (de)quantize ops expected")
        acts = [i for i in (*op.inputs, *op.outputs) if i >= 0 and not g.tensors[i].is_constant]
        for i in acts:
            t = g.tensors[i]
            if t.dtype != "INT8" or q(i) is None or q(i).per_channel:
                problems.append(f"{where}: activation {t.name} is not per-tensor int8")
        out = q(op.outputs[0])
        if op.options.get("fused_activation") == "RELU" and out.zero_point[0] != -128:
            problems.append(f"{where}: RELU output zero point {out.zero_point[0]}, expected -128")
        if op.opcode == "SOFTMAX" and (out.scale[0], out.zero_point[0]) != (np.float32(1 / 256), -128):
            problems.append(f"{where}: softmax output scale {out.scale[0]} zp {out.zero_point[0]}")
        if op.opcode == "RESHAPE" and (out.scale[0] != q(op.inputs[0]).scale[0]
                                       or out.zero_point[0] != q(op.inputs[0]).zero_point[0]):
            problems.append(f"{where}: requantizes")
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            problems += _weight_problems(g, op, where)
        if op.options.get("dilation_h", 1) != 1 or op.options.get("dilation_w", 1) != 1:
            problems.append(f"{where}: dilation is not 1")
        if op.options.get("depth_multiplier", 1) != 1:
            problems.append(f"{where}: depth multiplier is not 1")
    return problems


def _weight_problems(g, op, where) -> list[str]:
    problems = []
    x, w, b = (g.tensors[i] for i in op.inputs[:3])
    wq, bq = w.quantization, b.quantization
    channels = w.shape[3] if op.opcode == "DEPTHWISE_CONV_2D" else w.shape[0]
    axis = 3 if op.opcode == "DEPTHWISE_CONV_2D" else 0
    want_scales = 1 if op.opcode == "FULLY_CONNECTED" else channels
    if w.dtype != "INT8" or len(wq.scale) != want_scales or np.any(wq.zero_point != 0):
        problems.append(f"{where}: weights not symmetric int8 with {want_scales} scale(s)")
    elif want_scales > 1 and wq.quantized_dimension != axis:
        problems.append(f"{where}: weights quantized along {wq.quantized_dimension}, not {axis}")
    if w.dtype == "INT8" and w.numpy().min() < -127:
        problems.append(f"{where}: symmetric weights use -128")
    if b.dtype != "INT32" or b.shape != (channels,) or np.any(bq.zero_point != 0):
        problems.append(f"{where}: bias is not int32 [{channels}] with zero point 0")
    elif not np.allclose(bq.scale, x.quantization.scale[0] * wq.scale, rtol=1e-5):
        problems.append(f"{where}: bias scale is not input scale x weight scale")
    return problems
