"""A small conv / depthwise / fully connected model in TFLite's 16x8 scheme: int16
activations (symmetric, zero point 0), int8 weights, int64 biases for conv and depthwise,
int16 input and output. Converted with EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8.
"""
import numpy as np

NAME = "int16x8"
SEED = 108
TASK = "image classification (16x8)"
NETWORK = "conv/dw/fc"
INPUT = "32x32 RGB (int16)"
INPUT_SHAPE = (32, 32, 3)
SCHEME = "int16x8"


def define(keras):
    layers = keras.layers
    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="image")
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.DepthwiseConv2D(3, padding="same", activation="relu", name="dw1")(x)
    x = layers.Conv2D(32, 1, activation="relu", name="pw1")(x)
    x = layers.Add(name="residual")([x, layers.Conv2D(32, 1, name="proj")(x)])
    x = layers.AveragePooling2D(4, name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(10, name="fc")(x)
    outputs = layers.Softmax(name="softmax")(x)
    return keras.Model(inputs, outputs, name=NAME)


def calibration_set(rng: np.random.Generator, n: int) -> np.ndarray:
    """Colour textures in [0, 1]."""
    yy, xx = np.mgrid[0:32, 0:32] / 32.0
    freq = rng.uniform(1, 6, (n, 1, 1, 3))
    img = 0.5 + 0.4 * np.sin(2 * np.pi * freq * (xx + yy)[None, ..., None])
    return np.clip(img + rng.normal(0, 0.05, (n, 32, 32, 3)), 0, 1).astype(np.float32)
