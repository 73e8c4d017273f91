"""The baseline CFU: cocotb on its generated Verilog."""
from pathlib import Path

from cfu_bench.cfu_test import run_design_tests

DESIGN = Path(__file__).resolve().parent.parent.name


def test_generated_verilog_passes_cocotb():
    assert run_design_tests(DESIGN, quiet=True)
