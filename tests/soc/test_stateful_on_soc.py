"""Several subgraphs (resource variables, IF) on the simulated SoC (rv32, the real firmware):
the converted tf.Variable model (tests/runtime/make_stateful.py), CALL_ONCE running its init
subgraph, bit-exact with TFLM on every layer."""
from pathlib import Path

from cfu_bench.designs import DEFAULT_DESIGN
from cfu_bench.commands.profile import profile

MODEL = Path(__file__).resolve().parents[1] / "data" / "resource_variable.tflite"


def test_resource_variable_model_bit_exact_on_the_soc():
    r = profile(str(MODEL), cfu=DEFAULT_DESIGN, inputs=1, use_cache=False, memory="ideal")
    assert r.bit_exact and all(l.bit_exact for l in r.layers), r.mismatches[:3]
    assert [l.op for l in r.layers][:3] == ["CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE"]
    assert r.layers[0].cycles > r.layers[1].cycles  # the init subgraph ran inside CALL_ONCE


def test_if_model_bit_exact_on_the_soc():
    corpus = Path(__file__).resolve().parents[1] / "runtime" / "corpus" / "if_branches.tflite"
    r = profile(str(corpus), cfu=DEFAULT_DESIGN, inputs=1, use_cache=False, memory="ideal")
    assert r.bit_exact and [l.op for l in r.layers] == ["IF", "ADD"], r.mismatches[:3]
