"""Running a zoo model in TFLM itself (the tflite-micro interpreter), without the project's
reader: the zoo is made of what TFLM runs, whether or not our runtime runs it yet."""
from __future__ import annotations

import numpy as np

from cfu_bench.model.model_summary import summarize

NP_TYPES = {"INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "FLOAT32": np.float32}


def random_inputs(data: bytes, n: int, rng: np.random.Generator) -> list[list[np.ndarray]]:
    """n samples over each input type's full range (floats in [-4, 4), as cfu_bench.model.golden)."""
    s = summarize(data)
    out = []
    for _ in range(n):
        sample = []
        for shape, dtype in s.inputs:
            t = NP_TYPES[dtype]
            if dtype == "FLOAT32":
                sample.append(rng.uniform(-4, 4, shape).astype(t))
            else:
                info = np.iinfo(t)
                sample.append(rng.integers(info.min, int(info.max) + 1, shape).astype(t))
        out.append(sample)
    return out


def tflm_outputs(data: bytes, samples) -> list[list[np.ndarray]]:
    """TFLM's model outputs for each sample, invoked in order on one interpreter (so the
    variable tensors of SVDF and LSTM carry state from one sample to the next)."""
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(data, arena_size=16 << 20)
    results = []
    for sample in samples:
        for i, a in enumerate(sample):
            interp.set_input(a, i)
        interp.invoke()
        results.append([np.array(interp.get_output(i)) for i in range(len(summarize(data).outputs))])
    return results


def tflm_layer_outputs(data: bytes, samples) -> list[list[bytes]]:
    """Every operator's output bytes for each sample: result[k][op]."""
    from tflite_micro.python.tflite_micro import runtime
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    g = schema.Model.GetRootAsModel(data, 0).Subgraphs(0)
    outputs = [g.Operators(i).Outputs(0) for i in range(g.OperatorsLength())]
    interp = runtime.Interpreter.from_bytes(
        data, arena_size=16 << 20, intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors)
    results = []
    for sample in samples:
        for i, a in enumerate(sample):
            interp.set_input(a, i)
        interp.invoke()
        results.append([np.ascontiguousarray(interp.GetTensor(t, 0)["tensor_data"]).tobytes()
                        for t in outputs])
    return results
