"""Add the heavy ops to the fuzzing corpus (tests/runtime/corpus/heavy_*.tflite): one small
model per op x type from opgen_heavy's generators, so the ASan fuzzer's mutations reach their
prepare and eval paths (int16x8 CONV/DEPTHWISE/FC, TRANSPOSE_CONV, BATCH_MATMUL, SVDF).

    .venv/bin/python tests/runtime/make_corpus_heavy.py
"""
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
sys.path.insert(0, str(HERE))

from opgen_heavy import GENERATORS  # noqa: E402

MAX_BYTES = 1500  # small models: the fuzzer's mutations then hit headers and tables often


def models():
    rng = np.random.default_rng(23)
    for name, gen in GENERATORS.items():
        for _ in range(200):
            data, _desc = gen(rng)
            if len(data) <= MAX_BYTES:
                break
        slug = name.lower().replace("/", "_")
        yield f"heavy_{slug}", data


if __name__ == "__main__":
    CORPUS.mkdir(exist_ok=True)
    for name, data in models():
        (CORPUS / f"{name}.tflite").write_bytes(data)
        print(name, len(data))
