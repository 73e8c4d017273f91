"""mac8's kernels for ADD, AVERAGE_POOL_2D and the few-channel (padded-copy) convolutions, on
random single-op models through the host runtime (the kernels run on mac8's C emulation), every
output compared with TFLM, and the kernel that ran each layer checked: these layers must run on
mac8, or be declined where the kernel cannot be exact (broadcasting ADD, padded pools)."""
import zlib

import numpy as np
import pytest
from runtime_checks import compare

from cfu_bench.model import golden
from cfu_bench.build import hostrt
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import ModelBuilder


def seed() -> int:
    return seeds.derive("test_rt_mac8_ops")


@pytest.fixture(scope="module")
def mac8_rt():
    from cfu_bench.designs import load_design
    design = load_design("mac8")
    return hostrt.HostRuntime(design.kernel_sources(), design.kernel_include_dirs())


def _zp(rng):
    return int(rng.integers(-128, 128))


def add_model(rng):
    shape = [1, int(rng.integers(1, 7)), int(rng.integers(1, 7)), int(rng.choice([1, 3, 4, 8, 12, 16]))]
    b = ModelBuilder()
    a = b.input(shape, float(rng.uniform(0.01, 0.2)), _zp(rng))
    c = b.input(shape, float(rng.uniform(0.01, 0.2)), _zp(rng))
    b.output(b.add(a, c, float(rng.uniform(0.02, 0.4)), _zp(rng), str(rng.choice(["NONE", "RELU", "RELU6"]))))
    return b.build(), "mac8_add"


def pool_model(rng):
    channels = int(rng.choice([4, 8, 12, 20, 64]))
    k = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    stride = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    padding = str(rng.choice(["VALID", "SAME"]))
    shape = [1, k[0] + int(rng.integers(0, 5)), k[1] + int(rng.integers(0, 5)), channels]
    b = ModelBuilder()
    x = b.input(shape, float(rng.uniform(0.01, 0.2)), _zp(rng))
    b.output(b.average_pool2d(x, k, stride, padding, str(rng.choice(["NONE", "RELU"]))))
    model = b.build()
    # SAME with a window overhanging the edge has per-pixel tap counts: declined
    overhang = padding == "SAME" and any(
        ((-(-n // s)) - 1) * s + kk > n for n, s, kk in zip(shape[1:3], stride, k))
    return model, None if overhang else "mac8_avg_pool"


def first_layer_model(rng):
    in_c = int(rng.choice([1, 2, 3]))
    k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    stride = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    shape = [1, int(rng.integers(k[0], 12)), int(rng.integers(k[1], 12)), in_c]
    out_c = int(rng.choice([4, 8, 16, 24]))
    b = ModelBuilder()
    x = b.input(shape, float(rng.uniform(0.01, 0.1)), _zp(rng))
    w = rng.integers(-127, 128, size=(out_c, k[0], k[1], in_c)).astype(np.int8)
    bias = rng.integers(-2000, 2000, size=out_c).astype(np.int32)
    scales = [float(s) for s in rng.uniform(0.002, 0.02, size=out_c)]
    b.output(b.conv2d(x, w, bias, scales, float(rng.uniform(0.05, 0.5)), _zp(rng), stride=stride,
                      padding=str(rng.choice(["SAME", "VALID"])), activation=str(rng.choice(["NONE", "RELU"]))))
    return b.build(), "mac8_conv"


@pytest.mark.parametrize("make", [add_model, pool_model, first_layer_model])
def test_mac8_kernels_bit_exact_on_random_layers(mac8_rt, make):
    rng = np.random.default_rng([seed(), zlib.crc32(make.__name__.encode())])
    for case in range(12):
        model, kernel = make(rng)
        samples = golden.random_inputs(model, 2, seed=case)
        problems = compare(mac8_rt, model, samples, f"{make.__name__} {case}")
        assert not problems, f"seed {seed()} case {case}: {problems[:3]}"
        ran = mac8_rt.run(model, samples[:1]).report.invokes[0].ops[0].kernel
        if kernel:
            assert ran == kernel, f"seed {seed()} case {case}: ran {ran}"
        else:
            assert ran == "ref", f"seed {seed()} case {case}: ran {ran}"


def test_broadcasting_add_is_declined(mac8_rt):
    b = ModelBuilder()
    a = b.input([1, 3, 4, 8], 0.1, 3)
    c = b.input([8], 0.25, -7)
    b.output(b.add(a, c, 0.3, -128, "RELU"))
    model = b.build()
    samples = golden.random_inputs(model, 2, seed=4)
    assert not compare(mac8_rt, model, samples, "add_broadcast")
    assert mac8_rt.run(model, samples[:1]).report.invokes[0].ops[0].kernel == "ref"
