"""Golden per-op outputs from TFLM (the tflite-micro Python package), the reference for every
bit-exactness check in cfu-bench.

    ops = model_ops(model_bytes)                    # what each operator is, in run order
    samples = random_inputs(model_bytes, 100, seed=1)
    gold = golden(model_bytes, samples)             # gold[k][i]: op i's output for sample k
    gold[0][3].crc                                  # == the firmware's CFUB OP crc for op 3

A sample is a list with one numpy array per model input; `sample_bytes(sample)` gives the
bytes the firmware expects (inputs back to back, in model input order).
"""
from __future__ import annotations

import contextlib
import os
import zlib
from dataclasses import dataclass

import numpy as np

from . import tflite_model
from ..errors import UserError


@dataclass(frozen=True)
class TensorDesc:
    index: int
    name: str
    shape: tuple[int, ...]
    type: str
    scale: float | None
    zero_point: int | None

    @property
    def dtype(self):
        if self.type not in tflite_model.NUMPY_TYPES:
            raise UserError(f"tensor {self.index} ({self.name}): no numpy type for {self.type}")
        return tflite_model.NUMPY_TYPES[self.type]


@dataclass(frozen=True)
class OpDesc:
    index: int
    op: str
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]


@dataclass(frozen=True)
class ModelDesc:
    ops: list[OpDesc]
    tensors: list[TensorDesc]
    inputs: list[int]
    outputs: list[int]


@dataclass
class OpOutput:
    """One op's output for one sample. `data` is all its outputs' bytes concatenated in output
    order (what the firmware's CRC covers); `tensor` is the first output, `tensors` and `parts`
    each output and its bytes (one entry for all but SPLIT, UNPACK and the like)."""
    index: int
    op: str
    tensor: int
    data: bytes
    tensors: tuple[int, ...] = ()
    parts: tuple[bytes, ...] = ()

    def __post_init__(self):
        if not self.tensors:
            self.tensors = (self.tensor,)
        if not self.parts:
            self.parts = (self.data,)

    @property
    def crc(self) -> int:
        return zlib.crc32(self.data) & 0xFFFFFFFF


def describe(model_bytes: bytes) -> ModelDesc:
    """Operators and tensors of subgraph 0, from the project's bounds-checked reader
    (raises UserError if the model is unreadable)."""
    g = tflite_model.parse(bytes(model_bytes), "model").main
    tensors = []
    for t in g.tensors:
        q = t.quantization
        scale = float(q.scale[0]) if q is not None and len(q.scale) else None
        zp = (int(q.zero_point[0]) if len(q.zero_point) else 0) if scale is not None else None
        tensors.append(TensorDesc(t.index, t.name or f"t{t.index}", tuple(t.shape), t.dtype,
                                  scale, zp))
    ops = [OpDesc(o.index, o.opcode, tuple(o.inputs), tuple(o.outputs)) for o in g.operators]
    return ModelDesc(ops, tensors, list(g.inputs), list(g.outputs))


def model_ops(model_bytes: bytes) -> list[OpDesc]:
    return describe(model_bytes).ops


def random_inputs(model_bytes: bytes, n: int, seed: int = 0) -> list[list[np.ndarray]]:
    """n seeded random samples covering each input type's full range (floats in [-4, 4))."""
    desc = describe(model_bytes)
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(n):
        sample = []
        for ti in desc.inputs:
            t = desc.tensors[ti]
            if t.type == "FLOAT32":
                sample.append(rng.uniform(-4, 4, size=t.shape).astype(np.float32))
            else:
                info = np.iinfo(t.dtype)
                sample.append(rng.integers(info.min, int(info.max) + 1, size=t.shape, dtype=np.int64)
                              .astype(t.dtype))
        samples.append(sample)
    return samples


def sample_bytes(sample) -> bytes:
    if isinstance(sample, (bytes, bytearray)):
        return bytes(sample)
    if isinstance(sample, np.ndarray):
        return sample.tobytes()
    return b"".join(np.ascontiguousarray(a).tobytes() for a in sample)


def _from_bytes(model_bytes: bytes, desc: ModelDesc, data: bytes) -> list[np.ndarray]:
    out, pos = [], 0
    for ti in desc.inputs:
        t = desc.tensors[ti]
        size = int(np.prod(t.shape)) * np.dtype(t.dtype).itemsize
        out.append(np.frombuffer(data[pos:pos + size], dtype=t.dtype).reshape(t.shape))
        pos += size
    return out


@contextlib.contextmanager
def _quiet_stderr():
    """TFLM prints allocation failures straight to fd 2; keep probing runs silent."""
    fd = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(fd, 2)
        os.close(fd)


def _arena_for(model_bytes: bytes) -> int:
    """An arena TFLM surely fits into, even with every intermediate tensor preserved (nothing
    shared): all non-constant tensors of every subgraph, 16-aligned, plus TFLM's bookkeeping
    per tensor and op (TfLiteEvalTensor, node data, quantization copies, scratch) with slack."""
    m = tflite_model.parse(bytes(model_bytes), "model")
    tensors = sum((t.nbytes + 15) // 16 * 16 + 256 + 16 * (len(t.quantization.scale) if t.quantization else 0)
                  for g in m.subgraphs for t in g.tensors if not t.is_constant)
    ops = sum(len(g.operators) for g in m.subgraphs)
    return max(4 << 20, 2 * tensors + 4096 * ops + (1 << 20))


def _new_interpreter(model_bytes: bytes, preserve: bool, arena_size: int):
    from tflite_micro.python.tflite_micro import runtime
    cfg = (runtime.InterpreterConfig.kPreserveAllTensors if preserve
           else runtime.InterpreterConfig.kAllocationRecording)
    return runtime.Interpreter.from_bytes(bytes(model_bytes), arena_size=arena_size, intrepreter_config=cfg)


def interpreter(model_bytes: bytes, preserve: bool = True, arena_size: int | None = None):
    """A TFLM interpreter of the model. Without arena_size, an arena sized from the model's
    tensors, retried once much larger when allocation fails, so a RuntimeError here means TFLM
    itself refuses the model, not that our guess was small."""
    if arena_size:
        return _new_interpreter(model_bytes, preserve, arena_size)
    size = _arena_for(model_bytes)
    try:
        with _quiet_stderr():
            return _new_interpreter(model_bytes, preserve, size)
    except RuntimeError:
        return _new_interpreter(model_bytes, preserve, 4 * size + (64 << 20))


# TFLM's SOFTMAX prepare computes beta * input_scale * 2^(31 - 5) and hands it to
# QuantizeMultiplierGreaterThanOne, which aborts the whole process when it is not above 1.
_SOFTMAX_MIN_PRODUCT = 2.0 ** -(31 - 5)


def refusal(model_bytes: bytes) -> str | None:
    """Why TFLM would abort (not fail politely) on this model, or None. Checked before the
    interpreter exists, so a bad model is an error message instead of a dead process."""
    g = tflite_model.parse(bytes(model_bytes), "model").main
    for op in g.operators:
        if op.opcode.startswith("CUSTOM"):
            # The tflite-micro package's interpreter has no resolver hook for custom ops: it
            # dereferences the missing registration and the process dies (segfault).
            return (f"op {op.index} {op.opcode}: custom ops are not supported (TFLM's Python "
                    f"interpreter cannot register them; the runtime runs builtin ops only)")
        if op.opcode == "SOFTMAX" and op.inputs:
            q = g.tensors[op.inputs[0]].quantization
            beta = float(op.options.get("beta", 0.0))
            if q is not None and len(q.scale) and not beta * float(q.scale[0]) > _SOFTMAX_MIN_PRODUCT:
                return (f"op {op.index} SOFTMAX: beta x input scale = {beta * float(q.scale[0]):.3g} is too "
                        f"small for int8 softmax (TFLM needs more than 2^-26)")
    return None


def _stateful(model_bytes: bytes) -> bool:
    """Whether an invoke can change what the next one computes: variable tensors (SVDF, LSTM
    state) or resource variables (several subgraphs, VAR_HANDLE / ASSIGN_VARIABLE)."""
    m = tflite_model.parse(bytes(model_bytes), "model")
    return len(m.subgraphs) > 1 or any(t.is_variable for g in m.subgraphs for t in g.tensors) or any(
        op.opcode in ("VAR_HANDLE", "ASSIGN_VARIABLE", "CALL_ONCE") for g in m.subgraphs for op in g.operators)


def golden(model_bytes: bytes, samples, stream: bool = False) -> list[list[OpOutput]]:
    """TFLM's output of every operator, for every sample: result[k][op_index]. Each sample
    starts from the state right after loading, unless `stream` carries the state (variable
    tensors, resource variables) from one sample to the next."""
    desc = describe(model_bytes)
    reason = refusal(model_bytes)
    if reason:
        raise UserError(f"TFLM cannot run this model: {reason}")
    try:
        interp = interpreter(model_bytes)
    except RuntimeError as e:
        raise UserError(f"TFLM refused the model: {e}") from None
    fresh = not stream and _stateful(model_bytes)
    results = []
    for k, sample in enumerate(samples):
        if fresh and k > 0:
            # every sample from the state right after loading, as the firmware runs each input
            # (the SoC from its post-setup snapshot, cfub_run after cfub_reset). A new
            # interpreter is that state exactly; TFLM's reset() zeroes resource variables
            # without running CALL_ONCE's initialisation again.
            interp = interpreter(model_bytes)
        arrays = _from_bytes(model_bytes, desc, sample) if isinstance(sample, (bytes, bytearray)) else sample
        if isinstance(arrays, np.ndarray):
            arrays = [arrays]
        for i, a in enumerate(arrays):
            interp.set_input(np.asarray(a), i)
        interp.invoke()
        per_op = []
        for op in desc.ops:
            # a resource handle (VAR_HANDLE's output) is an id, not data: outside the CRC
            outs = tuple(t for t in op.outputs if desc.tensors[t].type != "RESOURCE")
            parts = tuple(np.ascontiguousarray(interp.GetTensor(t, 0)["tensor_data"]).tobytes() for t in outs)
            per_op.append(OpOutput(op.index, op.op, outs[0] if outs else -1, b"".join(parts), outs or (-1,),
                                   parts or (b"",)))
        results.append(per_op)
    return results


def golden_crcs(model_bytes: bytes, samples) -> list[list[int]]:
    return [[o.crc for o in per_op] for per_op in golden(model_bytes, samples)]


def tflm_arena_bytes(model_bytes: bytes, hi: int | None = None) -> int:
    """The smallest arena (bytes, to 16) with which TFLM can allocate and run the model.

    This is TFLM's whole arena: its own bookkeeping plus the planned activations, found by
    bisection because the Python package does not report it directly.
    """
    desc = describe(model_bytes)
    hi = hi or _arena_for(model_bytes)
    zero = [np.zeros(desc.tensors[t].shape, desc.tensors[t].dtype) for t in desc.inputs]

    def fits(n):
        try:
            with _quiet_stderr():
                it = interpreter(model_bytes, preserve=False, arena_size=n)
                for i, a in enumerate(zero):
                    it.set_input(a, i)
                it.invoke()
            return True
        except RuntimeError:
            return False

    if not fits(hi):
        raise UserError("TFLM cannot run the model even with a large arena")
    lo = 0
    while hi - lo > 16:
        mid = (lo + hi) // 2 // 16 * 16
        if mid <= lo:
            break
        if fits(mid):
            hi = mid
        else:
            lo = mid
    return hi
