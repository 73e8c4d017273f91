"""A wrong CFU: the profile names the first differing layer and its wrong elements."""
import json

import numpy as np
import pytest

from cfu_bench.model import golden
from cfu_bench.designs import load_design
from cfu_bench.errors import ResultError
from cfu_bench.results.mismatch import element_diff
from cfu_bench.commands.profile import INPUT_SEED, check, profile
from cfu_bench.results.report import format_table, write_json
from cfu_bench.run.simulate import Simulation
from cfu_bench.testing.faults import NegatedLane

from small_models import conv_fc_model

FAULTY_LANE = 5
LANES = 8   # mac8: lane l computes the output channels c with c % 8 == l


def test_element_diff_lists_differing_elements_in_nhwc_order():
    expected = np.zeros((1, 2, 2, 3), np.int8)
    actual = expected.copy()
    actual[0, 0, 1, 2] = -7
    actual[0, 1, 0, 0] = 100
    d = element_diff(expected, actual)
    assert d["count"] == 2 and d["elements"] == 12 and d["max_abs_diff"] == 100
    assert d["first"] == [{"index": [0, 0, 1, 2], "expected": 0, "got": -7},
                          {"index": [0, 1, 0, 0], "expected": 0, "got": 100}]
    assert element_diff(expected, expected.copy())["count"] == 0


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "conv_fc.tflite"
    path.write_bytes(conv_fc_model())
    return path


def test_negated_lane_is_named_by_layer_and_elements(model, tmp_path):
    right = load_design("mac8")
    wrong = right.with_fault(NegatedLane(right.module("mac_array").MacArray, FAULTY_LANE))
    result = profile(str(model), cfu=wrong, target=Simulation(firmware_design=right),
                     memory="ideal", inputs=1, use_cache=False, dump_dir=tmp_path / "dump")
    assert not result.bit_exact
    assert result.layers[0].kernel == "mac8_conv" and not result.layers[0].bit_exact
    m = result.first_mismatch
    assert m["layer"] == 0 and m["input"] == 0 and m["op"] == "CONV_2D"
    assert m["shape"] == [1, 6, 6, 16]

    # The dumped tensors: "expected" is TFLM's, computed here independently; "actual" differs
    # from it only in the faulty lane's channels, and in most of them.
    sample = golden.random_inputs(model.read_bytes(), 1, seed=INPUT_SEED)
    tflm = np.frombuffer(golden.golden(model.read_bytes(), sample)[0][0].data, np.int8)
    expected = np.load(m["dump"]["expected"])
    actual = np.load(m["dump"]["actual"])
    assert np.array_equal(expected.ravel(), tflm)
    faulty = (np.arange(16) % LANES) == FAULTY_LANE
    assert np.array_equal(actual[..., ~faulty], expected[..., ~faulty])
    wrong_elements = np.argwhere(actual != expected)
    assert m["count"] == len(wrong_elements) > expected[..., faulty].size // 2
    assert all(idx[3] % LANES == FAULTY_LANE for idx in wrong_elements)
    assert m["first"][0]["index"] == [int(i) for i in wrong_elements[0]]
    for e in m["first"]:
        assert e["expected"] == expected[tuple(e["index"])] and e["got"] == actual[tuple(e["index"])]
    assert m["max_abs_diff"] == int(np.abs(expected.astype(int) - actual.astype(int)).max()) > 0

    text = format_table(result)
    assert f"first mismatch: input 0, layer 0 CONV_2D 1x6x6x16: {m['count']:,} of 576" in text
    write_json(result, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["first_mismatch"]["layer"] == 0
    with pytest.raises(ResultError, match="first: layer 0"):
        check(result)
