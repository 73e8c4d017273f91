"""cfu-bench: co-design FPGA custom function units with the TinyML firmware that uses them."""

__version__ = "0.1.0"
