"""Converter settings for the zoo: TensorFlow's converter, as a user of each model would run it.

Unlike the MLPerf Tiny benchmarks (training.convert_int8, which matches the reference files'
per-tensor dense weights), the zoo takes the converter's defaults: per-channel weights
everywhere it offers them. Only the edges (int8, float32 or int16) and the op set change.
"""
from __future__ import annotations

import contextlib
import io

import numpy as np

# Activation schemes: the op set the converter targets and the edge type it is asked for.
INT8 = "int8"
INT16X8 = "int16x8"


def convert(tf, model, calibration: np.ndarray, *, scheme: str = INT8,
            float_edges: bool = False) -> bytes:
    """Full-integer conversion of a Keras model, calibrated on `calibration` (one sample per
    row). float_edges keeps float32 input and output, so the converter adds QUANTIZE and
    DEQUANTIZE ops; otherwise the edges carry the activation type."""
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if scheme == INT16X8:
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
        edge = tf.int16
    else:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        edge = tf.int8
    if not float_edges:
        converter.inference_input_type = edge
        converter.inference_output_type = edge

    def representative():
        for sample in calibration:
            yield [sample[None].astype(np.float32)]

    converter.representative_dataset = representative
    with contextlib.redirect_stdout(io.StringIO()):  # Keras's export lists every variable
        return bytes(converter.convert())
