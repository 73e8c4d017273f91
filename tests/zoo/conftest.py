import sys
from pathlib import Path

import pytest

from cfu_bench.model.models_registry import ZOO_MODELS

# zoo_expected.py (the structure each model must have) sits next to the tests.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session", params=list(ZOO_MODELS))
def zoo_model(request):
    """(name, committed bytes) of each zoo model."""
    z = ZOO_MODELS[request.param]
    assert z.path.is_file(), f"{z.path} is missing: it is committed; `cfu-bench models build {z.name}` remakes it"
    return z.name, z.path.read_bytes()
