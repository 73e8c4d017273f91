"""Testing support shared by every CFU design: the one seed, the cocotb driver and suite,
the pytest suite a design's tests inherit, fault injection, and the C emulation harness."""
