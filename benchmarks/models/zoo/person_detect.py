"""TFLM's person_detection example (CFU Playground's pdti8): MobileNetV1 alpha 0.25 on a
96x96 grayscale frame, person / no person.

Layout of TFLM's person_detect.tflite: Conv 8 3x3 stride 2, thirteen depthwise-separable
blocks (3x3 depthwise, 1x1 pointwise, ReLU6 as in slim's MobileNet), a 3x3 average pool, a
1x1 convolution to the 2 classes (slim's logits layer, not a Dense), RESHAPE and SOFTMAX.
"""
import numpy as np

NAME = "person_detect"
SEED = 101
TASK = "person detection"
NETWORK = "MobileNetV1 0.25"
INPUT = "96x96 grayscale"
INPUT_SHAPE = (96, 96, 1)
BLOCKS = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1),
          (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]


def define(keras):
    layers = keras.layers

    def bn_relu6(x, name):
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
        return layers.ReLU(6.0, name=f"{name}_relu")(x)

    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="image")
    x = bn_relu6(layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False,
                               name="conv1")(inputs), "conv1")
    for i, (filters, stride) in enumerate(BLOCKS, start=1):
        x = bn_relu6(layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False,
                                            name=f"dw{i}")(x), f"dw{i}")
        x = bn_relu6(layers.Conv2D(filters, 1, padding="same", use_bias=False,
                                   name=f"pw{i}")(x), f"pw{i}")
    x = layers.AveragePooling2D(3, name="pool")(x)
    x = layers.Conv2D(2, 1, name="logits")(x)
    x = layers.Reshape((2,), name="squeeze")(x)
    outputs = layers.Softmax(name="softmax")(x)
    return keras.Model(inputs, outputs, name=NAME)


def calibration_set(rng: np.random.Generator, n: int) -> np.ndarray:
    """Grayscale frames in [-1, 1]: smooth blobs over a gradient, like a camera's."""
    yy, xx = np.mgrid[0:96, 0:96] / 96.0
    out = np.empty((n, 96, 96, 1), np.float32)
    for k in range(n):
        img = rng.uniform(-0.5, 0.5) + 0.4 * (rng.uniform(-1, 1) * xx + rng.uniform(-1, 1) * yy)
        for _ in range(3):
            cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.3)
            img = img + rng.uniform(-0.8, 0.8) * (((xx - cx) ** 2 + (yy - cy) ** 2) < r * r)
        out[k, ..., 0] = np.clip(img + rng.normal(0, 0.05, img.shape), -1, 1)
    return out
