"""TFLM's micro_speech example: the "tiny conv" of TensorFlow's speech_commands training.

A 49x40 spectrogram flattened to 1960 int8 values, RESHAPE to 49x40x1, Conv 8 filters 10x8
stride 2 SAME with ReLU, FULLY_CONNECTED to 4 classes (silence, unknown, yes, no), SOFTMAX.
"""
import numpy as np

NAME = "micro_speech"
SEED = 103
TASK = "keyword spotting"
NETWORK = "tiny conv"
INPUT = "49x40 spectrogram"
INPUT_SHAPE = (1960,)


def define(keras):
    layers = keras.layers
    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="spectrogram")
    x = layers.Reshape((49, 40, 1), name="frames")(inputs)
    x = layers.Conv2D(8, (10, 8), strides=2, padding="same", activation="relu", name="conv")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4, name="fc")(x)
    outputs = layers.Softmax(name="softmax")(x)
    return keras.Model(inputs, outputs, name=NAME)


def calibration_set(rng: np.random.Generator, n: int) -> np.ndarray:
    """Spectrogram-like values in [0, 26] (the example's feature range): a few formant bands
    rising and falling over the clip."""
    t = np.arange(49)[:, None] / 49.0
    f = np.arange(40)[None, :] / 40.0
    out = np.empty((n, 1960), np.float32)
    for k in range(n):
        s = rng.uniform(0, 4, (49, 40))
        for _ in range(rng.integers(1, 4)):
            centre, width = rng.uniform(0.1, 0.9), rng.uniform(0.03, 0.1)
            onset, length = rng.uniform(0, 0.5), rng.uniform(0.2, 0.5)
            env = ((t > onset) & (t < onset + length)).astype(float)
            s += rng.uniform(8, 20) * env * np.exp(-((f - centre) / width) ** 2)
        out[k] = np.clip(s, 0, 26).reshape(-1)
    return out
