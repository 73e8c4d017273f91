import pytest

from cfu_bench.run.simulate import prepare


@pytest.fixture(scope="session")
def template_target():
    """The simulation SoC with the small template CFU and its self-test firmware."""
    return prepare("template")
