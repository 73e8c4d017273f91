"""The commands built on the stages: profile, the benchmark suite, sweeps, MLPerf Tiny,
test, new, and the click CLI over them."""
