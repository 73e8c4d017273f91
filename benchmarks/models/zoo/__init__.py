"""The model zoo: TFLM's public int8 model structures, generated here like the benchmarks."""
