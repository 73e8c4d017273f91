"""`cfu-bench test` on a wrong CFU: the first failing instruction, both values, the seed."""
import re

from click.testing import CliRunner

from cfu_bench.commands import verify
from cfu_bench.commands.cli import main
from cfu_bench.designs import load_design
from cfu_bench.gateware.simd import SimdDot
from cfu_bench.testing import seeds
from cfu_bench.testing.faults import NegatedLane


def test_failing_design_shows_command_expected_answer_and_seed(monkeypatch):
    wrong = load_design("template").with_fault(NegatedLane(SimdDot, 1))
    monkeypatch.setattr(verify, "load_design", lambda name: wrong)
    r = CliRunner().invoke(main, ["test", "template", "--no-soc", "--quiet"])
    assert r.exit_code == 1, r.output
    line = next(l for l in r.output.splitlines() if l.startswith("FAIL"))
    m = re.search(r"command #\d+ (.+): CFU answered (0x[0-9a-f]{8}), model says (0x[0-9a-f]{8})", line)
    assert m and m.group(2) != m.group(3), line
    assert f"{seeds.ENV_VAR}={seeds.base_seed()} reproduces this run" in line
