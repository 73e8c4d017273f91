"""Post-conversion edit that puts back the RESHAPE the MLPerf Tiny reference models have.

The reference files were converted by an older TensorFlow, which kept Keras's Flatten as a
RESHAPE between the last AVERAGE_POOL_2D and the FULLY_CONNECTED. Today's converter folds
that reshape into the FULLY_CONNECTED (which flattens its input anyway) and offers no switch
to keep it. A kernel benchmark must run the same op sequence as the reference, so we insert
the RESHAPE again: int8 in and out with the pool output's quantization (a RESHAPE never
requantizes), and a constant 2-element shape tensor, as in the reference.

Works on the flatbuffer object API of the schema shipped with tflite-micro (no TensorFlow).
"""
from __future__ import annotations

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

# TFLM and our firmware read int32 biases straight out of the flatbuffer; the converter
# aligns buffer data to 16 bytes and a re-serialized file must too.
BUFFER_ALIGNMENT = 16


class _AlignedBufferT(schema.BufferT):
    def Pack(self, builder):
        data = None
        if self.data is not None and len(self.data):
            raw = np.asarray(self.data, dtype=np.uint8).tobytes()
            # Pad so the bytes about to be prepended start on the boundary; Finish() then
            # pads the whole file to it, so offsets from the start are aligned too.
            builder.Prep(BUFFER_ALIGNMENT, len(raw))
            data = builder.CreateByteVector(raw)
        schema.BufferStart(builder)
        if data is not None:
            schema.BufferAddData(builder, data)
        schema.BufferAddOffset(builder, self.offset)
        schema.BufferAddSize(builder, self.size)
        return schema.BufferEnd(builder)


def _aligned(buffer: schema.BufferT) -> _AlignedBufferT:
    out = _AlignedBufferT()
    out.data, out.offset, out.size = buffer.data, buffer.offset, buffer.size
    return out


def _opcode_index(model: schema.ModelT, code: int) -> int:
    for i, oc in enumerate(model.operatorCodes):
        if max(oc.builtinCode, oc.deprecatedBuiltinCode) == code:
            return i
    oc = schema.OperatorCodeT()
    oc.builtinCode = code
    oc.deprecatedBuiltinCode = min(code, 127)
    oc.version = 1
    model.operatorCodes.append(oc)
    return len(model.operatorCodes) - 1


def _builtin(oc: schema.OperatorCodeT) -> int:
    return max(oc.builtinCode, oc.deprecatedBuiltinCode)


def _insert_reshape(model: schema.ModelT, graph: schema.SubGraphT, fc_index: int) -> None:
    fc = graph.operators[fc_index]
    source = graph.tensors[fc.inputs[0]]
    flat = [1, int(np.prod(source.shape))]

    shape_buffer = schema.BufferT()
    shape_buffer.data = np.frombuffer(np.array(flat, "<i4").tobytes(), np.uint8)
    model.buffers.append(shape_buffer)
    shape_tensor = schema.TensorT()
    shape_tensor.shape = np.array([2], np.int32)
    shape_tensor.type = schema.TensorType.INT32
    shape_tensor.buffer = len(model.buffers) - 1
    shape_tensor.name = source.name + b"/flatten_shape"

    flat_tensor = schema.TensorT()
    flat_tensor.shape = np.array(flat, np.int32)
    flat_tensor.type = source.type
    flat_tensor.buffer = 0  # buffer 0 is the empty sentinel activations point at
    flat_tensor.name = source.name + b"/flatten"
    flat_tensor.quantization = source.quantization

    graph.tensors += [shape_tensor, flat_tensor]
    options = schema.ReshapeOptionsT()
    options.newShape = flat
    reshape = schema.OperatorT()
    reshape.opcodeIndex = _opcode_index(model, schema.BuiltinOperator.RESHAPE)
    reshape.inputs = np.array([fc.inputs[0], len(graph.tensors) - 2], np.int32)
    reshape.outputs = np.array([len(graph.tensors) - 1], np.int32)
    reshape.builtinOptionsType = schema.BuiltinOptions.ReshapeOptions
    reshape.builtinOptions = options
    fc.inputs = np.array(fc.inputs, np.int32)
    fc.inputs[0] = len(graph.tensors) - 1
    graph.operators.insert(fc_index, reshape)


def restore_flatten_reshape(data: bytes) -> bytes:
    """Inserts RESHAPE to [1, N] before each FULLY_CONNECTED fed by a rank>2 pool output."""
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    fc_code = schema.BuiltinOperator.FULLY_CONNECTED
    for graph in model.subgraphs:
        i = 0
        while i < len(graph.operators):
            op = graph.operators[i]
            if (_builtin(model.operatorCodes[op.opcodeIndex]) == fc_code
                    and len(graph.tensors[op.inputs[0]].shape) > 2):
                _insert_reshape(model, graph, i)
                i += 1
            i += 1
    model.buffers = [_aligned(b) for b in model.buffers]
    builder = flatbuffers.Builder(len(data) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
