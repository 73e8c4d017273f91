"""Regenerate the fuzzing corpus (tests/runtime/corpus/*.tflite): one small model per supported
op plus a short chain, so mutations reach every op's prepare and eval paths.

    .venv/bin/python tests/runtime/make_corpus.py
"""
import sys
from pathlib import Path

import numpy as np

from cfu_bench.model.tflite_builder import ModelBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_shape import shape_models  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS.parent))


def models():
    rng = np.random.default_rng(42)
    w = lambda *s: rng.integers(-127, 128, size=s).astype(np.int8)  # noqa: E731
    bias = lambda n: rng.integers(-500, 500, size=n).astype(np.int32)  # noqa: E731

    b = ModelBuilder()
    x = b.input([1, 5, 5, 3], 0.05, -3)
    b.output(b.conv2d(x, w(4, 3, 3, 3), bias(4), [0.01, 0.02, 0.015, 0.03], 0.2, 7, stride=(2, 2),
                      padding="SAME", activation="RELU6"))
    yield "conv", b.build()

    b = ModelBuilder()
    x = b.input([1, 6, 5, 2], 0.05, 4)
    b.output(b.depthwise_conv2d(x, w(1, 3, 3, 4), bias(4), [0.01, 0.02, 0.03, 0.04], 0.1, -2,
                                padding="VALID", depth_multiplier=2, dilation=(1, 2)))
    yield "depthwise", b.build()

    b = ModelBuilder()
    x = b.input([2, 12], 0.1, 1)
    b.output(b.fully_connected(x, w(5, 12), bias(5), 0.02, 0.3, -5, activation="RELU"))
    yield "fc", b.build()

    b = ModelBuilder()
    x = b.input([1, 4, 4, 3], 0.1, -128)
    y = b.average_pool2d(x, (3, 3), (2, 2), "SAME")
    b.output(b.max_pool2d(y, (2, 2), (1, 1), "VALID", "RELU"))
    yield "pools", b.build()

    b = ModelBuilder()
    a = b.input([1, 3, 4], 0.1, 3)
    c = b.input([4], 0.25, -7)
    b.output(b.add(a, c, 0.3, -128, "RELU"))
    yield "add_broadcast", b.build()

    b = ModelBuilder()
    x = b.input([1, 1, 2, 5], 0.2, 0)
    x = b.reshape(x, [1, 10])
    b.output(b.softmax(x, 1.0))
    yield "reshape_softmax", b.build()

    b = ModelBuilder()
    x = b.input([2, 3], dtype="float32")
    x = b.quantize(x, 0.05, 3)
    x = b.quantize(x, 0.1, -4)
    b.output(b.dequantize(x))
    yield "quantize", b.build()

    b = ModelBuilder()
    x = b.input([1, 6, 6, 2], 0.05, -1)
    x = b.conv2d(x, w(4, 3, 3, 2), bias(4), [0.01] * 4, 0.1, -128, stride=(2, 2), activation="RELU")
    x = b.depthwise_conv2d(x, w(1, 3, 3, 4), bias(4), [0.02] * 4, 0.1, -128, activation="RELU")
    x = b.average_pool2d(x, (3, 3), (3, 3), "VALID")
    x = b.reshape(x, [1, 4])
    x = b.fully_connected(x, w(3, 4), bias(3), 0.01, 0.05, 2)
    b.output(b.softmax(x))
    yield "chain", b.build()

    yield from shape_models()

    # every loader quirk TFLM tolerates at once (test_rt_acceptance.py), so mutations start
    # from the odd layouts as well: several metadata, empty buffers, zero-size tensors, ...
    from runtime_checks import edit_tflite
    from test_rt_acceptance import QUIRKS, small_model

    def all_quirks(m):
        for quirk in QUIRKS:
            if quirk.__name__ not in ("bias_scale_without_zero_point", "missing_zero_points"):
                quirk(m)
    yield "quirks", edit_tflite(small_model(), all_quirks)

    # several subgraphs and resource variables, as TensorFlow's converter writes them
    yield "resource_variable", (CORPUS.parent.parent / "data" / "resource_variable.tflite").read_bytes()

    from test_rt_subgraphs import if_model
    yield "if_branches", if_model(np.random.default_rng(7), cond=True)


if __name__ == "__main__":
    CORPUS.mkdir(exist_ok=True)
    for name, data in models():
        (CORPUS / f"{name}.tflite").write_bytes(data)
        print(name, len(data))
