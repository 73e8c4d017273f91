"""Models as large as real ones: a 320x240 input whose preserved intermediates exceed the old
fixed golden arena; TFLM runs it, so the golden run must too."""
import time

from cfu_bench.model import golden
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import ModelBuilder
from runtime_checks import compare


def wide_model(layers: int = 8) -> bytes:
    """240x320x8 int8 (600 KiB) through `layers` ADDs: every output preserved is > 4 MiB."""
    b = ModelBuilder()
    x = b.input([1, 240, 320, 8], 0.05, 3)
    for k in range(layers):
        x = b.add(x, x, 0.05 * (k + 2), (k * 7) % 20 - 10)
    b.output(x)
    return b.build()


def test_320x240_golden_arena_sized_from_the_tensors(hrt):
    model = wide_model()
    preserved = 9 * 240 * 320 * 8
    assert preserved > 4 << 20 and golden._arena_for(model) > preserved
    samples = golden.random_inputs(model, 1, seed=seeds.derive("sizes-320x240"))
    t0 = time.monotonic()
    assert not compare(hrt, model, samples, "320x240")
    assert time.monotonic() - t0 < 30


def big_model() -> bytes:
    """The issue's sizes at once: a 320x240(x4) input, 0.72 MB of weights, 600 KB of
    activations alive together (the input and ADD's output)."""
    rng = seeds.np_rng("sizes-big")
    b = ModelBuilder()
    x = b.input([1, 240, 320, 4], 0.05, 3)
    y = b.add(x, x, 0.08, -5)
    y = b.max_pool2d(y, (8, 8), (8, 8))
    y = b.reshape(y, [1, 30 * 40 * 4])
    y = b.fully_connected(y, rng.integers(-127, 128, (150, 4800)), rng.integers(-2000, 2000, 150),
                          0.0005, 0.3, 0)
    b.output(b.softmax(y))
    return b.build()


def test_big_model_bit_exact_on_the_host(hrt):
    model = big_model()
    assert len(model) > 700_000
    samples = golden.random_inputs(model, 1, seed=seeds.derive("sizes-big"))
    assert not compare(hrt, model, samples, "big")


def test_data_block_over_the_limit_is_one_clear_line():
    import pytest

    from cfu_bench.errors import UserError
    from cfu_bench.build.ram_image import DataBlock, check_fits

    block = DataBlock(model=bytes(3 << 20), inputs=[bytes(16)]).to_bytes()
    with pytest.raises(UserError, match="data block holds 3,145,728"):
        check_fits(block, 3 << 20)
    check_fits(DataBlock(model=bytes(1 << 20), inputs=[bytes(16)]).to_bytes(), 3 << 20)
