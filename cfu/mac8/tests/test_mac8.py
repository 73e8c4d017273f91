"""Tests of mac8: the shared design suite (cocotb on the generated Verilog, a wrong-lane build
the cocotb tests must reject, the core in Amaranth's simulator, the C emulation against the
model), the instruction model against TFLite reference layers, and the C kernels (on the
emulation) inside the host runtime against TFLM."""
import collections
import functools
import os
import subprocess

import numpy as np
import pytest

from cfu_bench.design import (AmaranthTests, CocotbTests, EmulationTests, NegatedLane, WrongCfuTests,
                              design_name, golden, hostrt, load_design, seeds, simulate_commands,
                              synthetic_model)
from mac8_layers import random_layer_cases
from mac8_model import Geometry, GoldenModel, random_commands
from mac8_opmodels import random_cases

DESIGN = design_name(__file__)


class TestMac8(CocotbTests, WrongCfuTests, AmaranthTests, EmulationTests):
    design = DESIGN
    model = GoldenModel
    commands = staticmethod(random_commands)
    fault = NegatedLane(load_design(DESIGN).module("mac_array").MacArray, 5)
    timing_only = frozenset({"streaming_instructions_issue_one_per_cycle", "commit_to_read_latency"})
    emulation_commands = 20000


FOUR_LANES = {"lanes": 4, "depth": 256}
SIXTEEN_LANES = {"lanes": 16}


class TestMac8FourLanesDepth256(CocotbTests, AmaranthTests, EmulationTests):
    """A non-default point through the same suite: 4 lanes (one READ word, DW on rs1 only),
    256-word buffers."""
    design = DESIGN
    params = FOUR_LANES
    model = staticmethod(functools.partial(GoldenModel, Geometry(**FOUR_LANES)))
    commands = staticmethod(functools.partial(random_commands, g=Geometry(**FOUR_LANES)))


class TestMac8SixteenLanes(AmaranthTests, EmulationTests):
    """16 lanes (4 READ words, 3-bit FC pairs, DW on lanes 0..7) in Amaranth's simulator and
    the C emulation; its cocotb run is the slow test below."""
    design = DESIGN
    params = SIXTEEN_LANES
    model = staticmethod(functools.partial(GoldenModel, Geometry(**SIXTEEN_LANES)))
    commands = staticmethod(functools.partial(random_commands, g=Geometry(**SIXTEEN_LANES)))


@pytest.mark.slow   # a third Verilator build
def test_sixteen_lanes_pass_cocotb():
    from cfu_bench.design import run_design_tests
    assert run_design_tests(load_design(DESIGN, **SIXTEEN_LANES)).total >= 3


@pytest.mark.parametrize("params", [FOUR_LANES, SIXTEEN_LANES])
def test_kernels_match_tflm_for_other_parameters(params):
    """The kernels built for other lane counts and depths (-DMAC8_LANES/-DMAC8_DEPTH) on the
    emulation of that build: MLPerf-shaped models and random single layers, bit-exact."""
    d = load_design(DESIGN, **params)
    runtime = hostrt.HostRuntime(d.kernel_sources(), d.kernel_include_dirs(), d.kernel_defines())
    for name in ("kws", "ic", "ad"):
        model = synthetic_model(name, seed=seeds.derive(DESIGN, "synthetic", name))
        problems, _ = _problems(runtime, model, golden.random_inputs(model, 1, seed=seeds.derive(DESIGN, "inputs", name)))
        assert not problems, (params, name, problems[:3])
    for name, model, kernel in random_cases(seeds.np_rng(DESIGN, "random-layers", str(params)), 12):
        problems, run = _problems(runtime, model, golden.random_inputs(model, 2, seed=seeds.derive(DESIGN, name)))
        assert not problems, (params, name, problems[:3])


def test_bad_parameters_are_one_line_errors():
    from cfu_bench.design import UserError
    for bad in ({"lanes": 6}, {"depth": 100}, {"width": 3}):
        with pytest.raises(UserError):
            load_design(DESIGN, **bad)


@pytest.fixture(scope="module")
def design():
    return load_design(DESIGN)


@pytest.fixture(scope="module")
def runtime(design):
    """The firmware runtime built for the host with the mac8 kernels linked in; off the
    target the kernels run on the C emulation of the CFU."""
    return hostrt.HostRuntime(design.kernel_sources(), design.kernel_include_dirs())


def test_instruction_model_computes_tflite_layers():
    for name, program, reference in random_layer_cases(seeds.np_rng(DESIGN, "layers")):
        model = GoldenModel()
        outputs = program.outputs([model.execute(*c) for c in program.commands])
        assert np.array_equal(outputs, reference), name


def _problems(runtime, model, samples):
    gold = golden.golden(model, samples)
    run = runtime.run(model, samples)
    if run.rc != 0:
        return [f"runtime refused: {run.report.error}"], run
    return [f"sample {k} op {o.index} {o.op} ({o.kernel}) differs"
            for k, (ours, want) in enumerate(zip(run.outputs, gold))
            for o, g in zip(ours, want) if o.data != g.data], run


def test_kernels_match_tflm_on_random_layers(runtime):
    rng = seeds.np_rng(DESIGN, "random-layers")
    for name, model, kernel in random_cases(rng, 25):
        problems, run = _problems(runtime, model, golden.random_inputs(model, 2, seed=seeds.derive(DESIGN, name)))
        assert not problems, f"{name}: {problems[:3]}"
        assert run.outputs[0][0].kernel == (kernel or "ref"), name


@pytest.mark.parametrize("name", ["kws", "vww", "ic", "ad"])
def test_kernels_match_tflm_on_mlperf_tiny_shapes(runtime, name):
    """Random-weight models with the layer structure of the four MLPerf Tiny models: every
    CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED must run on mac8, bit-exact."""
    model = synthetic_model(name, seed=seeds.derive(DESIGN, "synthetic", name))
    problems, run = _problems(runtime, model, golden.random_inputs(model, 2, seed=seeds.derive(DESIGN, "inputs", name)))
    assert not problems, problems[:3]
    kernels = collections.Counter((o.op, o.kernel) for o in run.outputs[0])
    accelerable = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}
    assert all(kernel.startswith("mac8") for (op, kernel) in kernels if op in accelerable), kernels


def test_kernels_clean_under_address_and_undefined_sanitizers(design, tmp_path):
    """The kernels read inputs a word at a time, sometimes a word past a row: never past the
    tensor. The sanitizer build of the host runtime, with the kernels linked in, must run
    MLPerf-shaped models and odd single layers without a report and match TFLM."""
    from cfu_bench.design import parse_report as parse
    exe = hostrt.build("asan", design.kernel_sources(), design.kernel_include_dirs()) / "cfub_host"
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    models = [synthetic_model(name, seed=seeds.derive(DESIGN, "asan", name)) for name in ("kws", "ic")]
    models += [model for _, model, _ in random_cases(seeds.np_rng(DESIGN, "asan-layers"), 4)]
    for k, model in enumerate(models):
        samples = golden.random_inputs(model, 1, seed=seeds.derive(DESIGN, "asan-inputs", k))
        (tmp_path / "model.tflite").write_bytes(model)
        (tmp_path / "inputs.bin").write_bytes(b"".join(golden.sample_bytes(s) for s in samples))
        proc = subprocess.run([str(exe), str(tmp_path / "model.tflite"), str(tmp_path / "inputs.bin"), "1"],
                              capture_output=True, text=True, env=env, timeout=600)
        assert proc.returncode == 0 and "ERROR: AddressSanitizer" not in proc.stderr, proc.stderr[-3000:]
        assert "runtime error" not in proc.stderr, proc.stderr[-3000:]
        report = parse(proc.stdout).raise_for_error()
        assert [[op.crc for op in inv.ops] for inv in report.invokes] == golden.golden_crcs(model, samples)


def test_instruction_timing_as_documented(design):
    """The cycle counts in README.md. Commands are offered one at a time, one idle cycle
    apart; each number counts from offering a command to its response."""
    from mac8_model import CLEAR, COMMIT, CONFIG, CONV, MAC, NOMAC, READ, SETPARAM
    commands = [(MAC, CONV | COMMIT, 1, 0),   # 1: accepted at once, answered next cycle
                (READ, 0, 0, 0),              # 17: waits for the requantizer (18 after the COMMIT)
                (MAC, CONV | COMMIT, 1, 0),   # 1
                (MAC, NOMAC | COMMIT, 0, 0),  # 12: a COMMIT waits for the previous one's hand-over
                (CONFIG, 0, 0, 0),            # 17: waits until the requantizer is idle
                (MAC, CONV, 1, 0),            # 1
                (SETPARAM, 0, 0, 0),          # 2: waits for the MAC pipeline
                (MAC, CONV, 0, 0),            # 1
                (CLEAR, 0, 0, 0)]             # 2
    latencies = []
    simulate_commands(design.core(), commands, latencies=latencies)
    assert latencies == [1, 17, 1, 12, 17, 1, 2, 1, 2]


@pytest.mark.slow   # the default SoC and a firmware build for it
def test_firmware_for_other_parameters_declines_on_this_cfu():
    """Kernels built for 4 lanes on the default 8-lane CFU: their prepare reads the CFU's ID,
    sees the difference and declines, so the reference kernels run every layer, bit-exact."""
    from cfu_bench.design import profile
    from cfu_bench.design import Simulation
    r = profile("ad", cfu=load_design(DESIGN), inputs=1,
                target=Simulation(firmware_design=load_design(DESIGN, **FOUR_LANES)))
    assert r.bit_exact and all(layer.kernel == "ref" for layer in r.layers)
