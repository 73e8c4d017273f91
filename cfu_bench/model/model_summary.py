"""A model's op list, tensor types and MAC count, read through TFLite's official schema.

`cfu-bench info` reads a model with the project's own reader, which refuses what the runtime
cannot run; this summary only needs the file to be a flatbuffer, so `cfu-bench models` and
the zoo's tests can describe any model TFLM accepts. MACs follow model_info's convention
(CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV), extended to the recurrent
ops: SVDF = filters x (input + memory) per inference, UNIDIRECTIONAL_SEQUENCE_LSTM =
steps x 4 x units x (input + units).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}


@dataclass
class OpSummary:
    index: int
    op: str
    input_types: list[str]      # per input; "-" for an omitted optional input
    output_types: list[str]
    output_shapes: list[list[int]]
    macs: int


@dataclass
class ModelSummary:
    ops: list[OpSummary]
    inputs: list[tuple[list[int], str]]     # (shape, type) of each model input
    outputs: list[tuple[list[int], str]]
    subgraphs: int
    variable_tensors: list[tuple[list[int], str]] = field(default_factory=list)

    @property
    def total_macs(self) -> int:
        return sum(o.macs for o in self.ops)

    @property
    def op_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(o.op for o in self.ops).items()))

    def op_types(self) -> dict[str, set[str]]:
        """Per op name, the types of its first input and first output ('INT8->INT16')."""
        out: dict[str, set[str]] = {}
        for o in self.ops:
            out.setdefault(o.op, set()).add(f"{o.input_types[0]}->{o.output_types[0]}")
        return out


def _prod(shape) -> int:
    return int(np.prod(shape)) if len(shape) else 1


def _macs(op: str, shapes: list, out_shape: list[int]) -> int:
    """shapes: the input tensors' shapes (None where omitted)."""
    w = shapes[1] if len(shapes) > 1 else None
    if op == "CONV_2D":
        return _prod(out_shape) * _prod(w[1:])
    if op == "DEPTHWISE_CONV_2D":
        return _prod(out_shape) * w[1] * w[2]
    if op == "FULLY_CONNECTED":
        return _prod(out_shape) * w[1]
    if op == "TRANSPOSE_CONV":
        return _prod(shapes[2]) * w[0] * w[1] * w[2]
    if op == "SVDF":
        return shapes[1][0] * (shapes[1][1] + shapes[2][1])
    if op == "UNIDIRECTIONAL_SEQUENCE_LSTM":
        steps = _prod(out_shape[:-1])
        units, features = shapes[4][0], shapes[4][1]  # input-to-forget weights [units, input]
        return steps * 4 * units * (features + units)
    return 0


def summarize(data: bytes) -> ModelSummary:
    """Subgraph 0 of a .tflite file (the one TFLM invokes)."""
    model = schema.Model.GetRootAsModel(data, 0)
    g = model.Subgraphs(0)

    def tensor(i):
        t = g.Tensors(i)
        return [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else [], TYPE_NAMES[t.Type()]

    ops = []
    for k in range(g.OperatorsLength()):
        op = g.Operators(k)
        oc = model.OperatorCodes(op.OpcodeIndex())
        name = OP_NAMES.get(max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode()), "CUSTOM")
        ins = [tensor(i) if i >= 0 else None for i in op.InputsAsNumpy()] if op.InputsLength() else []
        outs = [tensor(i) for i in op.OutputsAsNumpy()] if op.OutputsLength() else []
        ops.append(OpSummary(k, name, [t[1] if t else "-" for t in ins], [t[1] for t in outs],
                             [t[0] for t in outs],
                             _macs(name, [t[0] if t else None for t in ins], outs[0][0] if outs else [])))
    variables = [tensor(i) for i in range(g.TensorsLength()) if g.Tensors(i).IsVariable()]
    return ModelSummary(ops, [tensor(i) for i in g.InputsAsNumpy()],
                        [tensor(i) for i in g.OutputsAsNumpy()], model.SubgraphsLength(), variables)


def summarize_file(path: str | Path) -> ModelSummary:
    return summarize(Path(path).read_bytes())
