"""The pytest suite every CFU design inherits: its cocotb tests on Verilator, a deliberately
wrong build that those tests must reject, the core in Amaranth's simulator, and the C
emulation against the golden model.

A design's `tests/test_<name>.py` names itself and takes the parts that apply:

    class TestMine(CocotbTests, WrongCfuTests, AmaranthTests, EmulationTests):
        design = "mine"
        model = GoldenModel
        commands = staticmethod(random_commands)
        fault = NegatedLane(SimdDot, 1)

Randomness comes from the one seed (`seeds`); a failure says which seed reproduces it.
"""
from pathlib import Path

import pytest

from cfu_bench.designs import load_design
from cfu_bench.paths import CFU_DESIGNS

from . import seeds
from .amaranth_sim import simulate_commands
from .cocotb_runner import run_cocotb, run_design_tests
from .emulation import RESET_LINE, compile_for_target, emulation_mismatches


def design_name(test_file: str) -> str:
    """The design a test file belongs to, as load_design takes it: <design>/tests/test_<name>.py
    names the library design <name> under cfu/, or else its design folder's path."""
    folder = Path(test_file).resolve().parent.parent
    return folder.name if folder.parent == CFU_DESIGNS.resolve() else str(folder)


class _DesignTest:
    design: str
    model: type
    commands = None          # staticmethod(rng, n) -> [(funct3, funct7, in0, in1)]
    params: dict = {}        # design parameters (a non-default point of a parameterised design)

    @pytest.fixture
    def loaded(self):
        return load_design(self.design, **self.params)

    @property
    def label(self) -> str:
        """The design's name, whether `design` is a name or a folder path: what seeds derive
        from, so a design draws the same stimulus wherever its folder is."""
        return Path(self.design).name

    def rng(self, test: str):
        return seeds.rng(self.label, test)


class CocotbTests(_DesignTest):
    def test_generated_verilog_passes_cocotb(self, loaded):
        assert run_design_tests(loaded).total >= 3


class WrongCfuTests(_DesignTest):
    fault = None
    # cocotb tests that only time instructions, and so need not notice a wrong result
    timing_only: frozenset = frozenset()

    @pytest.mark.slow   # a second Verilator build (30 s to a minute)
    def test_wrong_cfu_fails_cocotb(self, loaded):
        """Every cocotb test that checks results must reject a CFU with the design's fault."""
        results = run_cocotb(loaded.with_fault(self.fault))
        checking = set(results.cases) - self.timing_only
        assert checking and set(results.cases) >= self.timing_only, results.cases
        missed = checking - set(results.failed)
        assert not missed, f"passed with fault {self.fault.name}: {sorted(missed)} ({seeds.reproduce_hint()})"


class AmaranthTests(_DesignTest):
    amaranth_commands = 300

    def test_core_in_amaranth_simulator(self, loaded):
        commands = self.commands(self.rng("amaranth"), self.amaranth_commands)
        model = self.model()
        expected = [model.execute(*c) for c in commands]
        assert simulate_commands(loaded.core(), commands, stall_prob=0.3,
                                 seed=seeds.derive(self.label, "amaranth-stalls")) == expected


class EmulationTests(_DesignTest):
    emulation_commands = 3000

    def test_c_emulation_matches_model(self, loaded):
        commands = self.commands(self.rng("emulation"), self.emulation_commands)
        commands.insert(len(commands) // 2, RESET_LINE)
        assert emulation_mismatches(loaded.name, loaded.kernels_dir, self.model(), commands,
                                    defines=loaded.kernel_defines()) == []

    def test_kernels_compile_for_the_cpu(self, loaded, tmp_path):
        assert loaded.selftest_available
        compile_for_target(loaded.kernel_sources(), loaded.kernel_include_dirs(), tmp_path,
                           defines=loaded.kernel_defines())
