"""Comparing the host runtime with TFLM, op by op."""
from __future__ import annotations

import numpy as np

from cfu_bench.model import golden


def compare(hrt, model: bytes, samples, context: str = "", stream: bool = False) -> list[str]:
    """Run both; return human-readable problems (empty when every op of every sample matches).
    stream: the samples as one stream, state carried between them on both sides."""
    gold = golden.golden(model, samples, stream=stream)
    run = hrt.run(model, samples, stream=stream)
    if run.rc != 0:
        return [f"{context}: runtime refused a model TFLM runs: {run.report.error}"]
    problems = []
    if not run.report.complete:
        problems.append(f"{context}: incomplete transcript: {run.report.problems}")
    for k, (ours, want) in enumerate(zip(run.outputs, gold)):
        if len(ours) != len(want):
            problems.append(f"{context}: sample {k}: {len(ours)} op outputs, TFLM has {len(want)}")
            continue
        for o, g in zip(ours, want):
            if o.data != g.data:
                a = np.frombuffer(o.data, np.uint8)
                b = np.frombuffer(g.data, np.uint8)
                n = int((a != b).sum()) if a.size == b.size else -1
                which = [j for j, (x, y) in enumerate(zip(o.parts or [o.data], g.parts)) if x != y]
                problems.append(f"{context}: sample {k} op {o.index} {o.op}: {n} bytes differ"
                                + (f" (outputs {which} of {len(g.parts)})" if len(g.parts) > 1 else ""))
            elif o.crc != g.crc:
                problems.append(f"{context}: sample {k} op {o.index}: transcript CRC differs from data")
    return problems


def edit_tflite(data: bytes, fn) -> bytes:
    """`data` re-serialized after fn(model) edits the schema's object tree (ModelT) in place,
    with constant buffers kept 16-byte aligned as the converter writes them."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    from benchmarks.models.tflite_edit import _aligned

    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    fn(model)
    model.buffers = [_aligned(b) for b in model.buffers]
    builder = flatbuffers.Builder(len(data) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
