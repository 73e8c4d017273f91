"""The .tflite reader: agrees with the flatbuffers schema, and rejects bad files in one line."""
import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from cfu_bench.errors import UserError
from cfu_bench.model.model_info import info_from_model
from cfu_bench.model.models_registry import BENCHMARKS
from cfu_bench.model.tflite_model import load, parse
from cfu_bench.testing import seeds

SINE = "sine_float.tflite"  # a float model shipped with tflite-micro: a "user model"


def _schema_model(data):
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))


def _pack(model_t) -> bytes:
    import flatbuffers

    b = flatbuffers.Builder(1024)
    b.Finish(model_t.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _sine_bytes():
    from pathlib import Path

    from tflite_micro.python.tflite_micro import runtime

    return (Path(runtime.__file__).parent / SINE).read_bytes()


def _expect_one_line_error(data, *words):
    with pytest.raises(UserError) as e:
        parse(data, "m.tflite")
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("m.tflite: not a valid .tflite file (")
    for w in words:
        assert w in msg
    return msg


# --- agreement with the generated schema code -------------------------------------------

@pytest.mark.parametrize("name", list(BENCHMARKS) + [SINE])
def test_reader_agrees_with_schema_object_api(name):
    data = _sine_bytes() if name == SINE else BENCHMARKS[name].path.read_bytes()
    ours, ref = parse(data), _schema_model(data)
    g, rg = ours.main, ref.subgraphs[0]
    assert list(g.inputs) == list(rg.inputs) and list(g.outputs) == list(rg.outputs)
    assert len(g.tensors) == len(rg.tensors)
    for t, rt in zip(g.tensors, rg.tensors):
        assert t.name == rt.name.decode() and list(t.shape) == list(rt.shape)
        assert t.buffer == rt.buffer
        ref_data = ref.buffers[rt.buffer].data
        assert (t.data or b"") == (b"" if ref_data is None else bytes(ref_data))
        rq = rt.quantization
        if t.quantization is None:
            assert rq is None or rq.scale is None or len(rq.scale) == 0
        else:
            assert np.array_equal(t.quantization.scale, rq.scale)
            assert np.array_equal(t.quantization.zero_point, rq.zeroPoint)
            assert t.quantization.quantized_dimension == rq.quantizedDimension
    for op, rop in zip(g.operators, rg.operators, strict=True):
        oc = ref.operatorCodes[rop.opcodeIndex]
        code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
        assert getattr(schema.BuiltinOperator, op.opcode) == code
        assert list(op.inputs) == list(rop.inputs) and list(op.outputs) == list(rop.outputs)
        _assert_options_agree(op.options, rop.builtinOptions)


def _assert_options_agree(ours, theirs):
    pairs = {"padding": "padding", "stride_w": "strideW", "stride_h": "strideH",
             "fused_activation": "fusedActivationFunction", "depth_multiplier": "depthMultiplier",
             "filter_w": "filterWidth", "filter_h": "filterHeight",
             "dilation_w": "dilationWFactor", "dilation_h": "dilationHFactor",
             "keep_num_dims": "keepNumDims", "beta": "beta", "new_shape": "newShape"}
    enums = {"padding": schema.Padding, "fused_activation": schema.ActivationFunctionType}
    for key, value in ours.items():
        if key not in pairs:
            continue
        ref = getattr(theirs, pairs[key])
        if key in enums:
            value = getattr(enums[key], value)
        if key == "new_shape":
            value, ref = list(value), list(ref)
        assert value == ref, key


def test_tensor_numpy_view_matches_buffer():
    m = load(BENCHMARKS["ad"].path)
    w = m.main.tensors[m.main.operators[0].inputs[1]]
    assert w.numpy().shape == (128, 640) and w.numpy().dtype == np.int8
    with pytest.raises(UserError):
        m.main.tensors[m.main.inputs[0]].numpy()


# --- files that are not models --------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        load(tmp_path / "nope.tflite")


def test_directory(tmp_path):
    with pytest.raises(UserError, match="directory"):
        load(tmp_path)


@pytest.mark.parametrize("data", [b"", b"TFL3", b"\0" * 7])
def test_too_short(data):
    _expect_one_line_error(data, "bytes long")


def test_wrong_file_identifier():
    data = bytearray(BENCHMARKS["ad"].path.read_bytes())
    data[4:8] = b"ABCD"
    _expect_one_line_error(bytes(data), "file identifier")


def test_text_file():
    _expect_one_line_error(b"this is not a model, just some text\n" * 4, "file identifier")


@pytest.mark.parametrize("name", ["kws", "ad"])
def test_every_truncation_is_a_user_error(name):
    data = BENCHMARKS[name].path.read_bytes()
    # every short prefix, then a spread of cut points through the whole file
    cuts = list(range(0, 256)) + list(np.linspace(256, len(data) - 1, 300).astype(int))
    for cut in cuts:
        msg = _expect_one_line_error(data[:cut])
        assert "truncated" in msg or "bytes long" in msg or "identifier" in msg, (cut, msg)


def test_truncated_message_names_the_byte():
    data = BENCHMARKS["ic"].path.read_bytes()
    msg = _expect_one_line_error(data[:1000], "truncated")
    assert "byte" in msg and "1000" in msg


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes_are_rejected(seed):
    rng = seeds.np_rng("test_models_reader", seed)
    for size in (8, 64, 1000, 100_000):
        data = bytearray(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
        _expect_one_line_error(bytes(data))
        data[4:8] = b"TFL3"  # get past the identifier check into the offset checks
        _expect_one_line_error(bytes(data))


def _model_bytes(name: str) -> bytes:
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    extra = {"resource_variable": tests / "data" / "resource_variable.tflite",   # subgraphs, options
             "quirks": tests / "runtime" / "corpus" / "quirks.tflite"}           # TFLM's leniencies
    return extra[name].read_bytes() if name in extra else BENCHMARKS[name].path.read_bytes()


@pytest.mark.parametrize("name", ["ic", "ad", "resource_variable", "quirks"])
def test_bit_flips_parse_or_fail_cleanly(name):
    # A flip in weight data still gives a valid model; a flip in the structure must give a
    # UserError. Nothing else, ever (no IndexError, struct.error, MemoryError, hang).
    data = _model_bytes(name)
    rng = seeds.np_rng("test_models_reader", 11)
    # Flip only outside the constant buffers: that is where the tables and offsets live.
    weights = np.zeros(len(data), bool)
    for g in parse(data).subgraphs:
        for t in g.tensors:
            if t.is_constant:
                weights[t.data_offset:t.data_offset + len(t.data)] = True
    candidates = np.flatnonzero(~weights)
    assert len(candidates) > 1000
    outcomes = {"ok": 0, "error": 0}
    for _ in range(1500):
        flipped = bytearray(data)
        pos = int(rng.choice(candidates))
        flipped[pos] ^= 1 << int(rng.integers(0, 8))
        try:
            # model_info too: it must cope with whatever a valid-looking file holds
            info_from_model(parse(bytes(flipped), "m.tflite"), "m")
            outcomes["ok"] += 1
        except UserError as e:
            assert "\n" not in str(e)
            outcomes["error"] += 1
    assert outcomes["error"] > 0 and outcomes["ok"] > 0


# --- well-formed flatbuffers with bad cross-references ---------------------------------------

def _edited(edit) -> bytes:
    m = _schema_model(_sine_bytes())
    edit(m)
    return _pack(m)


def test_operator_input_out_of_range():
    def edit(m):
        op = m.subgraphs[0].operators[0]
        op.inputs = np.array([999, *op.inputs[1:]], np.int32)
    _expect_one_line_error(_edited(edit), "tensor 999")


def test_opcode_index_out_of_range():
    def edit(m):
        m.subgraphs[0].operators[0].opcodeIndex = 42
    _expect_one_line_error(_edited(edit), "opcode index 42")


def test_buffer_index_out_of_range():
    def edit(m):
        m.subgraphs[0].tensors[0].buffer = 10_000
    _expect_one_line_error(_edited(edit), "buffer index 10000")


def test_buffer_size_disagrees_with_shape():
    def edit(m):
        g = m.subgraphs[0]
        const = next(t for t in g.tensors if m.buffers[t.buffer].data is not None)
        const.shape = np.array(list(const.shape) + [3], np.int32)
    _expect_one_line_error(_edited(edit), "needs", "buffer holds")


def test_negative_dimension():
    def edit(m):
        m.subgraphs[0].tensors[0].shape = np.array([1, -5], np.int32)
    _expect_one_line_error(_edited(edit), "negative dimension")


def test_wrong_schema_version():
    def edit(m):
        m.version = 2
    _expect_one_line_error(_edited(edit), "schema version 2")


def test_unknown_tensor_type():
    def edit(m):
        m.subgraphs[0].tensors[0].type = 120
    _expect_one_line_error(_edited(edit), "unknown tensor type 120")


def test_quantized_dimension_copied_unchecked_as_tflm_does():
    """TFLM's loader copies quantized_dimension without a rank or size check; the ops that use
    it check it (tests/runtime/test_rt_acceptance.py), and nobody checks a bias's."""
    data = BENCHMARKS["ic"].path.read_bytes()
    m = _schema_model(data)
    g = m.subgraphs[0]
    w = g.tensors[g.operators[0].inputs[1]]
    w.quantization.quantizedDimension = 3
    b = g.tensors[g.operators[0].inputs[2]]
    b.quantization.quantizedDimension = 3
    ours = parse(_pack(m)).main
    assert ours.tensors[g.operators[0].inputs[1]].quantization.quantized_dimension == 3
    assert ours.tensors[g.operators[0].inputs[2]].quantization.quantized_dimension == 3


def test_no_subgraphs():
    def edit(m):
        m.subgraphs = []
    _expect_one_line_error(_edited(edit), "no subgraphs")


def test_other_options_read_through_the_schema_bindings():
    from pathlib import Path

    data = (Path(__file__).resolve().parents[1] / "data" / "resource_variable.tflite").read_bytes()
    m = parse(data)
    ops = {op.opcode: op.options for op in m.main.operators}
    assert ops["CALL_ONCE"] == {"init_subgraph_index": 1}
    assert ops["VAR_HANDLE"]["shared_name"] == "Variable"
    assert len(m.subgraphs) == 2 and m.subgraphs[1].operators[1].opcode == "ASSIGN_VARIABLE"
