"""What a run yields: reports (table, JSON, CSV, plot), mismatch dumps, FPGA resources."""
