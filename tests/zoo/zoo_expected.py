"""The structure each zoo model must have: what TensorFlow's converter (or, for svdf_kws, our
builder) makes of its definition. A generator change that alters any of it must change
this table too, on purpose."""

PERSON_DETECT = {
    "ops": {"AVERAGE_POOL_2D": 1, "CONV_2D": 15, "DEPTHWISE_CONV_2D": 13, "RESHAPE": 1,
            "SOFTMAX": 1},
    "inputs": [([1, 96, 96, 1], "INT8")], "outputs": [([1, 2], "INT8")],
    "macs": 7_157_888, "types": {"INT8"}, "variables": 0,
}

EXPECTED = {
    "person_detect": PERSON_DETECT,
    "person_detect_q3": PERSON_DETECT,
    # No PAD: Keras's stride-2 ZeroPadding2D equals SAME padding at even sizes, and the
    # converter folds it into the convolution; no MUL or SUB either (the issue expected them
    # from models with preprocessing in the graph, which keras.applications leaves out).
    "mobilenet_v2": {
        "ops": {"ADD": 10, "CONV_2D": 35, "DEPTHWISE_CONV_2D": 17, "FULLY_CONNECTED": 1,
                "MEAN": 1, "SOFTMAX": 1},
        "inputs": [([1, 160, 160, 3], "INT8")], "outputs": [([1, 10], "INT8")],
        "macs": 29_607_600, "types": {"INT8"}, "variables": 0,
    },
    "micro_speech": {
        "ops": {"CONV_2D": 1, "FULLY_CONNECTED": 1, "RESHAPE": 2, "SOFTMAX": 1},
        "inputs": [([1, 1960], "INT8")], "outputs": [([1, 4], "INT8")],
        "macs": 336_000, "types": {"INT8"}, "variables": 0,
    },
    "magic_wand": {
        "ops": {"CONV_2D": 2, "DEQUANTIZE": 1, "FULLY_CONNECTED": 2, "MAX_POOL_2D": 2,
                "QUANTIZE": 1, "RESHAPE": 1, "SOFTMAX": 1},
        "inputs": [([1, 128, 3, 1], "FLOAT32")], "outputs": [([1, 4], "FLOAT32")],
        "macs": 62_016, "types": {"INT8", "FLOAT32"}, "variables": 0,
    },
    "svdf_kws": {
        "ops": {"FULLY_CONNECTED": 1, "SOFTMAX": 1, "SVDF": 2},
        "inputs": [([1, 40], "INT8")], "outputs": [([1, 4], "INT8")],
        "macs": 64 * 50 + 64 * 74 + 4 * 64, "types": {"INT8"}, "variables": 2,
    },
    "lstm_seq": {
        "ops": {"FULLY_CONNECTED": 1, "UNIDIRECTIONAL_SEQUENCE_LSTM": 1},
        "inputs": [([1, 20, 12], "INT8")], "outputs": [([1, 20, 5], "INT8")],
        "macs": 20 * 4 * 32 * (12 + 32) + 20 * 5 * 32, "types": {"INT8"}, "variables": 2,
    },
    "presence": {
        "ops": {"CONCATENATION": 1, "CONV_2D": 7, "FULLY_CONNECTED": 1, "LOGISTIC": 1,
                "MAX_POOL_2D": 4, "PAD": 1, "RESHAPE": 1, "STRIDED_SLICE": 1},
        "inputs": [([1, 240, 320, 1], "INT8")], "outputs": [([1, 1], "INT8")],
        "macs": 105_744_640, "types": {"INT8"}, "variables": 0,
    },
    "int16x8": {
        "ops": {"ADD": 1, "AVERAGE_POOL_2D": 1, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 1,
                "FULLY_CONNECTED": 1, "RESHAPE": 1, "SOFTMAX": 1},
        "inputs": [([1, 32, 32, 3], "INT16")], "outputs": [([1, 10], "INT16")],
        "macs": 545_792, "types": {"INT16"}, "variables": 0,
    },
}
