"""Anomaly detection (MLPerf Tiny AD): fully connected autoencoder on 5 x 128 log-mel frames.

Reference layout: Dense(128) x4, a Dense(8) bottleneck, Dense(128) x4, each followed by
BatchNorm and ReLU (folded and fused on conversion), then Dense(640) reconstructing the input.
"""
import numpy as np

NAME = "ad"
SEED = 4
INPUT_SHAPE = (640,)
FRAMES, MELS = 5, 128
LOSS = "mean_squared_error"
TRAINING = dict(samples=4096, epochs=30, batch_size=64, learning_rate=2e-3)


def define(keras):
    layers = keras.layers
    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="log_mel")
    x = inputs
    for i, units in enumerate([128, 128, 128, 128, 8, 128, 128, 128, 128], start=1):
        x = layers.Dense(units, name=f"fc{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.ReLU(name=f"relu{i}")(x)
    outputs = layers.Dense(640, name="fc10")(x)
    return keras.Model(inputs, outputs, name=NAME)


def inputs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Log-mel frames of a running machine, in dB like the DCASE baseline's features.

    A falling spectral envelope, harmonics of a motor whose speed drifts a little between
    clips, slow frame-to-frame level changes and measurement noise: roughly -70..+10 dB.
    """
    mel = np.arange(MELS)
    envelope = -12.0 - 38.0 * (mel / MELS) ** 0.7
    fundamental = rng.normal(9.0, 0.6, (n, 1, 1))
    level = rng.normal(0.0, 3.0, (n, 1, 1)) + rng.normal(0.0, 1.0, (n, FRAMES, 1))
    harmonics = sum(np.exp(-0.5 * ((mel - k * fundamental) / 1.2) ** 2) * (14.0 / k)
                    for k in range(1, 8))
    noise = rng.normal(0.0, 2.5, (n, FRAMES, MELS))
    x = envelope + harmonics + level + noise
    return x.reshape(n, FRAMES * MELS).astype(np.float32)


def training_set(rng: np.random.Generator, n: int):
    x = inputs(rng, n)
    return x, x
