"""Building, caching and running the Verilator model of the SoC."""
