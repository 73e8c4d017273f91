"""Arena planning reuses memory by tensor lifetime."""
from cfu_bench.model.tflite_builder import ModelBuilder


def test_chain_needs_two_buffers(hrt):
    b = ModelBuilder()
    x = b.input([1, 1000], 0.1, 0)
    for i in range(6):
        x = b.quantize(x, 0.1 + 0.01 * i, i)
    b.output(x)
    info = hrt.load_info(b.build())
    assert info["planned"] == 2 * 1008  # input/output pairs alternate between two slots


def test_residual_keeps_three_alive(hrt):
    b = ModelBuilder()
    x = b.input([1, 1000], 0.1, 0)
    y = b.quantize(x, 0.2, 1)
    z = b.quantize(y, 0.3, 2)
    w = b.add(x, z, 0.5, 0)   # x lives across the whole branch
    b.output(b.quantize(w, 0.4, 3))
    info = hrt.load_info(b.build())
    assert info["planned"] == 3 * 1008


def test_unequal_sizes_pack_into_gaps(hrt):
    b = ModelBuilder()
    x = b.input([1, 4000], 0.1, 0)
    y = b.reshape(x, [1, 4000])
    small = b.fully_connected(y, __import__("numpy").ones((10, 4000), "int8"), None, 0.01, 1.0, 0)
    s2 = b.quantize(small, 0.5, 0)
    b.output(b.quantize(s2, 0.6, 0))
    info = hrt.load_info(b.build())
    # x and y (4000 each) overlap once; the 16-byte tensors after them reuse x's slot
    assert info["planned"] == 2 * 4000
