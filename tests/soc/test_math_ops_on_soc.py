"""The elementwise and quantized-math ops on the simulated SoC: every op of the family once
(tests/runtime/opgen_math.py's two chains, int8 and int16), every layer checked against TFLM,
with reference kernels and with the default design (which must decline the int16 layers)."""
import sys
from pathlib import Path

import pytest

from cfu_bench.designs import DEFAULT_DESIGN
from cfu_bench.commands.profile import profile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
from opgen_math import chain_int8, chain_int16  # noqa: E402


@pytest.mark.parametrize("chain,design", [(chain_int8, "none"), (chain_int16, "none"), (chain_int16, DEFAULT_DESIGN)])
def test_math_chain_bit_exact_on_the_soc(tmp_path, chain, design):
    path = tmp_path / f"{chain.__name__}.tflite"
    path.write_bytes(chain())
    r = profile(str(path), cfu=design, inputs=2, use_cache=False, memory="ideal")
    bad = [l.index for l in r.layers if not l.bit_exact]
    assert r.bit_exact and not bad, f"layers {bad} differ from TFLM: {r.mismatches[:3]}"
    assert r.inputs_checked == 2 and all(l.cycles > 0 for l in r.layers)
    if chain is chain_int16:
        assert {l.kernel for l in r.layers} == {"ref"}
