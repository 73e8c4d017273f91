"""Regenerate tests/data/resource_variable.tflite: what TensorFlow's converter makes of a
tf.Variable state updated on every call (resource variables on, full int8 with float state):
subgraph 0 starts with CALL_ONCE of an init subgraph (VAR_HANDLE + ASSIGN_VARIABLE of the
initial value), then VAR_HANDLE, READ_VARIABLE, ..., ASSIGN_VARIABLE of the new state.

    .venv/bin/python tests/runtime/make_stateful.py      # needs TensorFlow (about 15 s)
"""
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data" / "resource_variable.tflite"


def convert() -> bytes:
    import tensorflow as tf

    class Stateful(tf.Module):
        def __init__(self):
            self.state = tf.Variable(tf.zeros([1, 8]), trainable=False)
            self.w = tf.constant(np.random.default_rng(0).uniform(-1, 1, (8, 8)).astype(np.float32))

        @tf.function(input_signature=[tf.TensorSpec([1, 8], tf.float32)])
        def __call__(self, x):
            h = tf.nn.relu(tf.matmul(x, self.w) + self.state)
            self.state.assign(h)
            return h + x

    m = Stateful()
    conv = tf.lite.TFLiteConverter.from_concrete_functions([m.__call__.get_concrete_function()], m)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(1)
    conv.representative_dataset = lambda: ([rng.uniform(-1, 1, (1, 8)).astype(np.float32)] for _ in range(50))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    conv.experimental_enable_resource_variables = True
    return conv.convert()


if __name__ == "__main__":
    OUT.write_bytes(convert())
    print(OUT, OUT.stat().st_size)
