"""MobileNetV2 alpha 0.35 at 160x160 RGB, as keras.applications defines it (10 classes).

The converter turns ZeroPadding2D into PAD, ReLU(6) into fused RELU6, the residual sums into
ADD, GlobalAveragePooling2D into MEAN, and the head into FULLY_CONNECTED + SOFTMAX.
"""
import numpy as np

NAME = "mobilenet_v2"
SEED = 102
TASK = "image classification"
NETWORK = "MobileNetV2 0.35"
INPUT = "160x160 RGB"
INPUT_SHAPE = (160, 160, 3)
CLASSES = 10


def define(keras):
    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="image")
    body = keras.applications.MobileNetV2(input_tensor=inputs, alpha=0.35, weights=None,
                                          classes=CLASSES, include_top=True)
    return keras.Model(inputs, body.output, name=NAME)


def calibration_set(rng: np.random.Generator, n: int) -> np.ndarray:
    """Images in [-1, 1] (MobileNetV2's preprocessing range): colour gradients and noise."""
    yy, xx = np.mgrid[0:160, 0:160] / 160.0
    base = rng.uniform(-0.6, 0.6, (n, 1, 1, 3))
    tilt = rng.uniform(-0.4, 0.4, (n, 1, 1, 3))
    img = base + tilt * (xx + yy)[None, ..., None] + rng.normal(0, 0.15, (n, 160, 160, 3))
    return np.clip(img, -1, 1).astype(np.float32)
