"""Small models for the debugging tests: a few thousand cycles per layer with mac8, so a
layer's waveform stays small."""
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import _Synth


def conv_fc_model(seed: int | None = None) -> bytes:
    """conv 3x3 (16 channels) -> conv 1x1 (16) -> average pool -> fully connected (16)."""
    s = _Synth(seeds.derive("conv_fc") if seed is None else seed, "debug conv_fc")
    x = s.b.input([1, 6, 6, 8], scale=0.05, zero_point=-3)
    x = s.conv(x, 16, (3, 3), (1, 1))
    x = s.conv(x, 16, (1, 1), (1, 1))
    x = s.b.average_pool2d(x, (6, 6), (6, 6), "VALID")
    x = s.b.reshape(x, [1, 16])
    x = s.fc(x, 16, act="RELU")
    s.b.output(x)
    return s.b.build()


def fc_first_model(seed: int | None = None) -> bytes:
    """fully connected (16 -> 16) first, then a reshape: tracing layer 0 starts as the
    inference does."""
    s = _Synth(seeds.derive("fc_first") if seed is None else seed, "debug fc_first")
    x = s.b.input([1, 16], scale=0.05, zero_point=-3)
    x = s.fc(x, 16, act="RELU")
    x = s.b.reshape(x, [1, 4, 4])
    s.b.output(x)
    return s.b.build()
