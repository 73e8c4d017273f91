"""A human-presence detector in the style of CFU Playground's hps models, on a 320x240
grayscale frame: explicit PAD, an inception-style CONCATENATION of a 1x1 and a 3x3 branch,
MAX_POOL_2D between stages, a centre crop (STRIDED_SLICE) and a LOGISTIC output.

About 105 M MACs, not the ~475 M of the largest CFU Playground hps model: the 320x240 input,
the ~300 KB activation (120x160x16 after the first conv) and ~0.75 MB of weights are kept,
so the size limits are exercised, while a Verilator run of it stays within an hour.
"""
import numpy as np

NAME = "presence"
SEED = 107
TASK = "human presence"
NETWORK = "conv/concat/max-pool"
INPUT = "320x240 grayscale"
INPUT_SHAPE = (240, 320, 1)


def define(keras):
    layers = keras.layers
    relu = "relu"
    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="frame")
    x = layers.ZeroPadding2D(1, name="pad")(inputs)
    x = layers.Conv2D(16, 3, strides=2, activation=relu, name="stem")(x)        # 120x160x16
    x = layers.MaxPooling2D(2, name="pool1")(x)                                  # 60x80x16
    x = layers.Conv2D(32, 3, padding="same", activation=relu, name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)                                  # 30x40x32
    a = layers.Conv2D(32, 1, activation=relu, name="mix_1x1")(x)
    b = layers.Conv2D(32, 3, padding="same", activation=relu, name="mix_3x3")(x)
    x = layers.Concatenate(name="mix")([a, b])                                   # 30x40x64
    x = layers.MaxPooling2D(2, name="pool3")(x)                                  # 15x20x64
    x = layers.Conv2D(128, 3, padding="same", activation=relu, name="conv4")(x)
    x = layers.MaxPooling2D(2, name="pool4")(x)                                  # 7x10x128
    x = layers.Conv2D(256, 3, padding="same", activation=relu, name="conv5")(x)
    x = layers.Conv2D(160, 3, padding="same", activation=relu, name="conv6")(x)
    x = layers.Cropping2D(1, name="centre")(x)                                   # 5x8x160
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="present")(x)
    return keras.Model(inputs, outputs, name=NAME)


def calibration_set(rng: np.random.Generator, n: int) -> np.ndarray:
    """Frames in [0, 1]: a lit room (gradient, a few rectangles) with or without a figure."""
    yy, xx = np.mgrid[0:240, 0:320]
    out = np.empty((n, 240, 320, 1), np.float32)
    for k in range(n):
        img = rng.uniform(0.2, 0.6) + 0.2 * (xx / 320.0) * rng.uniform(-1, 1)
        for _ in range(4):
            y0, x0 = rng.integers(0, 200), rng.integers(0, 280)
            img[y0:y0 + rng.integers(10, 80), x0:x0 + rng.integers(10, 120)] += rng.uniform(-0.3, 0.3)
        if k % 2:
            cx, top, h = rng.integers(60, 260), rng.integers(20, 100), rng.integers(80, 140)
            body = (np.abs(xx - cx) < h // 6) & (yy > top + h // 5) & (yy < top + h)
            head = (xx - cx) ** 2 + (yy - top - h // 10) ** 2 < (h // 10) ** 2
            img[body | head] = rng.uniform(0, 1)
        out[k, ..., 0] = np.clip(img + rng.normal(0, 0.03, img.shape), 0, 1)
    return out
