"""Add the elementwise and quantized-math ops to the fuzzing corpus (tests/runtime/corpus/
math_*.tflite): every int8 op of the family in one model, the int16 ones in another, so
mutations reach their prepare and eval paths.

    .venv/bin/python tests/runtime/make_corpus_math.py
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from opgen_math import chain_int8, chain_int16  # noqa: E402

if __name__ == "__main__":
    for name, model in (("math_int8", chain_int8()), ("math_int16", chain_int16())):
        (HERE / "corpus" / f"{name}.tflite").write_bytes(model)
        print(f"wrote corpus/{name}.tflite ({len(model)} bytes)")
