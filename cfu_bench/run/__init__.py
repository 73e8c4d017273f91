"""Running on a target: the simulated SoC and the board, and the protocol of their output."""
