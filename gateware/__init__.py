"""Reusable Amaranth for CFUs: the CFU port, instruction dispatch, arithmetic blocks, wrapper."""
