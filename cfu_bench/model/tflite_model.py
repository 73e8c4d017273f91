"""A strict, pure-Python reader of .tflite files.

The flatbuffers runtime trusts its input: a bad offset in a corrupt file surfaces as an
IndexError, a struct.error, a nonsense value or a multi-gigabyte loop. Users hand this tool
arbitrary files, so every read here is bounds-checked and every cross-reference (tensor,
buffer and opcode indices, quantization sizes, buffer sizes) is validated; anything wrong
becomes one UserError line naming the file and the first problem found.

Only the enum *names* come from the schema module shipped with tflite-micro, so new ops
and types are named without this file knowing them.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as _schema

from ..errors import UserError

FILE_IDENTIFIER = b"TFL3"
SCHEMA_VERSION = 3


def _enum_names(enum_class) -> dict[int, str]:
    return {v: k for k, v in vars(enum_class).items()
            if not k.startswith("_") and isinstance(v, int)}


OPCODE_NAMES = _enum_names(_schema.BuiltinOperator)
TYPE_NAMES = _enum_names(_schema.TensorType)
ACTIVATION_NAMES = _enum_names(_schema.ActivationFunctionType)
PADDING_NAMES = _enum_names(_schema.Padding)
OPTIONS_NAMES = _enum_names(_schema.BuiltinOptions)

# Element sizes of the types whose buffers must hold exactly prod(shape) elements.
# Packed (INT4, INT2), variable-length (STRING) and exotic types are not size-checked.
ITEM_SIZES = {"FLOAT32": 4, "FLOAT16": 2, "FLOAT64": 8, "INT32": 4, "UINT8": 1, "INT64": 8,
              "BOOL": 1, "INT16": 2, "COMPLEX64": 8, "INT8": 1, "UINT64": 8, "UINT32": 4,
              "UINT16": 2, "COMPLEX128": 16, "BFLOAT16": 2}
NUMPY_TYPES = {"FLOAT32": np.float32, "FLOAT16": np.float16, "FLOAT64": np.float64,
               "INT32": np.int32, "UINT8": np.uint8, "INT64": np.int64, "BOOL": np.bool_,
               "INT16": np.int16, "INT8": np.int8, "UINT64": np.uint64, "UINT32": np.uint32,
               "UINT16": np.uint16}


class _Malformed(Exception):
    """Internal: carries the reason up to parse(), which adds the file name."""


# --- bounds-checked flatbuffer access -------------------------------------------------------

class _Buffer:
    def __init__(self, data: bytes):
        self.data = data
        self.size = len(data)

    def need(self, pos: int, n: int, what: str) -> None:
        if 0 <= pos <= self.size and 0 <= n and pos + n <= self.size:
            return
        if 0 <= pos < self.size:
            raise _Malformed(f"truncated or corrupt: {what} at byte {pos} needs {n} bytes "
                             f"but the file ends at byte {self.size}")
        raise _Malformed(f"truncated or corrupt: {what} at byte {pos} lies outside the file "
                         f"({self.size} bytes)")

    def read(self, fmt: str, pos: int, what: str):
        self.need(pos, struct.calcsize(fmt), what)
        return struct.unpack_from("<" + fmt, self.data, pos)[0]

    def table(self, pos: int, what: str) -> _Table:
        vtable = pos - self.read("i", pos, what)
        vt_len = self.read("H", vtable, f"{what} vtable")
        obj_len = self.read("H", vtable + 2, f"{what} vtable")
        if vt_len < 4 or vt_len % 2:
            raise _Malformed(f"bad {what} vtable at byte {vtable} (length {vt_len})")
        self.need(vtable, vt_len, f"{what} vtable")
        self.need(pos, obj_len, what)
        return _Table(self, pos, vtable, vt_len, obj_len, what)


class _Table:
    def __init__(self, buf: _Buffer, pos: int, vtable: int, vt_len: int, obj_len: int, what: str):
        self.buf, self.pos, self.vtable = buf, pos, vtable
        self.vt_len, self.obj_len, self.what = vt_len, obj_len, what

    def _field(self, slot: int) -> int | None:
        voff = 4 + 2 * slot
        if voff + 2 > self.vt_len:
            return None
        off = self.buf.read("H", self.vtable + voff, f"{self.what} vtable")
        if off == 0:
            return None
        if off >= self.obj_len:
            raise _Malformed(f"bad {self.what} at byte {self.pos}: field {slot} lies outside it")
        return self.pos + off

    def scalar(self, slot: int, fmt: str, default):
        p = self._field(slot)
        return default if p is None else self.buf.read(fmt, p, f"{self.what} field {slot}")

    def _target(self, slot: int, what: str) -> int | None:
        p = self._field(slot)
        return None if p is None else p + self.buf.read("I", p, what)

    def table(self, slot: int, what: str) -> _Table | None:
        p = self._target(slot, what)
        return None if p is None else self.buf.table(p, what)

    def vector_span(self, slot: int, elem_size: int, what: str) -> tuple[int, int] | None:
        """(first byte, element count) of a vector field, bounds-checked."""
        start = self._target(slot, what)
        if start is None:
            return None
        n = self.buf.read("I", start, f"{what} length")
        self.buf.need(start + 4, n * elem_size, what)
        return start + 4, n

    def array(self, slot: int, dtype, what: str) -> np.ndarray | None:
        dt = np.dtype(dtype).newbyteorder("<")
        v = self.vector_span(slot, dt.itemsize, what)
        if v is None:
            return None
        return np.frombuffer(self.buf.data, dt, v[1], v[0]).astype(dt.newbyteorder("="))

    def raw(self, slot: int, what: str) -> bytes | None:
        v = self.vector_span(slot, 1, what)
        return None if v is None else self.buf.data[v[0]:v[0] + v[1]]

    def string(self, slot: int, what: str) -> str | None:
        b = self.raw(slot, what)
        return None if b is None else b.decode("utf-8", errors="replace")

    def tables(self, slot: int, what: str) -> list[_Table]:
        v = self.vector_span(slot, 4, what)
        if v is None:
            return []
        start, n = v
        out = []
        for i in range(n):
            p = start + 4 * i
            out.append(self.buf.table(p + self.buf.read("I", p, what), f"{what}[{i}]"))
        return out


# --- the model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quantization:
    scale: np.ndarray          # float32, one per tensor or one per channel
    zero_point: np.ndarray     # int64, same length as scale
    quantized_dimension: int

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1


@dataclass(frozen=True)
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str                          # schema name: "INT8", "INT32", "FLOAT32", ...
    buffer: int
    data: bytes | None                  # constant contents, None for activations
    quantization: Quantization | None
    is_variable: bool = False
    data_offset: int | None = None      # where `data` starts in the file (alignment checks)

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * ITEM_SIZES.get(self.dtype, 1)

    def numpy(self) -> np.ndarray:
        """The constant contents, shaped; raises UserError for activations or odd types."""
        if self.data is None:
            raise UserError(f"tensor {self.index} ({self.name}) has no constant data")
        if self.dtype not in NUMPY_TYPES:
            raise UserError(f"tensor {self.index} ({self.name}): cannot view {self.dtype} data")
        return np.frombuffer(self.data, np.dtype(NUMPY_TYPES[self.dtype]).newbyteorder("<")
                             ).reshape(self.shape)


@dataclass(frozen=True)
class Operator:
    index: int
    opcode: str                         # "CONV_2D", "DEPTHWISE_CONV_2D", ... or "CUSTOM:name"
    version: int
    inputs: tuple[int, ...]             # tensor indices; -1 marks an omitted optional input
    outputs: tuple[int, ...]
    options: dict = field(default_factory=dict)   # normalized: see _OPTION_FIELDS


@dataclass(frozen=True)
class Subgraph:
    name: str
    tensors: tuple[Tensor, ...]
    operators: tuple[Operator, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]


@dataclass(frozen=True)
class TfliteModel:
    source: str
    size: int
    version: int
    description: str
    subgraphs: tuple[Subgraph, ...]

    @property
    def main(self) -> Subgraph:
        return self.subgraphs[0]


# Builtin options decoded for the ops that have a geometry or a fused activation:
# (key, field slot in the schema table, struct format, default). Keys are shared across ops
# so callers can ask for "stride_h" without knowing which options table holds it.
_CONV = (("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
         ("fused_activation", 3, "b", 0), ("dilation_w", 4, "i", 1), ("dilation_h", 5, "i", 1))
_OPTION_FIELDS = {
    "Conv2DOptions": _CONV,
    "DepthwiseConv2DOptions": (
        ("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
        ("depth_multiplier", 3, "i", 0), ("fused_activation", 4, "b", 0),
        ("dilation_w", 5, "i", 1), ("dilation_h", 6, "i", 1)),
    "Pool2DOptions": (
        ("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
        ("filter_w", 3, "i", 0), ("filter_h", 4, "i", 0), ("fused_activation", 5, "b", 0)),
    "FullyConnectedOptions": (
        ("fused_activation", 0, "b", 0), ("weights_format", 1, "b", 0),
        ("keep_num_dims", 2, "?", False)),
    "TransposeConvOptions": (
        ("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
        ("fused_activation", 3, "b", 0)),
    "AddOptions": (("fused_activation", 0, "b", 0),),
    "SubOptions": (("fused_activation", 0, "b", 0),),
    "MulOptions": (("fused_activation", 0, "b", 0),),
    "DivOptions": (("fused_activation", 0, "b", 0),),
    "ConcatenationOptions": (("axis", 0, "i", 0), ("fused_activation", 1, "b", 0)),
    "SoftmaxOptions": (("beta", 0, "f", 0.0),),
}
_ENUM_KEYS = {"padding": PADDING_NAMES, "fused_activation": ACTIVATION_NAMES}


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _schema_options(kind: str, table: _Table) -> dict:
    """Every field of an options table the keys above do not cover, read by the official
    schema bindings (snake_case names: begin_mask, num_splits, shared_name, ...). The table's
    position and vtable are already bounds-checked; anything the bindings trip over inside it
    is a malformed file."""
    cls, obj_cls = getattr(_schema, kind, None), getattr(_schema, kind + "T", None)
    if cls is None or obj_cls is None:
        return {}
    try:
        view = cls()
        view.Init(table.buf.data, table.pos)
        obj = obj_cls.InitFromObj(view)
    except (IndexError, struct.error, ValueError, TypeError, UnicodeDecodeError, OverflowError) as e:
        raise _Malformed(f"{table.what}: unreadable {kind} ({type(e).__name__})") from None
    out = {}
    for name, value in vars(obj).items():
        if isinstance(value, np.ndarray):
            value = tuple(value.tolist())
        elif isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        elif not isinstance(value, (int, float, bool, str)) and value is not None:
            continue  # nested tables: not needed by any op here
        out[_snake(name)] = value
    return out


def _decode_options(kind: str | None, table: _Table | None) -> dict:
    if table is None or kind is None:
        return {}
    opts: dict = {}
    for key, slot, fmt, default in _OPTION_FIELDS.get(kind, ()):
        value = table.scalar(slot, fmt, default)
        if key in _ENUM_KEYS:
            if value not in _ENUM_KEYS[key]:
                raise _Malformed(f"{table.what}: unknown {key} value {value}")
            value = _ENUM_KEYS[key][value]
        opts[key] = value
    if kind == "ReshapeOptions":
        shape = table.array(0, np.int32, f"{table.what} new_shape")
        if shape is not None:
            opts["new_shape"] = tuple(int(d) for d in shape)
    if kind not in _OPTION_FIELDS and kind != "ReshapeOptions":
        opts.update(_schema_options(kind, table))
    return opts


def _opcode_name(t: _Table, i: int) -> str:
    # Codes above 127 live only in the int32 field; older files fill only the int8 one. As in
    # TFLM, a code no operator uses may be anything (duplicates and unknown codes are
    # ordinary): an unknown one is named here and refused only where an op runs it.
    code = max(t.scalar(0, "b", 0), t.scalar(3, "i", 0))
    name = OPCODE_NAMES.get(code, f"BUILTIN_{code}")
    if name == "CUSTOM":
        return "CUSTOM:" + (t.string(1, f"operator code {i} custom name") or "")
    return name


def _buffers(buf: _Buffer, root: _Table) -> list[tuple[bytes, int] | None]:
    out = []
    for i, b in enumerate(root.tables(4, "buffers")):
        where = b.vector_span(0, 1, f"buffer {i} data")
        offset, size = b.scalar(1, "Q", 0), b.scalar(2, "Q", 0)
        if offset > 1:
            # Models over 2 GB keep buffers after the flatbuffer, addressed from file start.
            buf.need(offset, size, f"buffer {i} (external data)")
            where = (offset, size)
        ok = where is not None and where[1] > 0
        out.append((buf.data[where[0]:where[0] + where[1]], where[0]) if ok else None)
    return out


def _quantization(t: _Table | None, what: str) -> Quantization | None:
    """TFLM's reading (micro_allocator.cc): quantization exists only when both scale and
    zero_point are non-empty; a zero_point list of another length than scale means zero_point[0]
    for every channel; quantized_dimension is copied unchecked (the ops that use it check it,
    and nothing checks a bias's)."""
    if t is None:
        return None
    scale = t.array(2, np.float32, f"{what} scale")
    zero_point = t.array(3, np.int64, f"{what} zero_point")
    if scale is None or len(scale) == 0 or zero_point is None or len(zero_point) == 0:
        return None
    if len(zero_point) != len(scale):
        zero_point = np.full(len(scale), zero_point[0], np.int64)
    return Quantization(scale, zero_point, t.scalar(6, "i", 0))


def _tensor(t: _Table, index: int, buffers: list, what: str) -> Tensor:
    shape_arr = t.array(0, np.int32, f"{what} shape")
    shape = () if shape_arr is None else tuple(int(d) for d in shape_arr)
    if any(d < 0 for d in shape):
        raise _Malformed(f"{what}: negative dimension in shape {list(shape)}")
    type_code = t.scalar(1, "b", 0)
    if type_code not in TYPE_NAMES:
        raise _Malformed(f"{what}: unknown tensor type {type_code}")
    dtype = TYPE_NAMES[type_code]
    buffer = t.scalar(2, "I", 0)
    if buffer >= len(buffers):
        raise _Malformed(f"{what}: buffer index {buffer} but the model has {len(buffers)} buffers")
    data, data_offset = buffers[buffer] or (None, None)
    if data is not None and dtype in ITEM_SIZES:
        expected = int(np.prod(shape, dtype=np.int64)) * ITEM_SIZES[dtype]
        if len(data) != expected:
            raise _Malformed(f"{what}: shape {list(shape)} of {dtype} needs {expected} bytes "
                             f"but its buffer holds {len(data)}")
    name = t.string(3, f"{what} name") or ""
    quant = _quantization(t.table(4, f"{what} quantization"), what)
    return Tensor(index, name, shape, dtype, buffer, data, quant, bool(t.scalar(5, "?", False)),
                  data_offset)


def _indices(arr: np.ndarray | None, n: int, what: str, allow_omitted: bool) -> tuple[int, ...]:
    out = () if arr is None else tuple(int(i) for i in arr)
    low = -1 if allow_omitted else 0
    for i in out:
        if not low <= i < n:
            raise _Malformed(f"{what} refers to tensor {i} but the subgraph has {n} tensors")
    return out


def _subgraph(t: _Table, g: int, buffers: list, opcodes: list) -> Subgraph:
    tensors = tuple(_tensor(tt, i, buffers, f"subgraph {g} tensor {i}")
                    for i, tt in enumerate(t.tables(0, f"subgraph {g} tensors")))
    n = len(tensors)
    ops = []
    for i, ot in enumerate(t.tables(3, f"subgraph {g} operators")):
        what = f"subgraph {g} operator {i}"
        code = ot.scalar(0, "I", 0)
        if code >= len(opcodes):
            raise _Malformed(f"{what}: opcode index {code} but the model has {len(opcodes)}")
        kind = OPTIONS_NAMES.get(ot.scalar(3, "B", 0))
        options = _decode_options(kind, ot.table(4, f"{what} options"))
        ops.append(Operator(
            i, opcodes[code][0], opcodes[code][1],
            _indices(ot.array(1, np.int32, f"{what} inputs"), n, f"{what} input", True),
            _indices(ot.array(2, np.int32, f"{what} outputs"), n, f"{what} output", False),
            options))
    return Subgraph(
        t.string(4, f"subgraph {g} name") or "", tensors, tuple(ops),
        _indices(t.array(1, np.int32, f"subgraph {g} inputs"), n, f"subgraph {g} input", False),
        _indices(t.array(2, np.int32, f"subgraph {g} outputs"), n, f"subgraph {g} output", False))


def _parse(data: bytes, source: str) -> TfliteModel:
    buf = _Buffer(data)
    if buf.size < 8:
        raise _Malformed(f"only {buf.size} bytes long")
    if data[4:8] != FILE_IDENTIFIER:
        raise _Malformed(f"file identifier is {data[4:8]!r}, expected {FILE_IDENTIFIER!r}")
    root = buf.table(buf.read("I", 0, "root offset"), "model")
    version = root.scalar(0, "I", 0)
    if version != SCHEMA_VERSION:
        raise _Malformed(f"schema version {version}, expected {SCHEMA_VERSION}")
    opcodes = [(_opcode_name(t, i), t.scalar(2, "i", 1))
               for i, t in enumerate(root.tables(1, "operator codes"))]
    buffers = _buffers(buf, root)
    subgraphs = tuple(_subgraph(t, g, buffers, opcodes)
                      for g, t in enumerate(root.tables(2, "subgraphs")))
    if not subgraphs:
        raise _Malformed("no subgraphs")
    return TfliteModel(source, buf.size, version, root.string(3, "description") or "", subgraphs)


def parse(data: bytes, source: str = "<bytes>") -> TfliteModel:
    """Reads a .tflite held in memory; any defect raises UserError naming `source`."""
    try:
        return _parse(bytes(data), source)
    except _Malformed as e:
        raise UserError(f"{source}: not a valid .tflite file ({e})") from None


def load(path: str | Path) -> TfliteModel:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{p}: is a directory, not a .tflite file") from None
    except OSError as e:
        raise UserError(f"{p}: cannot read ({e.strerror or e})") from None
    return parse(data, str(p))
