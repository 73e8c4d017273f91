"""Tests of this CFU: cocotb on the generated Verilog (tb_template.py), the Amaranth core in
Amaranth's simulator, and the C emulation and self-test against the golden model."""
import random
from pathlib import Path

import pytest

from cfu_bench.cfu_test import run_cocotb_cases, run_design_tests
from cfu_bench.gateware.amaranth_sim import simulate_commands
from cfu_bench.gateware.designs import load_design
from cfu_bench.gateware.emulation import RESET_LINE, compile_for_target, emulation_mismatches
from template_model import ACC, DOT4, SET_OFFSET, GoldenModel, random_commands

DESIGN = Path(__file__).resolve().parent.parent.name


def test_generated_verilog_passes_cocotb():
    assert run_design_tests(DESIGN, quiet=True)


@pytest.mark.slow   # a second Verilator build (about 30 s)
def test_wrong_cfu_fails_cocotb():
    """The tests must catch a CFU with one lane's product negated: every one fails."""
    cases = run_cocotb_cases(DESIGN, {"negate_lane": 1})
    assert cases and not any(cases.values())


def test_core_in_amaranth_simulator():
    design = load_design(DESIGN)
    commands = [(SET_OFFSET, 0, 128, 0), (DOT4, 0, 0x80807F01, 0x7F80FF01),
                (ACC, 1, 0x7FFFFFFF, 0), (ACC, 0, 0x01010101, 0x01010101)]
    commands += random_commands(random.Random(1), 200)
    model = GoldenModel()
    assert simulate_commands(design.core(), commands) == [model.execute(*c) for c in commands]


def test_known_values():
    model = GoldenModel()
    model.execute(SET_OFFSET, 0, 128, 0)
    # (1+128)*1 + (127+128)*-1 + (-128+128)*-128 + (-128+128)*127
    assert model.execute(DOT4, 0, 0x80807F01, 0x7F80FF01) == (129 - 255) & 0xFFFFFFFF
    assert model.execute(ACC, 1, 0x7FFFFFFF, 0) == 0
    # 0x7fffffff + 4*(1+128) wraps like the 32-bit register
    assert model.execute(ACC, 0, 0x01010101, 0x01010101) == (0x7FFFFFFF + 4 * 129) & 0xFFFFFFFF


def test_c_emulation_matches_model(tmp_path):
    design = load_design(DESIGN)
    commands = random_commands(random.Random(2), 3000)
    commands.insert(1500, RESET_LINE)
    assert emulation_mismatches(DESIGN, design.kernels_dir, GoldenModel(), commands) == []


def test_kernels_compile_for_the_cpu(tmp_path):
    design = load_design(DESIGN)
    assert design.selftest_available
    compile_for_target(design.kernel_sources(), design.kernel_include_dirs(), tmp_path)
