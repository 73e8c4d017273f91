import sys
from pathlib import Path

import pytest

from cfu_bench.model.models_registry import BENCHMARKS
from cfu_bench.model.tflite_model import load

# The shared reference table and checks sit next to the tests, not in an installed package.
sys.path.insert(0, str(Path(__file__).parent))

NAMES = list(BENCHMARKS)


@pytest.fixture(scope="session", params=NAMES)
def benchmark(request):
    """(name, parsed committed model) for each of the four benchmark models."""
    return request.param, load(BENCHMARKS[request.param].path)
