"""Edits that give a converted file the quirks of TFLM's published person_detect.tflite.

That file (converted by an older TensorFlow) gives its 1-D int32 conv and depthwise biases
per-channel quantization with quantized_dimension=3: the filter's channel axis, which a 1-D
tensor does not have. TFLM never reads a bias tensor's quantization, so it runs the file; a
reader that validates it refuses it. Today's converter writes quantized_dimension=0, so the
zoo makes the quirky copy by editing the bias tensors and nothing else.
"""
from __future__ import annotations

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from ..tflite_edit import _aligned

BIAS_OPS = {schema.BuiltinOperator.CONV_2D, schema.BuiltinOperator.DEPTHWISE_CONV_2D}


def bias_quantized_dimension(data: bytes, dimension: int = 3) -> bytes:
    """Sets quantized_dimension of every conv / depthwise bias (input 2) to `dimension`."""
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    edited = 0
    for graph in model.subgraphs:
        for op in graph.operators:
            oc = model.operatorCodes[op.opcodeIndex]
            if max(oc.builtinCode, oc.deprecatedBuiltinCode) not in BIAS_OPS:
                continue
            if len(op.inputs) < 3 or op.inputs[2] < 0:
                continue
            bias = graph.tensors[op.inputs[2]]
            if len(bias.shape) == 1 and bias.quantization is not None:
                bias.quantization.quantizedDimension = dimension
                edited += 1
    if not edited:
        raise ValueError("no conv or depthwise bias to edit")
    model.buffers = [_aligned(b) for b in model.buffers]
    builder = flatbuffers.Builder(len(data) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def bias_dimensions(data: bytes) -> list[int]:
    """quantized_dimension of each conv / depthwise bias, in operator order."""
    model = schema.Model.GetRootAsModel(data, 0)
    g = model.Subgraphs(0)
    out = []
    for i in range(g.OperatorsLength()):
        op = g.Operators(i)
        oc = model.OperatorCodes(op.OpcodeIndex())
        if max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode()) in BIAS_OPS and op.InputsLength() > 2:
            q = g.Tensors(op.Inputs(2)).Quantization()
            out.append(q.QuantizedDimension() if q is not None else None)
    return out
