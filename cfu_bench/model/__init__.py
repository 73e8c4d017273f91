"""The model and its golden outputs: reading .tflite files, building small test models,
TFLM's outputs for the bit-exactness check, per-layer info, the benchmark registry."""
