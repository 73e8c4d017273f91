"""Generators of the four MLPerf Tiny models (TensorFlow only needed to regenerate)."""
