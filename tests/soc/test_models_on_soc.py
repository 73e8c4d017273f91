"""The benchmark models on the simulated SoC, every layer checked against TFLM. KWS and AD run
here; VWW and IC take minutes each with reference kernels and live in `cfu-bench bench`.
Memory ddr3 (the default, as on the Arty) for both designs; ideal for the accelerated one."""
import pytest

from cfu_bench.designs import DEFAULT_DESIGN
from cfu_bench.commands.profile import profile


@pytest.mark.parametrize("design,memory", [("none", "ddr3"), (DEFAULT_DESIGN, "ddr3"),
                                           (DEFAULT_DESIGN, "ideal")])
@pytest.mark.parametrize("model", ["kws", "ad"])
def test_model_is_bit_exact_on_the_soc(model, design, memory):
    r = profile(model, cfu=design, inputs=2, use_cache=False, memory=memory)
    bad = [l.index for l in r.layers if not l.bit_exact]
    assert r.bit_exact and not bad, f"layers {bad} differ from TFLM: {r.mismatches[:3]}"
    assert r.inputs_checked == 2 and r.memory == memory
    assert all(l.cycles > 0 for l in r.layers)
    assert r.total_cycles >= r.kernel_cycles > 0
