"""LiteX SoC definitions: the Verilator simulation SoC and the Arty A7 target."""
