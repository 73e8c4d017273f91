"""The MLPerf Tiny benchmark models and the benchmark suite."""
