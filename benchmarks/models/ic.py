"""Image classification (MLPerf Tiny IC): ResNet-8 on 32x32 RGB (CIFAR-10 shaped), 10 classes.

Reference layout: Conv 16 3x3, then three residual stacks (16, 32, 64 filters), each two 3x3
convs with BatchNorm (ReLU after the first), the second and third stacks with stride 2 and
a 1x1 stride-2 projection on the shortcut, joined by Add + ReLU; an 8x8 average pool,
Flatten and Dense(10) with softmax. The projection is defined after the stack's two convs,
as in the reference code: the converter keeps that order.
"""
import numpy as np

NAME = "ic"
SEED = 3
INPUT_SHAPE = (32, 32, 3)
CLASSES = 10
LOSS = "sparse_categorical_crossentropy"
TRAINING = dict(samples=2048, epochs=4, batch_size=32, learning_rate=2e-3)


def define(keras):
    layers = keras.layers

    def conv_bn(x, filters, kernel, stride, name, relu=True):
        x = layers.Conv2D(filters, kernel, strides=stride, padding="same", name=name)(x)
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
        return layers.ReLU(name=f"{name}_relu")(x) if relu else x

    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="image")
    x = conv_bn(inputs, 16, 3, 1, "conv1")
    y = conv_bn(x, 16, 3, 1, "stack1_a")
    y = conv_bn(y, 16, 3, 1, "stack1_b", relu=False)
    x = layers.ReLU(name="stack1_relu")(layers.Add(name="stack1_add")([x, y]))
    for stack, filters in ((2, 32), (3, 64)):
        y = conv_bn(x, filters, 3, 2, f"stack{stack}_a")
        y = conv_bn(y, filters, 3, 1, f"stack{stack}_b", relu=False)
        shortcut = layers.Conv2D(filters, 1, strides=2, padding="same",
                                 name=f"stack{stack}_proj")(x)
        x = layers.ReLU(name=f"stack{stack}_relu")(
            layers.Add(name=f"stack{stack}_add")([shortcut, y]))
    x = layers.AveragePooling2D(8, name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(CLASSES, activation="softmax", name="fc")(x)
    return keras.Model(inputs, outputs, name=NAME)


def training_set(rng: np.random.Generator, n: int):
    """Pixels 0..255 like the reference's CIFAR-10 input (int8 = pixel - 128).

    Each class is a hue and an oriented stripe texture of its own frequency, drawn with a
    random phase, contrast and brightness over a noisy background.
    """
    y = rng.integers(0, CLASSES, n)
    classes = np.random.default_rng(4321)
    hues = classes.uniform(90, 170, (CLASSES, 3))
    angles = np.linspace(0, np.pi, CLASSES, endpoint=False)
    freqs = classes.uniform(0.08, 0.3, CLASSES)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    a, f = angles[y][:, None, None], freqs[y][:, None, None]
    phase = rng.uniform(0, 2 * np.pi, (n, 1, 1))
    stripes = np.sin(2 * np.pi * f * (xx * np.cos(a) + yy * np.sin(a)) + phase)
    contrast = rng.uniform(0.05, 0.35, (n, 1, 1, 1))
    brightness = rng.uniform(0.7, 1.2, (n, 1, 1, 1))
    img = hues[y][:, None, None, :] * brightness * (1 + contrast * stripes[..., None])
    img += rng.normal(0, 40, img.shape)
    return np.clip(img, 0, 255).astype(np.float32), y
