"""The committed benchmark models have the MLPerf Tiny reference structure and quantization."""
import numpy as np

from cfu_bench.model.model_info import model_info
from models_structure import info_rows, quantization_problems, structure_problems
from mlperf_tiny_reference import OPS, TOTALS


def test_op_sequence_and_geometry_match_reference(benchmark):
    name, model = benchmark
    assert structure_problems(name, model) == []


def test_every_row_of_the_reference_table(benchmark):
    # Same as above, op by op, so a failure names the first differing row.
    name, _ = benchmark
    for got, want in zip(info_rows(model_info(name)), OPS[name], strict=True):
        assert got == want


def test_totals(benchmark):
    name, _ = benchmark
    info = model_info(name)
    assert len(info["ops"]) == TOTALS[name]["ops"]
    assert info["total_macs"] == TOTALS[name]["macs"]
    assert info["params"] == TOTALS[name]["params"]
    assert info["weight_bytes"] == TOTALS[name]["weight_bytes"]
    assert info["largest_activation_bytes"] == TOTALS[name]["largest_activation_bytes"]


def test_quantization_scheme(benchmark):
    _, model = benchmark
    assert quantization_problems(model) == []


def test_constant_data_is_16_byte_aligned(benchmark):
    # Firmware reads int32 biases in place; misaligned words trap or crawl on RV32.
    _, model = benchmark
    offsets = [t.data_offset for t in model.main.tensors if t.is_constant]
    assert offsets and all(o % 16 == 0 for o in offsets)


def test_weights_are_trained_not_degenerate(benchmark):
    # Realistic ranges: every weight tensor uses much of the int8 range, biases are not all 0.
    _, model = benchmark
    g = model.main
    for op in g.operators:
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            w, b = g.tensors[op.inputs[1]].numpy(), g.tensors[op.inputs[2]].numpy()
            assert np.abs(w).max() == 127, op  # symmetric scales put each max at +-127
            assert len(np.unique(w)) > 32, op
            assert np.any(b != 0), op
