"""Regenerate tests/data/shape_ops_converted.tflite: what TensorFlow's converter (full int8)
makes of a graph using every data-movement and resize op: tf.pad, strided slices with steps,
tf.concat, tf.transpose, bilinear and nearest resizes, space_to_depth/depth_to_space,
tf.split, tf.unstack/tf.stack, tf.squeeze/tf.expand_dims, tf.gather, tf.slice. The converter
adds its own QUANTIZE (requantizing int8) and DEQUANTIZE ops around them.

    .venv/bin/python tests/runtime/make_shape_converted.py      # needs TensorFlow (about 20 s)
"""
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data" / "shape_ops_converted.tflite"


def convert() -> bytes:
    import tensorflow as tf

    w = tf.constant(np.random.default_rng(1).uniform(-1, 1, (3, 3, 4, 8)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([1, 8, 6, 4], tf.float32)])
    def graph(x):
        y = tf.pad(x, [[0, 0], [1, 1], [2, 2], [0, 0]])
        y = tf.nn.conv2d(y, w, 1, "VALID")
        z = tf.concat([y[:, ::2, 1:, :4], y[:, 1::2, :-1, 4:]], axis=-1)
        z = tf.transpose(z, [0, 2, 1, 3])
        z = tf.image.resize(z, [12, 10], method="bilinear")
        z = tf.image.resize(z, [24, 20], method="nearest")
        z = tf.nn.depth_to_space(tf.nn.space_to_depth(z, 2), 2)
        s1, s2 = tf.split(z, 2, axis=-1)
        st = tf.stack(tf.unstack(s1, axis=1)[:3], axis=1)
        g = tf.gather(tf.slice(s2, [0, 1, 0, 0], [1, 3, 20, 4]), [3, 0, 2], axis=2)
        return tf.concat([st[:, :, :3], g], axis=-1), tf.squeeze(tf.expand_dims(s2, 0), 0) + 0.5

    conv = tf.lite.TFLiteConverter.from_concrete_functions([graph.get_concrete_function()], graph)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(0)
    conv.representative_dataset = lambda: ([rng.uniform(-1, 1, (1, 8, 6, 4)).astype(np.float32)] for _ in range(20))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return conv.convert()


if __name__ == "__main__":
    data = convert()
    OUT.write_bytes(data)
    print(OUT, len(data))
