"""Visual wake words (MLPerf Tiny VWW): MobileNetV1 alpha 0.25 on 96x96 RGB, person / no person.

Reference layout: Conv 8 3x3 stride 2, thirteen depthwise-separable blocks (3x3 depthwise,
1x1 pointwise), each conv followed by BatchNorm and ReLU, all with SAME padding (no explicit
PAD ops), a 3x3 average pool, Flatten and Dense(2) with softmax.
"""
import numpy as np

NAME = "vww"
SEED = 2
INPUT_SHAPE = (96, 96, 3)
LOSS = "sparse_categorical_crossentropy"
TRAINING = dict(samples=1024, epochs=5, batch_size=32, learning_rate=5e-3)
# (pointwise filters, depthwise stride) per block, MobileNetV1 with alpha 0.25
BLOCKS = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1),
          (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]


def define(keras):
    layers = keras.layers

    def bn_relu(x, name):
        return layers.ReLU(name=f"{name}_relu")(layers.BatchNormalization(name=f"{name}_bn")(x))

    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="image")
    x = bn_relu(layers.Conv2D(8, 3, strides=2, padding="same", name="conv1")(inputs), "conv1")
    for i, (filters, stride) in enumerate(BLOCKS, start=1):
        x = bn_relu(layers.DepthwiseConv2D(3, strides=stride, padding="same", name=f"dw{i}")(x),
                    f"dw{i}")
        x = bn_relu(layers.Conv2D(filters, 1, padding="same", name=f"pw{i}")(x), f"pw{i}")
    x = layers.AveragePooling2D(3, name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(2, activation="softmax", name="fc")(x)
    return keras.Model(inputs, outputs, name=NAME)


def _upsample(coarse: np.ndarray, size: int) -> np.ndarray:
    """Bilinear upsampling of (n, c, c, ch) noise to (n, size, size, ch): smooth structure."""
    c = coarse.shape[1]
    pos = np.linspace(0, c - 1, size)
    i = np.minimum(pos.astype(int), c - 2)
    f = (pos - i)[None, :, None, None]
    rows = coarse[:, i] * (1 - f) + coarse[:, i + 1] * f
    f = f.reshape(1, 1, size, 1)
    return rows[:, :, i] * (1 - f) + rows[:, :, i + 1] * f


def training_set(rng: np.random.Generator, n: int):
    """Scenes in [0, 1] like the reference's rescaled camera frames; label 1 if a person.

    Background: a colour gradient plus smooth clutter. A "person" is a head and a body
    (two ellipses) of random size, place and clothing colour.
    """
    size = INPUT_SHAPE[0]
    y = rng.integers(0, 2, n)
    base = rng.uniform(0.2, 0.8, (n, 1, 1, 3))
    yy, xx = np.mgrid[0:size, 0:size] / size
    angle = rng.uniform(0, 2 * np.pi, (n, 1, 1, 1))
    gradient = 0.25 * (np.cos(angle) * xx[None, ..., None] + np.sin(angle) * yy[None, ..., None])
    clutter = 0.25 * _upsample(rng.normal(0, 1, (n, 7, 7, 3)), size)
    img = base + gradient + clutter + rng.normal(0, 0.05, (n, size, size, 3))
    for j in np.flatnonzero(y):
        h = rng.uniform(0.3, 0.8)
        cx, top = rng.uniform(0.2, 0.8), rng.uniform(0.0, 1.0 - h)
        head_r, body_w = 0.09 * h, 0.16 * h
        head = ((xx - cx) ** 2 + (yy - top - head_r) ** 2) < head_r ** 2
        body = (((xx - cx) / body_w) ** 2 + ((yy - top - 2 * head_r - 0.5 * (h - 2 * head_r))
                                              / (0.5 * (h - 2 * head_r))) ** 2) < 1
        img[j][head] = rng.uniform([0.55, 0.4, 0.3], [0.9, 0.7, 0.6])
        img[j][body] = rng.uniform(0.0, 1.0, 3)
    return np.clip(img, 0.0, 1.0).astype(np.float32), y
