"""The heavy ops on the simulated SoC, every layer checked against TFLM: an int16x8 chain
(CONV_2D -> DEPTHWISE_CONV_2D -> FULLY_CONNECTED; mac8 must decline every int16 layer) and an
int8 chain (TRANSPOSE_CONV -> BATCH_MATMUL with a constant RHS -> SVDF with its state) and an
int8 UNIDIRECTIONAL_SEQUENCE_LSTM, with the reference kernels and with mac8, ideal memory."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
import numpy as np  # noqa: E402
from opgen_heavy import gen_lstm, soc_chain_int8, soc_chain_int16x8  # noqa: E402

from cfu_bench.designs import DEFAULT_DESIGN  # noqa: E402
from cfu_bench.commands.profile import profile  # noqa: E402

CHAINS = {"int16x8": soc_chain_int16x8, "int8": soc_chain_int8,
          "lstm": lambda: gen_lstm(np.random.default_rng(5))[0]}


@pytest.mark.parametrize("design", ["none", DEFAULT_DESIGN])
@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_heavy_chain_is_bit_exact_on_the_soc(tmp_path, chain, design):
    path = tmp_path / f"heavy_{chain}.tflite"
    path.write_bytes(CHAINS[chain]())
    r = profile(str(path), cfu=design, inputs=1, use_cache=False, memory="ideal")
    bad = [l.index for l in r.layers if not l.bit_exact]
    assert r.bit_exact and not bad, f"layers {bad} differ from TFLM: {r.mismatches[:3]}"
    assert r.inputs_checked == 1 and r.memory == "ideal"
    if chain == "int16x8":  # mac8's int8 datapath must leave int16 layers to the reference
        assert all(l.kernel == "ref" for l in r.layers), [l.kernel for l in r.layers]
