"""pytest plugin (loaded by pyproject's addopts): the run's seed in the header, and on every
failure the line that reproduces it."""
import pytest

from . import seeds


def pytest_report_header(config):
    return f"cfu-bench seed: {seeds.base_seed()} (set {seeds.ENV_VAR} to change it)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        report.sections.append(("seed", seeds.reproduce_hint()))
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if terminalreporter.stats.get("failed") or terminalreporter.stats.get("error"):
        terminalreporter.write_line(f"failures above: {seeds.reproduce_hint()}")
