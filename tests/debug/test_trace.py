"""profile --trace: a waveform of one layer holds exactly that layer's CFU instructions."""
from pathlib import Path

import pytest

from cfu_bench.errors import UserError
from cfu_bench.profile import profile
from cfu_bench.trace import CFU_PORTS, count_handshakes, parse_layers

from small_models import conv_fc_model

FC_LAYER = 4


def mac8_fc_instructions(depth: int, out_c: int) -> int:
    """CFU instructions mac8's fully connected kernel issues for one batch (cfu/mac8/kernels,
    fc_eval), when out_c fits the parameter table and outputs are word aligned: CLEAR and two
    CONFIGs; the input vector (WLOAD setup + a word each); three SETPARAMs per channel; per
    block of 8 channels, per pair of channels a SETPTR and a MAC per word, then a COMMIT; two
    READs for every block's outputs (one commit late, the last in the flush)."""
    words, blocks = depth // 4, -(-out_c // 8)
    pairs = -(-out_c // 2)
    return 3 + (1 + words) + 3 * out_c + pairs * (1 + words) + blocks * (1 + 2)


def test_layer_ranges_are_checked():
    assert parse_layers("3", 5) == (3, 3)
    assert parse_layers("1:4", 5) == (1, 4)
    for bad in ("5", "3:2", "x", "-1", "1:"):
        with pytest.raises(UserError):
            parse_layers(bad, 5)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "conv_fc.tflite"
    path.write_bytes(conv_fc_model())
    return path


@pytest.mark.parametrize("memory", ["ideal", "ddr3"])
def test_trace_of_the_fc_layer_holds_its_cfu_handshakes(model, memory):
    result = profile(str(model), cfu="mac8", memory=memory, inputs=1, trace=str(FC_LAYER))
    assert result.bit_exact and result.layers[FC_LAYER].kernel == "mac8_fc"
    vcd = Path(result.trace)
    assert vcd.is_file() and vcd.suffix == ".vcd"
    seen = count_handshakes(vcd)
    assert seen["handshakes"] == mac8_fc_instructions(depth=16, out_c=16) == 102
    # the trace covers the layer (its mcycle count) and little else: the CRC of its output
    # and the runtime's few cycles between ops
    assert result.layers[FC_LAYER].cycles <= seen["cycles"] < result.layers[FC_LAYER].cycles + 1500
    gtkw = vcd.with_suffix(".gtkw").read_text()
    assert all(f"{seen['scope']}.{p}" in gtkw for p in CFU_PORTS)


def test_trace_of_reference_layers_has_no_cfu_instruction(model):
    result = profile(str(model), cfu="mac8", memory="ideal", inputs=1, trace="2:3")
    assert [l.kernel for l in result.layers[2:4]] == ["ref", "ref"]
    seen = count_handshakes(Path(result.trace))
    assert seen["handshakes"] == 0 and seen["cycles"] >= sum(l.cycles for l in result.layers[2:4])
