"""The cocotb tests every CFU design runs, generated from a `CocotbSpec`.

A design's testbench (`cfu/<name>/tests/tb_<name>.py`) describes itself and takes the tests:

    SPEC = CocotbSpec(model=GoldenModel, commands=random_commands, exercise=exercise)
    globals().update(design_tests(SPEC))

cocotb collects the `Test` objects it finds in the module, so the generated tests run beside
the design's own `@cocotb.test()`s, which can start from `fresh_driver(dut, SPEC, "name")`.
Every test draws its stimulus from its own stream of the one seed (`seeds`), so a run is
reproduced by `CFU_BENCH_SEED`, whatever the order or selection of tests.
"""
import os
import random
from dataclasses import dataclass
from typing import Callable

import cocotb

from . import seeds
from .cocotb_driver import CfuDriver

DESIGN_ENV = "CFU_BENCH_DESIGN"
DESIGN_PARAMS_ENV = "CFU_BENCH_DESIGN_PARAMS"   # the design's parameters, JSON


def _no_commands():
    return []


@dataclass(frozen=True)
class CocotbSpec:
    model: Callable[[], object]
    """The golden model's class (or factory): `reset()`, `execute(f3, f7, in0, in1)`."""
    commands: Callable[[random.Random, int], list]
    """n random commands, including whatever set-up makes their results carry information."""
    exercise: Callable[[random.Random], list]
    """A short sequence, valid from reset, that loads what it needs and uses every instruction
    and every lane so that each lane changes some response: the check run after every reset,
    which a CFU with one wrong lane cannot pass."""
    setup: Callable[[], list] = _no_commands
    """Commands that bring state which survives reset (memories) in line with a fresh model."""
    resync: Callable[[object], list] = lambda model: []
    """After a reset cut a multi-cycle command short (a memory fetch), commands that make the
    CFU's memories agree with the model again (the model ran the command whole)."""
    single_cycle: bool = True
    """Every instruction is accepted and answered at one per cycle, back to back."""
    random_commands: int = 3000
    reset_rounds: int = 8


def test_rng(test_name: str) -> random.Random:
    return seeds.rng(os.environ.get(DESIGN_ENV, ""), test_name)


async def fresh_driver(dut, spec: CocotbSpec, test_name: str) -> CfuDriver:
    """A started driver whose model and CFU agree, memories included (they survive reset and
    hence earlier tests in the same simulation)."""
    driver = CfuDriver(dut, spec.model(), test_rng(test_name))
    await driver.start()
    setup = spec.setup()
    if setup:
        await driver.run(setup)
    return driver


async def random_with_gaps_and_backpressure(dut, spec: CocotbSpec):
    driver = await fresh_driver(dut, spec, "random_with_gaps_and_backpressure")
    await driver.run(spec.commands(driver.rng, spec.random_commands), gap_prob=0.3, stall_prob=0.4)


async def back_to_back(dut, spec: CocotbSpec):
    """No gaps, no stalls. A design whose instructions are single-cycle must take one per
    cycle (what the CPU needs to run a stream of them without stalling)."""
    driver = await fresh_driver(dut, spec, "back_to_back")
    commands = spec.commands(driver.rng, spec.random_commands)
    stats = await driver.run(commands)
    if spec.single_cycle:
        # One cycle per command, plus the last response's cycle.
        assert stats.cycles <= len(commands) + 1, \
            f"{len(commands)} single-cycle commands took {stats.cycles} cycles"


async def reset_in_the_middle(dut, spec: CocotbSpec):
    """Random traffic cut by a reset while commands are in flight, then the exercise, checked
    response by response: after every reset the CFU must compute everything right again."""
    driver = await fresh_driver(dut, spec, "reset_in_the_middle")
    rng = driver.rng
    for round_ in range(spec.reset_rounds):
        commands = spec.commands(rng, spec.random_commands // spec.reset_rounds)
        stats = await driver.run(commands, gap_prob=0.2, stall_prob=0.5,
                                 reset_after=rng.randrange(1, len(commands)))
        assert stats.resets == 1, f"round {round_}: the CFU was never reset while busy"
        await driver.run(spec.resync(driver.model))
        await driver.run(spec.exercise(rng), gap_prob=0.2, stall_prob=0.3)


GENERIC_TESTS = (random_with_gaps_and_backpressure, back_to_back, reset_in_the_middle)


def design_tests(spec: CocotbSpec, module: str | None = None) -> dict:
    """{name: cocotb Test} of the generic tests bound to `spec`, for the testbench's globals."""
    tests = {}
    for body in GENERIC_TESTS:
        async def bound(dut, body=body):
            await body(dut, spec)
        bound.__name__ = bound.__qualname__ = body.__name__
        bound.__doc__ = body.__doc__
        if module:
            bound.__module__ = module
        tests[body.__name__] = cocotb.test(bound)
    return tests
