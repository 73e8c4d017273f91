"""When a layer differs from TFLM: which elements, by how much.

The CRCs of a profile run say which layer of which input differs. `diagnose` runs that one
input again with the firmware dumping the first differing layer's output (CFUB DUMP lines),
and compares it element by element with TFLM's tensor.
"""
from pathlib import Path

import numpy as np

from ..model import golden
from ..run import protocol
from ..errors import SimulationError
from ..build.ram_image import DataBlock

ELEMENTS_SHOWN = 8


def element_diff(expected: np.ndarray, actual: np.ndarray, shown: int = ELEMENTS_SHOWN) -> dict:
    """Differing elements of two tensors of one shape: their count, the first `shown` in
    row-major (NHWC) order as {"index", "expected", "got"}, and the largest |expected - got|."""
    if expected.shape != actual.shape:
        raise ValueError(f"shapes differ: {expected.shape} vs {actual.shape}")
    wide_e, wide_a = expected.astype(np.int64), actual.astype(np.int64)
    where = np.argwhere(wide_e != wide_a)
    first = [{"index": [int(i) for i in idx], "expected": int(wide_e[tuple(idx)]),
              "got": int(wide_a[tuple(idx)])} for idx in where[:shown]]
    return {"count": int(len(where)), "elements": int(expected.size), "first": first,
            "max_abs_diff": int(np.abs(wide_e - wide_a).max()) if len(where) else 0}


def diagnose(prepared, model_bytes: bytes, samples: list, input_blobs: list[bytes],
             mismatch: dict, cycle_limit: int, dump_dir: Path | None = None) -> dict:
    """The element diff of `mismatch` (a ProfileResult.mismatches entry: input, layer) from a
    dump run on `prepared`; with dump_dir, expected and actual tensors as .npy there too."""
    k, layer = mismatch["input"], mismatch["layer"]
    block = DataBlock(model=model_bytes, inputs=[input_blobs[k]], dump_layer=layer)
    out = prepared.run(block, cycle_limit=cycle_limit)
    protocol.parse(out.text).raise_for_error()
    dumped = protocol.dumps(out.text).get((0, layer))
    if dumped is None:
        raise SimulationError(f"the firmware printed no dump of layer {layer}")
    want = golden.golden(model_bytes, [samples[k]])[0][layer]
    desc = golden.describe(model_bytes)
    if len(dumped) != len(want.data):
        raise SimulationError(f"layer {layer}: the firmware's output has {len(dumped)} bytes, "
                              f"TFLM's {len(want.data)}")
    # an op with several outputs dumps them back to back: report the first that differs
    which, pos = 0, 0
    for j, part in enumerate(want.parts):
        if dumped[pos:pos + len(part)] != part:
            which = j
            break
        pos += len(part)
    else:
        pos = 0
    tensor = desc.tensors[want.tensors[which]]
    part = want.parts[which]
    expected = np.frombuffer(part, dtype=tensor.dtype).reshape(tensor.shape)
    actual = np.frombuffer(dumped[pos:pos + len(part)], dtype=tensor.dtype).reshape(tensor.shape)
    diff = element_diff(expected, actual)
    result = {"input": k, "layer": layer, "op": mismatch["op"], "shape": list(tensor.shape),
              **diff}
    if len(want.parts) > 1:
        result["output"] = which
    if diff["count"] == 0:
        # The CRC differed in the profile run but not now: the CFU is not deterministic.
        result["note"] = "the dump run matched TFLM: the layer's output changes between runs"
    if dump_dir is not None:
        dump_dir = Path(dump_dir)
        dump_dir.mkdir(parents=True, exist_ok=True)
        stem = f"input{k}_layer{layer}"
        np.save(dump_dir / f"{stem}_expected.npy", expected)
        np.save(dump_dir / f"{stem}_actual.npy", actual)
        result["dump"] = {"expected": str(dump_dir / f"{stem}_expected.npy"),
                          "actual": str(dump_dir / f"{stem}_actual.npy")}
    return result


def format_first_mismatch(m: dict) -> str:
    lines = [f"first mismatch: input {m['input']}, layer {m['layer']} {m['op']} "
             f"{'x'.join(map(str, m['shape']))}: {m['count']:,} of {m['elements']:,} elements "
             f"differ, max |diff| {m['max_abs_diff']}"]
    cells = [f"[{','.join(map(str, e['index']))}]" for e in m["first"]]
    width = max(map(len, cells), default=0)
    for cell, e in zip(cells, m["first"]):
        lines.append(f"  {cell:<{width}}  expected {e['expected']:4d}  got {e['got']:4d}")
    if m.get("note"):
        lines.append(f"  {m['note']}")
    if m.get("dump"):
        lines.append(f"  tensors: {m['dump']['expected']}, {m['dump']['actual']}")
    return "\n".join(lines)
