"""profile --trace: a waveform of one layer holds exactly that layer's CFU instructions."""
from pathlib import Path

import pytest

from cfu_bench.errors import UserError
from cfu_bench.commands.profile import profile
from cfu_bench.run.trace import CFU_PORTS, count_handshakes, parse_layers

from small_models import conv_fc_model, fc_first_model

FC_LAYER = 4


def mac8_fc_instructions(depth: int, out_c: int) -> int:
    """CFU instructions mac8's fully connected kernel issues for one batch (cfu/mac8/kernels,
    fc_eval), when out_c fits the parameter table and weights and outputs are word aligned:
    CLEAR and two CONFIGs; three SETPARAMs per channel; per block of 8 channels a WLOAD setup
    and one WLOAD fetch of its rows, a SETPTR, a MAC per input word and a COMMIT; the block's
    outputs read one commit late (the last in the flush): one READ for up to 4 outputs, two
    for more."""
    words = depth // 4
    blocks = [min(8, out_c - first) for first in range(0, out_c, 8)]
    reads = sum(1 if n <= 4 else 2 for n in blocks)
    return 3 + 3 * out_c + len(blocks) * (2 + 1 + words + 1) + reads


def test_the_instruction_count_formula():
    # 16 outputs: two full blocks; 12 (KWS's last layer): the second block has 4 outputs
    assert mac8_fc_instructions(16, 16) == 3 + 48 + 2 * 8 + 4 == 71
    assert mac8_fc_instructions(64, 12) == 3 + 36 + 2 * 20 + 3 == 82


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
    assert seen["handshakes"] == mac8_fc_instructions(depth=16, out_c=16) == 71
    # the trace covers the layer (its mcycle count) and little else: the CRC of its output
    # and the runtime's few cycles between ops, whose code and data miss the caches (~70
    # cycles a line with DDR3: measured 1,747 extra cycles there)
    extra = 1500 if memory == "ideal" else 3000
    assert result.layers[FC_LAYER].cycles <= seen["cycles"] < result.layers[FC_LAYER].cycles + extra
    gtkw = vcd.with_suffix(".gtkw").read_text()
    assert all(f"{seen['scope']}.{p}" in gtkw for p in CFU_PORTS)


def test_trace_of_a_reference_layer_has_no_cfu_instruction(model):
    # layer 3 is the RESHAPE (mac8 runs the average pool before it)
    result = profile(str(model), cfu="mac8", memory="ideal", inputs=1, trace="3")
    assert result.layers[3].op == "RESHAPE" and result.layers[3].kernel == "ref"
    seen = count_handshakes(Path(result.trace))
    assert seen["handshakes"] == 0 and seen["cycles"] >= result.layers[3].cycles


def test_cli_refuses_a_layer_outside_the_model(model):
    from click.testing import CliRunner

    from cfu_bench.commands.cli import main
    r = CliRunner().invoke(main, ["profile", str(model), "--cfu", "mac8", "--trace", "5",
                                  "--no-baseline", "--quiet"])
    assert r.exit_code == 2 and "the model's layers are 0 to 4" in r.output
    assert "Traceback" not in r.output


def test_trace_of_kws_last_fc_layer():
    """A built-in model, a layer whose last block is partial (12 outputs)."""
    result = profile("kws", cfu="mac8", memory="ideal", inputs=1, trace="11")
    assert result.layers[11].op == "FULLY_CONNECTED" and result.layers[11].kernel == "mac8_fc"
    assert count_handshakes(Path(result.trace))["handshakes"] == mac8_fc_instructions(64, 12)


def test_trace_of_layer_0_starts_with_the_inference(tmp_path):
    """Layer 0's trace starts when the input is announced, not at model setup (which takes
    far more cycles than the layer)."""
    path = tmp_path / "fc_first.tflite"
    path.write_bytes(fc_first_model())
    result = profile(str(path), cfu="mac8", memory="ideal", inputs=1, trace="0")
    assert result.layers[0].kernel == "mac8_fc"
    seen = count_handshakes(Path(result.trace))
    assert seen["handshakes"] == mac8_fc_instructions(16, 16)
    # the layer, plus the input's copy into the model and the CRC of the output (measured:
    # 1,518 cycles more than the layer), far less than the model's setup
    assert result.layers[0].cycles <= seen["cycles"] < result.layers[0].cycles + 2500
    assert seen["cycles"] < result.setup_cycles / 5
