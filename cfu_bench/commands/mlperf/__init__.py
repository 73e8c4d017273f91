"""MLPerf Tiny benchmark-runner protocol: the host side of firmware/mlperf/ (docs/mlperf.md)."""
from .runner import MlperfResult, boot_on_board, check, format_report, run_mlperf, write_json

__all__ = ["MlperfResult", "boot_on_board", "check", "format_report", "run_mlperf", "write_json"]
