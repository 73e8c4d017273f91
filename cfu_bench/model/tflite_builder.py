"""Build small INT8 .tflite models directly, without the TensorFlow converter.

Per-op tests need thousands of models with arbitrary shapes, strides, paddings, activations
and quantization parameters; the converter is far too slow for that and cannot produce many
of the corner cases (odd zero points, large multipliers). This module writes the flatbuffer
through the schema's object API (`ModelT().Pack`) that ships with tflite-micro, so the result
is exactly what TFLM reads.

    b = ModelBuilder()
    x = b.input([1, 8, 8, 3], scale=0.05, zero_point=-3)
    y = b.conv2d(x, weights, bias, weight_scales, out_scale=0.1, out_zero_point=5,
                 stride=(2, 2), padding="SAME", activation="RELU6")
    b.output(y)
    model_bytes = b.build()

`synthetic_model(name)` builds random-weight stand-ins with the exact layer structure of
the four MLPerf Tiny models (kws, vww, ic, ad).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

TENSOR_TYPES = {"float32": fb.TensorType.FLOAT32, "int32": fb.TensorType.INT32,
                "int8": fb.TensorType.INT8, "int16": fb.TensorType.INT16,
                "uint8": fb.TensorType.UINT8, "int64": fb.TensorType.INT64}
NP_TYPES = {"float32": np.float32, "int32": np.int32, "int8": np.int8, "int16": np.int16,
            "uint8": np.uint8, "int64": np.int64}
ACTIVATIONS = {"NONE": fb.ActivationFunctionType.NONE, "RELU": fb.ActivationFunctionType.RELU,
               "RELU6": fb.ActivationFunctionType.RELU6,
               "RELU_N1_TO_1": fb.ActivationFunctionType.RELU_N1_TO_1,
               "TANH": fb.ActivationFunctionType.TANH}
PADDINGS = {"SAME": fb.Padding.SAME, "VALID": fb.Padding.VALID}
BUILTIN_CODES = {k: v for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}


@dataclass
class TensorInfo:
    shape: list[int]
    dtype: str
    scale: float | None
    zero_point: int | None


def out_size(padding: str, size: int, k: int, stride: int, dilation: int = 1) -> int:
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size + stride - eff) // stride


def _f32(x) -> float:
    return float(np.float32(x))


class ModelBuilder:
    def __init__(self, description: str = "cfu-bench tflite_builder"):
        self.description = description
        self.buffers = [fb.BufferT()]  # buffer 0 is the conventional empty buffer
        self.tensors: list[fb.TensorT] = []
        self.info: list[TensorInfo] = []
        self.ops: list[fb.OperatorT] = []
        self.opcodes: list[int] = []
        self.inputs: list[int] = []
        self.outputs: list[int] = []

    # ---- tensors -------------------------------------------------------------------------
    def tensor(self, shape, dtype="int8", scale=None, zero_point=None, data=None, name=None,
               quantized_dimension=0) -> int:
        """Add a tensor. `scale`/`zero_point` may be scalars or per-channel sequences."""
        t = fb.TensorT()
        t.shape = [int(d) for d in shape]
        t.type = TENSOR_TYPES[dtype]
        t.name = name or f"t{len(self.tensors)}"
        if scale is not None:
            q = fb.QuantizationParametersT()
            scales = np.atleast_1d(np.asarray(scale, dtype=np.float32))
            zps = np.atleast_1d(np.asarray(0 if zero_point is None else zero_point, dtype=np.int64))
            if zps.size == 1 and scales.size > 1:
                zps = np.repeat(zps, scales.size)
            q.scale = [float(s) for s in scales]
            q.zeroPoint = [int(z) for z in zps]
            q.quantizedDimension = quantized_dimension
            t.quantization = q
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, dtype=NP_TYPES[dtype]))
            if list(arr.shape) != t.shape and arr.size != int(np.prod(t.shape)):
                raise ValueError(f"data shape {arr.shape} does not match tensor shape {t.shape}")
            buf = fb.BufferT()
            buf.data = np.frombuffer(arr.tobytes(), dtype=np.uint8)
            self.buffers.append(buf)
            t.buffer = len(self.buffers) - 1
        self.tensors.append(t)
        first_scale = None if scale is None else _f32(np.atleast_1d(scale)[0])
        first_zp = None if scale is None else int(np.atleast_1d(0 if zero_point is None else zero_point)[0])
        self.info.append(TensorInfo(list(t.shape), dtype, first_scale, first_zp))
        return len(self.tensors) - 1

    def input(self, shape, scale=None, zero_point=None, dtype="int8") -> int:
        if dtype == "int8" and scale is None:
            raise ValueError("int8 inputs need a scale")
        i = self.tensor(shape, dtype, scale, zero_point, name=f"input{len(self.inputs)}")
        self.inputs.append(i)
        return i

    def output(self, t: int) -> int:
        self.outputs.append(t)
        return t

    def shape(self, t: int) -> list[int]:
        return list(self.info[t].shape)

    # ---- operators -----------------------------------------------------------------------
    def _opcode(self, builtin: int) -> int:
        if builtin not in self.opcodes:
            self.opcodes.append(builtin)
        return self.opcodes.index(builtin)

    def raw_op(self, builtin, inputs, outputs, options_type=0, options=None) -> None:
        """Append an operator as given: the escape hatch for unsupported-op and malformed tests."""
        if isinstance(builtin, str):
            builtin = BUILTIN_CODES[builtin]
        op = fb.OperatorT()
        op.opcodeIndex = self._opcode(builtin)
        op.inputs = [int(i) for i in inputs]
        op.outputs = [int(o) for o in outputs]
        op.builtinOptionsType = options_type
        op.builtinOptions = options
        self.ops.append(op)

    def _bias(self, bias, n, in_scale, w_scales, name):
        if bias is None:
            return -1
        bias = np.asarray(bias, dtype=np.int32).reshape(n)
        ws = np.atleast_1d(np.asarray(w_scales, dtype=np.float32))
        bscale = (np.float32(in_scale) * ws).astype(np.float32)
        return self.tensor([n], "int32", bscale, np.zeros(bscale.size, np.int64), data=bias, name=name,
                           quantized_dimension=0)

    def conv2d(self, x, weights, bias, weight_scales, out_scale, out_zero_point, stride=(1, 1),
               padding="SAME", activation="NONE", dilation=(1, 1)) -> int:
        """weights: int8 [out_c, kh, kw, in_c]; weight_scales: 1 or out_c values."""
        xi = self.info[x]
        w = np.asarray(weights, dtype=np.int8)
        oc, kh, kw, _ = w.shape
        n, h, wd, _ = xi.shape
        oh = out_size(padding, h, kh, stride[0], dilation[0])
        ow = out_size(padding, wd, kw, stride[1], dilation[1])
        ws = np.atleast_1d(weight_scales)
        wt = self.tensor(w.shape, "int8", ws, np.zeros(ws.size, np.int64), data=w, quantized_dimension=0)
        bt = self._bias(bias, oc, xi.scale, ws, None)
        y = self.tensor([n, oh, ow, oc], "int8", out_scale, out_zero_point)
        opt = fb.Conv2DOptionsT()
        opt.padding = PADDINGS[padding]
        opt.strideH, opt.strideW = stride
        opt.dilationHFactor, opt.dilationWFactor = dilation
        opt.fusedActivationFunction = ACTIVATIONS[activation]
        self.raw_op(fb.BuiltinOperator.CONV_2D, [x, wt, bt], [y], fb.BuiltinOptions.Conv2DOptions, opt)
        return y

    def depthwise_conv2d(self, x, weights, bias, weight_scales, out_scale, out_zero_point,
                         stride=(1, 1), padding="SAME", activation="NONE", depth_multiplier=1,
                         dilation=(1, 1)) -> int:
        """weights: int8 [1, kh, kw, in_c * depth_multiplier]."""
        xi = self.info[x]
        w = np.asarray(weights, dtype=np.int8)
        _, kh, kw, oc = w.shape
        n, h, wd, _ = xi.shape
        oh = out_size(padding, h, kh, stride[0], dilation[0])
        ow = out_size(padding, wd, kw, stride[1], dilation[1])
        ws = np.atleast_1d(weight_scales)
        wt = self.tensor(w.shape, "int8", ws, np.zeros(ws.size, np.int64), data=w, quantized_dimension=3)
        bt = self._bias(bias, oc, xi.scale, ws, None)
        y = self.tensor([n, oh, ow, oc], "int8", out_scale, out_zero_point)
        opt = fb.DepthwiseConv2DOptionsT()
        opt.padding = PADDINGS[padding]
        opt.strideH, opt.strideW = stride
        opt.dilationHFactor, opt.dilationWFactor = dilation
        opt.depthMultiplier = depth_multiplier
        opt.fusedActivationFunction = ACTIVATIONS[activation]
        self.raw_op(fb.BuiltinOperator.DEPTHWISE_CONV_2D, [x, wt, bt], [y],
                    fb.BuiltinOptions.DepthwiseConv2DOptions, opt)
        return y

    def fully_connected(self, x, weights, bias, weight_scales, out_scale, out_zero_point,
                        activation="NONE", keep_num_dims=False, weight_zero_point=0) -> int:
        """weights: int8 [units, accum_depth]; weight_scales: 1 (per tensor) or units values."""
        xi = self.info[x]
        w = np.asarray(weights, dtype=np.int8)
        units, depth = w.shape
        batches = int(np.prod(xi.shape)) // depth
        ws = np.atleast_1d(weight_scales)
        wt = self.tensor(w.shape, "int8", ws, np.full(ws.size, weight_zero_point, np.int64), data=w,
                         quantized_dimension=0)
        bt = self._bias(bias, units, xi.scale, ws, None)
        oshape = xi.shape[:-1] + [units] if keep_num_dims else [batches, units]
        y = self.tensor(oshape, "int8", out_scale, out_zero_point)
        opt = fb.FullyConnectedOptionsT()
        opt.fusedActivationFunction = ACTIVATIONS[activation]
        opt.keepNumDims = keep_num_dims
        self.raw_op(fb.BuiltinOperator.FULLY_CONNECTED, [x, wt, bt], [y],
                    fb.BuiltinOptions.FullyConnectedOptions, opt)
        return y

    def _pool(self, code, x, filter_size, stride, padding, activation) -> int:
        xi = self.info[x]
        n, h, w, c = xi.shape
        oh = out_size(padding, h, filter_size[0], stride[0])
        ow = out_size(padding, w, filter_size[1], stride[1])
        y = self.tensor([n, oh, ow, c], xi.dtype, xi.scale, xi.zero_point)
        opt = fb.Pool2DOptionsT()
        opt.padding = PADDINGS[padding]
        opt.strideH, opt.strideW = stride
        opt.filterHeight, opt.filterWidth = filter_size
        opt.fusedActivationFunction = ACTIVATIONS[activation]
        self.raw_op(code, [x], [y], fb.BuiltinOptions.Pool2DOptions, opt)
        return y

    def average_pool2d(self, x, filter_size, stride, padding="VALID", activation="NONE") -> int:
        return self._pool(fb.BuiltinOperator.AVERAGE_POOL_2D, x, filter_size, stride, padding, activation)

    def max_pool2d(self, x, filter_size, stride, padding="VALID", activation="NONE") -> int:
        return self._pool(fb.BuiltinOperator.MAX_POOL_2D, x, filter_size, stride, padding, activation)

    def add(self, a, b, out_scale, out_zero_point, activation="NONE") -> int:
        sa, sb = self.info[a].shape, self.info[b].shape
        shape = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
        y = self.tensor(shape, "int8", out_scale, out_zero_point)
        opt = fb.AddOptionsT()
        opt.fusedActivationFunction = ACTIVATIONS[activation]
        self.raw_op(fb.BuiltinOperator.ADD, [a, b], [y], fb.BuiltinOptions.AddOptions, opt)
        return y

    def reshape(self, x, new_shape, shape_tensor=True) -> int:
        xi = self.info[x]
        y = self.tensor(new_shape, xi.dtype, xi.scale, xi.zero_point)
        opt = fb.ReshapeOptionsT()
        opt.newShape = [int(d) for d in new_shape]
        ins = [x]
        if shape_tensor:
            ins.append(self.tensor([len(new_shape)], "int32", data=np.asarray(new_shape, np.int32)))
        self.raw_op(fb.BuiltinOperator.RESHAPE, ins, [y], fb.BuiltinOptions.ReshapeOptions, opt)
        return y

    def softmax(self, x, beta=1.0) -> int:
        xi = self.info[x]
        y = self.tensor(xi.shape, "int8", 1.0 / 256.0, -128)
        opt = fb.SoftmaxOptionsT()
        opt.beta = beta
        self.raw_op(fb.BuiltinOperator.SOFTMAX, [x], [y], fb.BuiltinOptions.SoftmaxOptions, opt)
        return y

    def quantize(self, x, out_scale, out_zero_point) -> int:
        xi = self.info[x]
        y = self.tensor(xi.shape, "int8", out_scale, out_zero_point)
        self.raw_op(fb.BuiltinOperator.QUANTIZE, [x], [y], fb.BuiltinOptions.QuantizeOptions,
                    fb.QuantizeOptionsT())
        return y

    def dequantize(self, x) -> int:
        xi = self.info[x]
        y = self.tensor(xi.shape, "float32")
        self.raw_op(fb.BuiltinOperator.DEQUANTIZE, [x], [y], fb.BuiltinOptions.DequantizeOptions,
                    fb.DequantizeOptionsT())
        return y

    def op(self, builtin, inputs, out_shape, out_dtype="int8", out_scale=None, out_zero_point=None,
           options=None) -> int:
        """Any builtin op with one new output tensor: `options` is the schema's options object
        (e.g. `fb.MulOptionsT()`), its union type taken from the class name."""
        y = self.tensor(out_shape, out_dtype, out_scale, out_zero_point)
        opt_type = 0
        if options is not None:
            opt_type = getattr(fb.BuiltinOptions, type(options).__name__.removesuffix("T"))
        self.raw_op(builtin, inputs, [y], opt_type, options)
        return y

    # ---- serialization -------------------------------------------------------------------
    def model_t(self) -> fb.ModelT:
        m = fb.ModelT()
        m.version = 3
        m.description = self.description
        codes = []
        for c in self.opcodes:
            oc = fb.OperatorCodeT()
            oc.builtinCode = c
            oc.deprecatedBuiltinCode = min(c, 127)
            oc.version = 1
            codes.append(oc)
        m.operatorCodes = codes
        sg = fb.SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = list(self.inputs)
        sg.outputs = list(self.outputs)
        sg.operators = self.ops
        sg.name = "main"
        m.subgraphs = [sg]
        m.buffers = self.buffers
        return m

    def build(self) -> bytes:
        if not self.outputs and self.ops:
            self.outputs = list(self.ops[-1].outputs)
        builder = flatbuffers.Builder(1024)
        builder.Finish(self.model_t().Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


# ---- random parameters --------------------------------------------------------------------
def random_int8(rng, shape, lo=-127, hi=127):
    return rng.integers(lo, hi + 1, size=shape, dtype=np.int64).astype(np.int8)


def heuristic_out_scale(in_scale, w_scale, fan_in, relu=True):
    """An output scale that keeps a random-weight layer's outputs spread over the int8 range.

    Assumes int8 inputs and weights spread roughly uniformly, so the accumulator's standard
    deviation is about sqrt(fan_in) * 55 * 60; three of those map onto the int8 range.
    """
    acc_std = math.sqrt(max(fan_in, 1)) * 55.0 * 60.0
    span = 3.0 * acc_std * in_scale * w_scale
    return _f32(span / (255.0 if relu else 127.0))


class _Synth:
    """Helper that builds the MLPerf-Tiny-shaped stand-ins layer by layer."""

    def __init__(self, seed, name):
        self.rng = np.random.default_rng(seed)
        self.b = ModelBuilder(f"cfu-bench synthetic {name}")

    def scales(self, n):
        return (self.rng.uniform(0.5, 1.5, size=n) * 0.01).astype(np.float32)

    def act_q(self, relu):
        return -128 if relu else int(self.rng.integers(-20, 20))

    def conv(self, x, oc, k, stride, act="RELU"):
        xi = self.b.info[x]
        ic = xi.shape[3]
        w = random_int8(self.rng, (oc, k[0], k[1], ic))
        ws = self.scales(oc)
        relu = act != "NONE"
        out_scale = heuristic_out_scale(xi.scale, float(ws.mean()), k[0] * k[1] * ic, relu)
        bias = self.rng.integers(-2000, 2000, size=oc).astype(np.int32)
        return self.b.conv2d(x, w, bias, ws, out_scale, self.act_q(relu), stride=stride,
                             padding="SAME", activation=act)

    def dw(self, x, k, stride, act="RELU"):
        xi = self.b.info[x]
        c = xi.shape[3]
        w = random_int8(self.rng, (1, k[0], k[1], c))
        ws = self.scales(c)
        relu = act != "NONE"
        out_scale = heuristic_out_scale(xi.scale, float(ws.mean()), k[0] * k[1], relu)
        bias = self.rng.integers(-500, 500, size=c).astype(np.int32)
        return self.b.depthwise_conv2d(x, w, bias, ws, out_scale, self.act_q(relu), stride=stride,
                                       padding="SAME", activation=act)

    def fc(self, x, units, act="NONE", logits=False):
        xi = self.b.info[x]
        depth = xi.shape[-1]
        w = random_int8(self.rng, (units, depth))
        ws = np.float32(0.01)
        if logits:  # weight scale putting the logits' spread near 2, where softmax is informative
            ws = np.float32(2.0 / (math.sqrt(depth) * 55.0 * 60.0 * xi.scale))
        relu = act != "NONE"
        out_scale = heuristic_out_scale(xi.scale, float(ws), depth, relu)
        bias = self.rng.integers(-2000, 2000, size=units).astype(np.int32)
        return self.b.fully_connected(x, w, bias, ws, out_scale, self.act_q(relu), activation=act)

    def head(self, x, pool, units):
        c = self.b.info[x].shape[3]
        x = self.b.average_pool2d(x, pool, pool, "VALID")
        x = self.b.reshape(x, [1, c])
        x = self.fc(x, units, logits=True)
        return self.b.softmax(x)


def synthetic_model(name: str, seed: int = 0) -> bytes:
    """Random-weight models with the exact op structure of the MLPerf Tiny references."""
    s = _Synth(seed, name)
    b = s.b
    if name == "kws":
        x = b.input([1, 49, 10, 1], scale=0.1, zero_point=int(s.rng.integers(-10, 10)))
        x = s.conv(x, 64, (10, 4), (2, 2))
        for _ in range(4):
            x = s.dw(x, (3, 3), (1, 1))
            x = s.conv(x, 64, (1, 1), (1, 1))
        y = s.head(x, (25, 5), 12)
    elif name == "vww":
        x = b.input([1, 96, 96, 3], scale=0.02, zero_point=-1)
        x = s.conv(x, 8, (3, 3), (2, 2))
        plan = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1),
                (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]
        for oc, st in plan:
            x = s.dw(x, (3, 3), (st, st))
            x = s.conv(x, oc, (1, 1), (1, 1))
        y = s.head(x, (3, 3), 2)
    elif name == "ic":
        x = b.input([1, 32, 32, 3], scale=0.02, zero_point=-3)
        x = s.conv(x, 16, (3, 3), (1, 1))
        y1 = s.conv(x, 16, (3, 3), (1, 1))
        y1 = s.conv(y1, 16, (3, 3), (1, 1), act="NONE")
        x = _synth_add(s, x, y1)
        for oc in (32, 64):
            y1 = s.conv(x, oc, (3, 3), (2, 2))
            y1 = s.conv(y1, oc, (3, 3), (1, 1), act="NONE")
            proj = s.conv(x, oc, (1, 1), (2, 2), act="NONE")
            x = _synth_add(s, proj, y1)
        y = s.head(x, (8, 8), 10)
    elif name == "ad":
        x = b.input([1, 640], scale=0.05, zero_point=3)
        for units in (128, 128, 128, 128, 8, 128, 128, 128, 128):
            x = s.fc(x, units, act="RELU")
        y = s.fc(x, 640, act="NONE")
    else:
        raise ValueError(f"unknown synthetic model {name!r}")
    b.output(y)
    return b.build()


def _synth_add(s: _Synth, a, c):
    sa, sc = s.b.info[a].scale, s.b.info[c].scale
    out_scale = _f32(1.2 * max(sa, sc) * 255.0 / 255.0 * 1.5)
    return s.b.add(a, c, out_scale, -128, activation="RELU")
