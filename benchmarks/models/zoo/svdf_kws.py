"""A streaming keyword model with SVDF layers, as TFLM's SVDF kernel and its tests lay it out.

One 40-value feature frame per inference: SVDF (64 units, rank 1, memory 10, ReLU), SVDF
(64 units, rank 1, memory 10, ReLU), FULLY_CONNECTED to 4 classes, SOFTMAX. Each SVDF has
5 inputs in TFLM's order: int8 input [1, 40], int8 feature weights [filters, input],
int16 time weights [filters, memory], int32 bias [units] with scale state x time-weight
scale (TFLM checks that), and its int16 activation state [1, memory x filters], a variable
tensor with zero point 0 (TFLM resets it to zero before the first inference).

How it differs from a converter's file: TensorFlow's converter does not emit SVDF from
Keras, so there is no converter output to match. The files that carry SVDF (TFLM's test
models, the TF1 speech_commands low-latency SVDF) were written the same way: float weights
quantized symmetrically (int8 features, int16 time), the state scale and output scale
calibrated on data. That is what build() does, on a float model of the same layers run over
synthetic feature streams.
"""
import numpy as np

NAME = "svdf_kws"
SEED = 105
TASK = "keyword spotting (streaming)"
NETWORK = "SVDF x2"
INPUT = "40-value frame"
FEATURES = 40
UNITS = 64
MEMORY = 10
CLASSES = 4
CALIBRATION_STEPS = 400


def _float_weights(rng):
    layers = []
    fan_in = FEATURES
    for _ in range(2):
        layers.append({"feature": rng.normal(0, 1 / np.sqrt(fan_in), (UNITS, fan_in)),
                       "time": rng.normal(0, 1 / np.sqrt(MEMORY), (UNITS, MEMORY)),
                       "bias": rng.normal(0, 0.1, UNITS)})
        fan_in = UNITS
    fc = {"weights": rng.normal(0, 1 / np.sqrt(UNITS), (CLASSES, UNITS)),
          "bias": rng.normal(0, 0.1, CLASSES)}
    return layers, fc


def _stream(rng, steps):
    """Filterbank-like frames in [0, 8]: bands that switch on and off over time."""
    bands = np.zeros(FEATURES)
    frames = []
    for _ in range(steps):
        if rng.random() < 0.1:
            bands = rng.uniform(0, 6, FEATURES) * (rng.random(FEATURES) < 0.3)
        frames.append(np.clip(bands + rng.uniform(0, 2, FEATURES), 0, 8))
    return np.array(frames)


def _float_run(layers, fc, frames):
    """Float SVDF over a stream: per layer the feature projections (state) and outputs."""
    states = [np.zeros((UNITS, MEMORY)) for _ in layers]
    trace = {"state": [[] for _ in layers], "out": [[] for _ in layers], "logits": []}
    for x in frames:
        for i, (layer, state) in enumerate(zip(layers, states)):
            state[:, :-1] = state[:, 1:]
            state[:, -1] = layer["feature"] @ x
            x = np.maximum((state * layer["time"]).sum(1) + layer["bias"], 0)
            trace["state"][i].append(state[:, -1].copy())
            trace["out"][i].append(x)
        trace["logits"].append(fc["weights"] @ x + fc["bias"])
    return {k: ([np.array(v) for v in vs] if k != "logits" else np.array(vs))
            for k, vs in trace.items()}


def _symmetric(w, bits):
    qmax = 2 ** (bits - 1) - 1
    scale = float(np.abs(w).max()) / qmax
    return np.round(w / scale).astype(np.int64), scale


def _asymmetric(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0
    return scale, int(np.clip(round(-128 - lo / scale), -128, 127))


def build() -> bytes:
    from cfu_bench.model.tflite_builder import ModelBuilder, fb

    rng = np.random.default_rng(SEED)
    layers, fc = _float_weights(rng)
    frames = _stream(rng, CALIBRATION_STEPS)
    trace = _float_run(layers, fc, frames)

    b = ModelBuilder("cfu-bench zoo svdf_kws")
    in_scale, in_zp = _asymmetric(0.0, float(frames.max()))
    x = b.input([1, FEATURES], scale=in_scale, zero_point=in_zp)
    x_scale = in_scale
    for i, layer in enumerate(layers):
        wf, wf_scale = _symmetric(layer["feature"], 8)
        wt, wt_scale = _symmetric(layer["time"], 16)
        state_scale = float(np.abs(trace["state"][i]).max()) * 1.25 / 32767
        bias_scale = float(np.float32(state_scale) * np.float32(wt_scale))
        out_scale, out_zp = _asymmetric(0.0, float(trace["out"][i].max()))
        filters, depth = wf.shape
        t_wf = b.tensor([filters, depth], "int8", wf_scale, 0, data=wf, name=f"svdf{i}/feature")
        t_wt = b.tensor([filters, MEMORY], "int16", wt_scale, 0, data=wt, name=f"svdf{i}/time")
        t_b = b.tensor([UNITS], "int32", bias_scale, 0, name=f"svdf{i}/bias",
                       data=np.round(layer["bias"] / bias_scale))
        t_s = b.tensor([1, MEMORY * filters], "int16", state_scale, 0, name=f"svdf{i}/state")
        b.tensors[t_s].isVariable = True
        y = b.tensor([1, UNITS], "int8", out_scale, out_zp, name=f"svdf{i}/out")
        opt = fb.SVDFOptionsT()
        opt.rank = 1
        opt.fusedActivationFunction = fb.ActivationFunctionType.RELU
        b.raw_op(fb.BuiltinOperator.SVDF, [x, t_wf, t_wt, t_b, t_s], [y],
                 fb.BuiltinOptions.SVDFOptions, opt)
        x, x_scale = y, out_scale
    w, w_scale = _symmetric(fc["weights"], 8)
    logits = trace["logits"]
    out_scale, out_zp = _asymmetric(float(logits.min()), float(logits.max()))
    y = b.fully_connected(x, w, np.round(fc["bias"] / (np.float32(x_scale) * np.float32(w_scale))),
                          w_scale, out_scale, out_zp)
    b.output(b.softmax(y))
    return b.build()
