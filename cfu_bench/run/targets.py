"""Where `profile` runs firmware: a target, chosen by name, prepares a CFU design for one
memory model and runs a data block on it, returning the firmware's CFUB transcript.

    target = get_target("sim")                 # or "arty"
    memory = target.check(memory, options)     # None -> the target's default; UserError if not
    prepared = target.prepare(design, memory, progress, options)
    prepared.cache_id                          # str: results may be cached; None: never
    out = prepared.run(block, on_line=..., cycle_limit=...)   # RunOutput

Implementations: cfu_bench.run.simulate.Simulation (Verilator), cfu_bench.run.board.ArtyBoard and
cfu_bench.run.board.Ulx3sBoard.
"""
from dataclasses import dataclass
from importlib import import_module
from typing import Protocol

from ..errors import UserError


@dataclass
class RunOutput:
    text: str                # the firmware's output, CFUB lines included
    sim: dict | None         # {"cycles_per_second", "wall_seconds"} for a simulation


class PreparedTarget(Protocol):
    cache_id: str | None     # identifies SoC build + firmware; None: results are not cached
    cycles_source: str       # where the cycles come from, for the report
    # optional: separate_inputs (bool) runs each input of a profile on its own;
    # parallel_runs (int) how many runs may go at once (default 1)

    def run(self, block, on_line=None, cycle_limit: int = 0) -> RunOutput: ...


class Target(Protocol):
    name: str
    description: str
    memories: tuple[str, ...]   # the memory models it offers; the first is the default

    def check(self, memory: str | None, options: dict) -> str: ...

    def prepare(self, design, memory: str, progress, options: dict) -> PreparedTarget: ...


_TARGETS = {"sim": ("cfu_bench.run.simulate", "Simulation"),
            "arty": ("cfu_bench.run.board", "ArtyBoard"),
            "ulx3s": ("cfu_bench.run.board", "Ulx3sBoard")}
TARGET_NAMES = tuple(_TARGETS)


def get_target(name: str) -> Target:
    if name not in _TARGETS:
        raise UserError(f"unknown target '{name}'; valid targets: {', '.join(_TARGETS)}")
    module, cls = _TARGETS[name]
    return getattr(import_module(module), cls)()


def check_memory(target: Target, memory: str | None) -> str:
    """The memory to use: the target's default for None; UserError if it does not offer it."""
    if memory is None:
        return target.memories[0]
    if memory not in target.memories:
        raise UserError(f"target {target.name} has no memory '{memory}'; valid: "
                        f"{', '.join(target.memories)}")
    return memory
