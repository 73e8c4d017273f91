"""Building what runs: the toolchain, the firmware, main RAM images, the host runtime."""
