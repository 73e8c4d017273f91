"""A sequence model with an LSTM: 20 time steps of 12 features, LSTM 32 units returning the
whole sequence, a per-step Dense to 5 classes.

The converter fuses Keras's LSTM into one UNIDIRECTIONAL_SEQUENCE_LSTM (int8 input and
output, int8 weights, int32 biases, an int16 cell state, an int8 hidden state held in
variable tensors, and the intermediate tensors that carry its gate quantization).

Built with Keras 2 (tf-keras): its LSTM layer marks its graph as an LSTM for the converter,
which fuses it. Keras 3's LSTM reaches the converter as a WHILE loop, and TensorFlow 2.21's
int8 calibrator crashes on that loop (tensorflow/tensorflow#75140).
"""
import numpy as np

NAME = "lstm_seq"
SEED = 106
TASK = "sequence classification"
NETWORK = "LSTM 32"
INPUT = "20x12 sequence"
INPUT_SHAPE = (20, 12)
KERAS = "tf_keras"


def define(keras):
    layers = keras.layers
    inputs = keras.Input(INPUT_SHAPE, batch_size=1, name="sequence")
    x = layers.LSTM(32, return_sequences=True, name="lstm")(inputs)
    outputs = layers.Dense(5, name="fc")(x)
    return keras.Model(inputs, outputs, name=NAME)


def calibration_set(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sensor-like sequences: slow sinusoids with noise, in about [-2, 2]."""
    t = np.arange(20)[None, :, None]
    freq = rng.uniform(0.02, 0.3, (n, 1, 12))
    phase = rng.uniform(0, 2 * np.pi, (n, 1, 12))
    x = 1.5 * np.sin(2 * np.pi * freq * t + phase) + rng.normal(0, 0.2, (n, 20, 12))
    return x.astype(np.float32)
