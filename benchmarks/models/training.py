"""TensorFlow side of the generators: deterministic setup, a short training run, int8 conversion.

TensorFlow is imported here, lazily, and by nothing the workbench runs at profile time.
"""
from __future__ import annotations

import contextlib
import io
import os

import numpy as np

from ...errors import ToolMissing

# Fixed before TensorFlow loads: oneDNN picks kernels by the CPU it finds at run time, and a
# thread pool splits reductions by core count; both change float rounding from machine to
# machine. Eigen's kernels on one thread with op determinism leave only the TensorFlow build
# and the CPU architecture to decide the bits (tests/models/test_generator.py checks them).
_ENV = {"TF_ENABLE_ONEDNN_OPTS": "0", "TF_DETERMINISTIC_OPS": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
        "CUDA_VISIBLE_DEVICES": ""}


def tensorflow():
    """Imports TensorFlow and Keras configured for reproducible builds; returns (tf, keras)."""
    os.environ.update(_ENV)
    try:
        import tensorflow as tf
        import keras
    except ImportError as e:
        raise ToolMissing(f"TensorFlow is needed to build models ({e}); "
                          "run: scripts/setup.sh --models") from None

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # already running in this process (an earlier build): the settings stand
    tf.config.experimental.enable_op_determinism()
    tf.get_logger().setLevel("ERROR")
    return tf, keras


def reset(keras, seed: int) -> None:
    """Fresh layer-name counters and seeds, so a model's bytes do not depend on build order."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)


def fit(keras, model, x: np.ndarray, y: np.ndarray, *, loss: str, epochs: int,
        batch_size: int, learning_rate: float) -> dict:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss,
                  metrics=["accuracy"] if "crossentropy" in loss else [])
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    _refresh_batchnorm(keras, model, x, batch_size)
    metrics = {k: float(v[-1]) for k, v in history.history.items()}
    # Inference-mode metrics: what the converted model inherits.
    evaluated = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    metrics.update({f"eval_{k}": float(v) for k, v in evaluated.items()})
    return metrics


def _refresh_batchnorm(keras, model, x: np.ndarray, batch_size: int,
                       batches: int = 64) -> None:
    """Re-estimates BatchNorm's moving statistics for the final weights.

    In a run this short the weights move fast and the moving averages lag behind them, so
    the inference-mode model (the one that gets folded and converted) would disagree with
    the trained one. Forward passes in training mode with no weight update fix that.
    """
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    saved = [layer.momentum for layer in norms]
    for layer in norms:
        layer.momentum = 0.9
    for i in range(batches):
        start = (i * batch_size) % max(1, len(x) - batch_size)
        model(x[start:start + batch_size], training=True)
    for layer, momentum in zip(norms, saved):
        layer.momentum = momentum


def convert_int8(tf, model, calibration: np.ndarray) -> bytes:
    """Full-integer conversion in the MLPerf Tiny reference's scheme.

    int8 in and out, int8 activations per tensor, conv and depthwise weights per channel,
    fully connected weights per tensor (as the reference files have them), int32 biases.
    """
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    converter._experimental_disable_per_channel_quantization_for_dense_layers = True

    def representative():
        for sample in calibration:
            yield [sample[None].astype(np.float32)]

    converter.representative_dataset = representative
    # Keras's export prints a listing of every captured variable: noise for our users.
    with contextlib.redirect_stdout(io.StringIO()):
        return bytes(converter.convert())
