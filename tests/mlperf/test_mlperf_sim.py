"""A short MLPerf Tiny session on the simulated SoC (CFU `none`, model `ad`): the protocol's
commands, its error replies to malformed commands (after which the firmware still answers),
one inference checked against TFLM, and `exit` ending the simulation."""
import re
import threading

import pytest

from cfu_bench.model import golden
from cfu_bench.build.firmware_build import build_firmware
from cfu_bench.designs import load_design
from cfu_bench.commands.mlperf.dut import Dut, errors
from cfu_bench.commands.mlperf.results import expected_results
from cfu_bench.commands.mlperf.transport import open_sim
from cfu_bench.model.models_registry import resolve_model
from cfu_bench.build.ram_image import DataBlock
from cfu_bench.sim.build import build_sim_soc
from cfu_bench.soc.description import SocConfig
from cfu_bench.run.simulate import cfu_verilog
from cfu_bench.testing import seeds

SEED = seeds.derive("test_mlperf_sim")


@pytest.fixture(scope="module")
def session():
    design = load_design("none")
    soc = build_sim_soc(cfu_verilog(design), SocConfig(memory="ideal"))  # the protocol, not the memory, is under test
    firmware = build_firmware(soc.software_dir, design.kernel_sources(),
                              design.kernel_include_dirs(), design.selftest_available, mlperf=True)
    model = resolve_model("ad").read_bytes()
    before = {t.name for t in threading.enumerate()}
    with open_sim(soc, firmware, DataBlock(model=model).to_bytes(), cycle_limit=300_000_000) as link:
        dut = Dut(link, name="the simulated SoC", timeout_s=30)
        assert dut.sync(timeout_s=120) == "cfu-bench"
        yield dut, model
        dut.exit()
    # leaving open_sim waited for the simulation to end after `exit`
    assert not [t for t in threading.enumerate() if t.name.startswith("vsim-") and t.name not in before]


def one_error(dut, command: str) -> str:
    """The command gets exactly one e-[...] line, then m-ready."""
    lines = dut.command(command)
    assert lines[-1] == "m-ready", lines
    bad = errors(lines)
    assert len(bad) == 1, (command, lines)
    return bad[0]


def test_identifies_itself(session):
    dut, _ = session
    assert dut.profile() == ("ULPMark for tinyML Firmware V0.0.1", "ad01")
    lines = dut.checked("help")
    assert any(l.startswith("infer N") for l in lines)


MALFORMED = [
    ("bogus", r"Unknown command: bogus"),
    ("", r"Empty command"),
    ("db", r"requires a subcommand"),
    ("db load", r"requires the # of bytes"),
    ("db load x12", r"one decimal number"),
    ("db load 0", r"must be >0"),
    ("db load 99999999", r"exceeds maximum"),
    ("db load 3 4", r"one decimal number"),
    ("db 123", r"Insufficient number of hex digits"),
    ("db 12zz", r"Invalid hex digit 'z'"),
    ("db 12 34", r"one run of hex digits"),
    ("db print x", r"\[N=16\]"),
    ("infer 0", r"iterations must be >0"),
    ("infer -1", r"iterations must be >0"),
    ("infer 1 w", r"warmup must be >=0"),
    ("infer 1 1 1", r"takes N \[W\]"),
    ("x" * 200, r"Command longer than 80 characters"),
    ("\x00\xff\x01name", r"Unknown command"),
]


@pytest.mark.parametrize("command,reply", MALFORMED, ids=[c[:12] or "empty" for c, _ in MALFORMED])
def test_malformed_command_gets_error_reply(session, command, reply):
    dut, _ = session
    assert re.search(reply, one_error(dut, command))
    assert dut.command("name")[0] == "m-name-dut-[cfu-bench]"  # still serving


def test_refuses_to_infer_without_a_complete_input(session):
    dut, _ = session
    dut.checked("db load 640")
    dut.checked("db " + "00" * 31)
    assert one_error(dut, "infer 1 0") == "The input is incomplete: 31 of 640 bytes"
    dut.checked("db load 10")
    assert dut.checked("db " + "01" * 12)[0] == "m-load-done"  # digits past N are ignored
    assert one_error(dut, "db 0102") == "The buffer is already full: start again with 'db load N'"
    assert one_error(dut, "infer 1 0") == "The input has 10 bytes, the model expects 640"
    assert one_error(dut, "db 0102") != ""


def test_inference_matches_tflm(session):
    dut, model = session
    sample = golden.sample_bytes(golden.random_inputs(model, 1, SEED)[0])
    want = expected_results(model, [sample])[0]
    dut.load(sample)
    printed = dut.checked("db print 10 3")
    assert printed == [f"m-buffer-{'-'.join(f'{b:02x}' for b in sample[3:11])}",
                       f"m-buffer-{'-'.join(f'{b:02x}' for b in sample[11:13])}", "m-ready"]
    r = dut.infer(1, 0, timeout_s=300)
    assert r.lines[:3] == ["m-warmup-start-0", "m-warmup-done", "m-infer-start-1"]
    assert (r.results, r.crc32) == (want.text, want.crc32), f"seed {SEED}"
    # the reference kernels need about 3.3 M cycles for ad: 33 ms at 100 MHz
    assert 20_000 < r.elapsed_us < 60_000
    again = dut.checked("results")
    assert again[0] == f"m-results-[{want.text}]"
    first = int(dut.checked("timestamp")[0].removeprefix("m-lap-us-"))
    assert first > r.end_us


def test_watchdog_stops_a_session_that_runs_too_long():
    """The firmware never ends by itself: when the host stops driving it sensibly, the cycle
    watchdog ends the simulation and its message reaches the caller."""
    from cfu_bench.errors import SimulationError

    design = load_design("none")
    soc = build_sim_soc(cfu_verilog(design), SocConfig(memory="ideal"))  # the protocol, not the memory, is under test
    firmware = build_firmware(soc.software_dir, design.kernel_sources(),
                              design.kernel_include_dirs(), design.selftest_available, mlperf=True)
    model = resolve_model("ad").read_bytes()
    with pytest.raises(SimulationError, match="watchdog"):
        with open_sim(soc, firmware, DataBlock(model=model).to_bytes(), cycle_limit=30_000_000) as link:
            dut = Dut(link, name="the simulated SoC", timeout_s=30)
            dut.sync(timeout_s=120)
            dut.load(bytes(640))
            dut.infer(20, 0, timeout_s=300)  # about 66 M cycles
