"""The public API for CFU design authors: everything a design and its tests import.

A design folder (`design.py`, `kernels/`, `tests/`) imports only from this module; the rest
of `cfu_bench` is internal and may move between releases. Names are grouped as a design uses
them:

Gateware (the design's `design.py`)
    CfuSignature, MemoryReadSignature   the CFU's ports: command/response, optional memory read
    DispatchedCfu, InstructionSignature, SingleCycleInstruction
                                        a CFU as a table funct3 -> instruction
    SimdDot, dot_width, Accumulator, Requantizer, SHIFT_WIDTH
                                        lane blocks: an N-lane int8 dot product with an input
                                        offset, a 32-bit accumulator, TFLM-exact requantization
    cfu_verilog                         the Verilog text of a core (module Cfu)

Tests (the design's `tests/`)
    CocotbTests, WrongCfuTests, AmaranthTests, EmulationTests, design_name
                                        the shared pytest suite a design's test class inherits
    CocotbSpec, design_tests, fresh_driver
                                        the shared cocotb suite of a `tb_<name>.py`
    NegatedLane                         a fault the wrong-CFU test injects
    seeds                               the one seed (CFU_BENCH_SEED) every random test uses
    simulate_commands                   a core in Amaranth's simulator on a command list
    memory_word                         the word the cocotb memory responder answers at an address
    requantize, quantize_multiplier     TFLM's requantization on Python ints
    run_design_tests                    the design's cocotb tests, from Python

Whole models (kernels checked against TFLM)
    load_design, Design, UserError      a design by name, folder or .v path
    golden                              TFLM's outputs and random inputs for a model
    hostrt                              the runtime built for the host with a design's kernels
    synthetic_model, ModelBuilder, out_size
                                        small .tflite models built in Python
    parse_report                        the runtime's report (protocol) from its output
    profile, Simulation                 a model on the simulated SoC, per-layer cycles

Imports are lazy: `from cfu_bench.design import CfuSignature` loads the gateware only.
"""
import importlib

_EXPORTS = {
    # gateware
    "CfuSignature": "cfu_bench.gateware.port",
    "MemoryReadSignature": "cfu_bench.gateware.port",
    "DispatchedCfu": "cfu_bench.gateware.dispatch",
    "InstructionSignature": "cfu_bench.gateware.dispatch",
    "SingleCycleInstruction": "cfu_bench.gateware.dispatch",
    "SimdDot": "cfu_bench.gateware.simd",
    "dot_width": "cfu_bench.gateware.simd",
    "Accumulator": "cfu_bench.gateware.accumulator",
    "Requantizer": "cfu_bench.gateware.requant",
    "SHIFT_WIDTH": "cfu_bench.gateware.requant",
    "cfu_verilog": "cfu_bench.gateware.verilog",
    # tests
    "CocotbTests": "cfu_bench.testing.design_tests",
    "WrongCfuTests": "cfu_bench.testing.design_tests",
    "AmaranthTests": "cfu_bench.testing.design_tests",
    "EmulationTests": "cfu_bench.testing.design_tests",
    "design_name": "cfu_bench.testing.design_tests",
    "CocotbSpec": "cfu_bench.testing.cocotb_suite",
    "design_tests": "cfu_bench.testing.cocotb_suite",
    "fresh_driver": "cfu_bench.testing.cocotb_suite",
    "NegatedLane": "cfu_bench.testing.faults",
    "simulate_commands": "cfu_bench.testing.amaranth_sim",
    "memory_word": "cfu_bench.testing.cocotb_memory",
    "requantize": "cfu_bench.testing.requant_model",
    "quantize_multiplier": "cfu_bench.testing.requant_model",
    "run_design_tests": "cfu_bench.testing.cocotb_runner",
    # whole models
    "load_design": "cfu_bench.designs",
    "Design": "cfu_bench.designs",
    "UserError": "cfu_bench.errors",
    "synthetic_model": "cfu_bench.model.tflite_builder",
    "ModelBuilder": "cfu_bench.model.tflite_builder",
    "out_size": "cfu_bench.model.tflite_builder",
    "profile": "cfu_bench.commands.profile",
    "Simulation": "cfu_bench.run.simulate",
}
_RENAMED = {"parse_report": ("cfu_bench.run.protocol", "parse")}
_MODULES = {"seeds": "cfu_bench.testing.seeds", "golden": "cfu_bench.model.golden", "hostrt": "cfu_bench.build.hostrt"}

__all__ = sorted([*_EXPORTS, *_RENAMED, *_MODULES])


def __getattr__(name: str):
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _RENAMED:
        module, attr = _RENAMED[name]
        value = getattr(importlib.import_module(module), attr)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return __all__
