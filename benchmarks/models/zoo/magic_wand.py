"""TFLM's magic_wand example: gestures from a 128-sample, 3-axis accelerometer window.

Float32 input and output, as the example's model has them: the converter puts QUANTIZE at
the input and DEQUANTIZE at the output. Conv 8 (4x3) ReLU, MaxPool 3x3, Conv 16 (4x1) ReLU,
MaxPool 3x1, Flatten, Dense 16 ReLU, Dense 4, Softmax (dropout vanishes at inference).
"""
import numpy as np

NAME = "magic_wand"
SEED = 104
TASK = "gesture recognition"
NETWORK = "conv/max-pool"
INPUT = "128x3 accelerometer (float)"
INPUT_SHAPE = (128, 3, 1)
FLOAT_EDGES = True


def define(keras):
    layers = keras.layers
    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="accel")
    x = layers.Conv2D(8, (4, 3), padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D((3, 3), name="pool1")(x)
    x = layers.Conv2D(16, (4, 1), padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D((3, 1), padding="same", name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(16, activation="relu", name="fc1")(x)
    x = layers.Dense(4, name="fc2")(x)
    outputs = layers.Softmax(name="softmax")(x)
    return keras.Model(inputs, outputs, name=NAME)


def calibration_set(rng: np.random.Generator, n: int) -> np.ndarray:
    """Accelerometer traces in g: gravity on one axis plus a gesture's swings, within the
    +-4 g of a phone's sensor (and of the workbench's random float inputs)."""
    t = np.arange(128)[:, None] / 128.0
    out = np.empty((n, 128, 3, 1), np.float32)
    for k in range(n):
        trace = np.zeros((128, 3)) + rng.normal(0, 0.03, 3)
        trace[:, rng.integers(3)] += 1.0
        freq, phase = rng.uniform(1, 4, 3), rng.uniform(0, 2 * np.pi, 3)
        trace += rng.uniform(0.1, 2.5, 3) * np.sin(2 * np.pi * freq * t + phase)
        out[k, :, :, 0] = trace + rng.normal(0, 0.02, (128, 3))
    return out
