"""The data-movement and resize ops on the simulated SoC (RISC-V build of the runtime, soft
float in RESIZE_NEAREST_NEIGHBOR's prepare and CAST), every layer checked against TFLM: the three
fuzzing-corpus models that chain all of them (tests/runtime/corpus_shape.py), and the
converter's output for them (tests/data/shape_ops_converted.tflite) with the default CFU
(its CONV_2D accelerated, the rest on the reference kernels)."""
from pathlib import Path

import pytest

from cfu_bench.designs import DEFAULT_DESIGN
from cfu_bench.commands.profile import profile

CORPUS = Path(__file__).resolve().parents[1] / "runtime" / "corpus"


DATA = Path(__file__).resolve().parents[1] / "data"


# one input each: every simulation starts from the same booted state, so a second input would
# mostly repeat the first (the host tests run thousands of random ones)
@pytest.mark.parametrize("path,design", [(CORPUS / "shape_chain.tflite", "none"),
                                         (CORPUS / "shape_gather_pack.tflite", "none"),
                                         (CORPUS / "shape_split.tflite", "none"),
                                         (DATA / "shape_ops_converted.tflite", DEFAULT_DESIGN)],
                         ids=["chain", "gather_pack", "split", "converted"])
def test_shape_ops_bit_exact_on_the_soc(path, design):
    r = profile(str(path), cfu=design, inputs=1, use_cache=False, memory="ddr3")
    bad = [l.index for l in r.layers if not l.bit_exact]
    assert r.bit_exact and not bad, f"layers {bad} differ from TFLM: {r.mismatches[:3]}"
    assert r.inputs_checked == 1 and len(r.layers) >= 4
    assert all(l.cycles > 0 for l in r.layers)
