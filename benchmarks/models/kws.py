"""Keyword spotting (MLPerf Tiny KWS): DS-CNN on 49 frames x 10 MFCC coefficients, 12 classes.

Reference layout: Conv 64 10x4 stride 2, four depthwise-separable blocks (3x3 depthwise,
1x1 pointwise 64), each conv followed by BatchNorm and ReLU, a 25x5 average pool, Flatten
and Dense(12) with softmax.
"""
import numpy as np

NAME = "kws"
SEED = 1
INPUT_SHAPE = (49, 10, 1)
CLASSES = 12
LOSS = "sparse_categorical_crossentropy"
TRAINING = dict(samples=3072, epochs=6, batch_size=64, learning_rate=3e-3)


def define(keras):
    layers = keras.layers

    def bn_relu(x, name):
        return layers.ReLU(name=f"{name}_relu")(layers.BatchNormalization(name=f"{name}_bn")(x))

    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="mfcc")
    x = layers.Conv2D(64, (10, 4), strides=2, padding="same", name="conv1")(inputs)
    x = bn_relu(x, "conv1")
    for i in range(1, 5):
        x = bn_relu(layers.DepthwiseConv2D(3, padding="same", name=f"dw{i}")(x), f"dw{i}")
        x = bn_relu(layers.Conv2D(64, 1, padding="same", name=f"pw{i}")(x), f"pw{i}")
    x = layers.AveragePooling2D((25, 5), name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(CLASSES, activation="softmax", name="fc")(x)
    return keras.Model(inputs, outputs, name=NAME)


def _word_templates() -> np.ndarray:
    # Fixed per class (own seed): a word is a smooth path through cepstral space.
    rng = np.random.default_rng(1234)
    knots = rng.normal(0.0, 1.0, (CLASSES, 6, 9))
    t = np.linspace(0, 5, 24)
    i = np.minimum(t.astype(int), 4)
    frac = (t - i)[None, :, None]
    # Words share much of their shape (vowels, onsets), which keeps the task from being trivial.
    knots = 0.6 * knots + 0.8 * rng.normal(0.0, 1.0, (1, 6, 9))
    return knots[:, i] * (1 - frac) + knots[:, i + 1] * frac      # (classes, 24 frames, 9)


def training_set(rng: np.random.Generator, n: int):
    """MFCC-like clips: class 0 silence, class 1 unknown (random word), 2..11 keywords.

    Coefficient 0 is the log energy: about -110 in silence, rising towards 0 while the word
    is spoken; the others follow the class's template, scaled down with order as in real
    MFCCs. Values span roughly -125..+30, the range of the reference model's input.
    """
    y = rng.integers(0, CLASSES, n)
    templates = _word_templates()
    x = np.empty((n, 49, 10), np.float32)
    x[:, :, 0] = rng.normal(-110.0, 4.0, (n, 1)) + rng.normal(0.0, 2.0, (n, 49))
    x[:, :, 1:] = rng.normal(0.0, 5.0, (n, 49, 9))
    order_scale = 15.0 / (1.0 + 0.35 * np.arange(9))
    for j in np.flatnonzero(y > 0):
        start = rng.integers(0, 49 - 24)
        env = np.sin(np.linspace(0, np.pi, 24)) ** 0.5
        word = templates[y[j]] if y[j] > 1 else rng.normal(0.0, 1.0, (24, 9))
        loud = rng.uniform(0.3, 1.1)
        x[j, start:start + 24, 0] += 100.0 * loud * env
        x[j, start:start + 24, 1:] += loud * env[:, None] * word * order_scale
    return x[..., None], y
