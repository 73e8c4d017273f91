"""Requantization multipliers pinned down where random tests cannot see them.

Whether a multiplier is computed from a float or a double product of scales changes the
quantized multiplier by a few units in 2^31, which flips roughly one output in 10^5. These
tests build layers whose accumulators sit exactly on the outputs where the two candidate
formulas disagree (acc = bias, with input 0 and weight 1), so TFLM itself decides."""
import numpy as np
import pytest
from test_rt_arith import ref_quantize_multiplier

from cfu_bench.model import golden
from cfu_bench.model.tflite_builder import ModelBuilder
from cfu_bench.testing import seeds


def np_mbqm(x, q, e):
    x = np.asarray(x, np.int64)
    left, right = max(e, 0), max(-e, 0)
    x = ((x << left) + 2 ** 31) % 2 ** 32 - 2 ** 31
    ab = x * q
    v = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    hi = np.where(v >= 0, v >> 31, -((-v) >> 31))
    hi = np.where((x == q) & (x == -2 ** 31), 2 ** 31 - 1, hi)
    mask = (1 << right) - 1
    return (hi >> right) + ((hi & mask) > (mask >> 1) + (hi < 0))


def disagreeing_accumulators(rng, limit=48):
    """Scales whose double- and float-product multipliers differ, and the accumulators whose
    int8 outputs differ between the two."""
    for _ in range(200):
        si, sw, so = (np.float32(rng.uniform(0.002, 0.05)), np.float32(rng.uniform(0.001, 0.02)),
                      np.float32(rng.uniform(0.05, 0.5)))
        qd, ed = ref_quantize_multiplier(float(si) * float(sw) / float(so))
        qf, ef = ref_quantize_multiplier(float(np.float32(si * sw)) / float(so))
        if (qd, ed) == (qf, ef):
            continue
        m = float(si) * float(sw) / float(so)
        accs = np.arange(-int(127 / m), int(127 / m), dtype=np.int64)
        a, b = np_mbqm(accs, qd, ed), np_mbqm(accs, qf, ef)
        hits = accs[(a != b) & (np.abs(a) < 120)]
        if len(hits) >= 4:
            pick = rng.choice(hits, size=min(limit, len(hits)), replace=False)
            return si, sw, so, np.sort(pick).astype(np.int32), (qd, ed), (qf, ef)
    pytest.fail("no scales found where the two formulas disagree")


@pytest.mark.parametrize("seed", range(4))
def test_fc_multiplier_rounding(hrt, seed):
    rng = seeds.np_rng("test_rt_rounding", seed)
    si, sw, so, accs, (qd, ed), (qf, ef) = disagreeing_accumulators(rng)
    b = ModelBuilder()
    x = b.input([1, 1], float(si), 0)
    y = b.fully_connected(x, np.ones((len(accs), 1), np.int8), accs, float(sw), float(so), 0)
    b.output(y)
    model = b.build()
    sample = [np.zeros((1, 1), np.int8)]
    gold = np.frombuffer(golden.golden(model, [sample])[0][0].data, np.int8)
    ours = np.frombuffer(hrt.run(model, [sample]).outputs[0][0].data, np.int8)
    assert (ours == gold).all()
    assert (gold == np_mbqm(accs, qd, ed)).all()       # TFLM: double product
    assert (gold != np_mbqm(accs, qf, ef)).all()       # and these outputs tell the formulas apart


@pytest.mark.parametrize("seed", range(4))
def test_conv_multiplier_rounding(hrt, seed):
    rng = seeds.np_rng("test_rt_rounding", 100 + seed)
    si, sw, so, accs, (qd, ed), _ = disagreeing_accumulators(rng)
    n = len(accs)
    b = ModelBuilder()
    x = b.input([1, 1, 1, 1], float(si), 0)
    y = b.conv2d(x, np.ones((n, 1, 1, 1), np.int8), accs, np.full(n, sw, np.float32), float(so), 0)
    b.output(y)
    model = b.build()
    sample = [np.zeros((1, 1, 1, 1), np.int8)]
    gold = np.frombuffer(golden.golden(model, [sample])[0][0].data, np.int8)
    ours = np.frombuffer(hrt.run(model, [sample]).outputs[0][0].data, np.int8)
    assert (ours == gold).all() and (gold == np_mbqm(accs, qd, ed)).all()
