"""Shared fixtures for the firmware runtime tests (host build vs TFLM)."""
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # runtime_opgen and runtime_checks live next to the tests

from cfu_bench.build import hostrt  # noqa: E402


def scale() -> float:
    """CFUB_TEST_SCALE=4 runs four times as many random cases (default 1)."""
    return float(os.environ.get("CFUB_TEST_SCALE", "1"))


@pytest.fixture(scope="session")
def hrt():
    return hostrt.default_runtime()
