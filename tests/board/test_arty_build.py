"""The Arty project as written without an FPGA toolchain (--no-compile), the refusal to
compile without one, and reading Vivado's and nextpnr's reports."""
import json
import os
import re
import textwrap

import pytest

pytest.importorskip("litex_boards", reason="litex-boards is not installed")

from cfu_bench.run.board import (BUILD_NAME, DEFAULT_DATA_OFFSET, build_arty, detect_toolchain, parse_nextpnr_timing,
                                 parse_nextpnr_utilization, parse_vivado_timing, parse_vivado_utilization)
from cfu_bench.errors import ToolMissing  # noqa: E402
from cfu_bench.paths import build_root  # noqa: E402

CFU_PORTS = {  # VexRiscv's CfuPlugin port -> the Cfu port it must reach
    "CfuPlugin_bus_cmd_valid": "cmd_valid",
    "CfuPlugin_bus_cmd_ready": "cmd_ready",
    "CfuPlugin_bus_cmd_payload_function_id": "cmd_payload_function_id",
    "CfuPlugin_bus_cmd_payload_inputs_0": "cmd_payload_inputs_0",
    "CfuPlugin_bus_cmd_payload_inputs_1": "cmd_payload_inputs_1",
    "CfuPlugin_bus_rsp_valid": "rsp_valid",
    "CfuPlugin_bus_rsp_ready": "rsp_ready",
    "CfuPlugin_bus_rsp_payload_outputs_0": "rsp_payload_outputs_0",
}


@pytest.fixture(scope="module")
def project():
    # A fixed folder under the build root: a second run with the same inputs is a cache hit.
    return build_arty("template", build_root() / "tests" / "arty-template-a7-35", "a7-35",
                      no_compile=True)


def _instance_ports(verilog: str, module: str) -> dict[str, str]:
    m = re.search(rf"^{module} {module}\s*\((.*?)\n\);", verilog, re.MULTILINE | re.DOTALL)
    assert m, f"no instance of {module} in the top module"
    return dict(re.findall(r"\.(\w+)\s*\(([^)]*)\)", m.group(1)))


def test_project_files(project):
    gw = project.out_dir / "gateware"
    for path in (project.verilog, project.constraints, project.script, gw / f"{BUILD_NAME}.tcl",
                 project.firmware_bin, project.firmware_elf, gw / "cfu.v",
                 gw / "VexRiscv_FullCfu.v", gw / f"{BUILD_NAME}_rom.init",
                 project.out_dir / "software" / "bios.bin", project.out_dir / "csr.json"):
        assert path.is_file() and path.stat().st_size > 0, path
    assert project.toolchain is None and project.bitstream is None
    assert project.data_offset == DEFAULT_DATA_OFFSET == 0x500000
    assert project.baudrate == 1_000_000 and project.sys_clk_freq == 100_000_000


def test_top_connects_vexriscv_to_the_cfu(project):
    verilog = project.verilog.read_text()
    cpu = _instance_ports(verilog, "VexRiscv")
    cfu = _instance_ports(verilog, "Cfu")
    for cpu_port, cfu_port in CFU_PORTS.items():
        assert cpu[cpu_port].strip() == cfu[cfu_port].strip(), cpu_port
    assert {"clk", "reset"} <= cfu.keys()
    assert "module Cfu" in (project.out_dir / "gateware" / "cfu.v").read_text()


def test_scripts_build_the_right_part_from_the_folder(project):
    tcl = (project.out_dir / "gateware" / f"{BUILD_NAME}.tcl").read_text()
    assert "-part xc7a35ticsg324-1L" in tcl
    # sources named relative to the folder, so it builds wherever it is copied
    sources = re.findall(r"read_verilog \{([^}]*)\}", tcl)
    assert set(sources) == {"cfu.v", "VexRiscv_FullCfu.v", f"{BUILD_NAME}.v"}
    assert "write_bitstream" in tcl
    assert f"vivado -mode batch -source {BUILD_NAME}.tcl" in project.script.read_text()
    xdc = project.constraints.read_text()
    for pin in ("E3 [get_ports {clk100}]", "D10 [get_ports {serial_tx}]",
                "A9 [get_ports {serial_rx}]", "[get_ports {ddram_dq[0]}]"):
        assert pin in xdc


def test_same_memory_map_and_board_bios(project):
    csr = json.loads((project.out_dir / "csr.json").read_text())
    assert csr["memories"]["main_ram"]["base"] == 0x40000000
    assert csr["memories"]["main_ram"]["size"] >= 0x800000  # firmware + arena + data block
    assert csr["constants"]["config_cpu_human_name"] == "vexriscv_fullcfu"
    assert {"sdram", "ddrphy", "uart", "timer0"} <= set(csr["csr_bases"])
    summary = json.loads((project.out_dir / "cfu-bench-arty.json").read_text())
    soc_h = open(summary["software_dir"] + "/include/generated/soc.h").read()
    # no jump into (empty) main RAM, real timeouts: the BIOS waits at its prompt for the host
    assert "ROM_BOOT_ADDRESS" not in soc_h and "BIOS_NO_DELAYS" not in soc_h


def test_cached_rebuild_is_instant(project):
    import time
    t0 = time.monotonic()
    again = build_arty("template", project.out_dir, "a7-35", no_compile=True)
    assert time.monotonic() - t0 < 10
    assert again.firmware_bin.read_bytes() == project.firmware_bin.read_bytes()


def test_compile_flow_with_a_stand_in_vivado(project, tmp_path, monkeypatch):
    """A `vivado` that writes what the real one would: the flow runs the project's script, reads
    the reports, and a later project-only call keeps the bitstream instead of dropping it."""
    import shutil

    folder = tmp_path / "project"
    shutil.copytree(project.out_dir, folder)
    calls = tmp_path / "calls"
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "util.rpt").write_text(VIVADO_UTILIZATION)
    (tmp_path / "reports" / "timing.rpt").write_text(VIVADO_TIMING)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    vivado = bindir / "vivado"
    vivado.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        echo "$@" >> {calls}
        test -f {BUILD_NAME}.tcl || exit 1
        printf 'bitstream' > {BUILD_NAME}.bit
        cp {tmp_path}/reports/util.rpt {BUILD_NAME}_utilization_place.rpt
        cp {tmp_path}/reports/timing.rpt {BUILD_NAME}_timing.rpt
        """))
    vivado.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")

    built = build_arty("template", folder, "a7-35", no_compile=False)
    assert calls.read_text().split() == ["-mode", "batch", "-source", f"{BUILD_NAME}.tcl"]
    assert built.toolchain == "vivado"
    assert built.bitstream == folder / "gateware" / f"{BUILD_NAME}.bit"
    assert (built.resources.lut, built.resources.dsp, built.resources.bram36) == (6012, 8, 14.5)
    assert built.timing.wns_ns == 0.412
    summary = json.loads((folder / "cfu-bench-arty.json").read_text())
    assert summary["build"]["resources"]["ff"] == 5120

    again = build_arty("template", folder, "a7-35", no_compile=True)
    assert again.bitstream == built.bitstream and again.timing == built.timing
    build_arty("template", folder, "a7-35", no_compile=False)
    assert len(calls.read_text().splitlines()) == 1  # nothing changed: no second run


def test_no_toolchain_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CHIPDB", raising=False)
    monkeypatch.delenv("F4PGA_INSTALL_DIR", raising=False)
    assert detect_toolchain() is None
    with pytest.raises(ToolMissing) as e:
        build_arty("template", tmp_path / "out", "a7-35", no_compile=False)
    assert str(e.value) == ("no FPGA toolchain: vivado not on PATH (install Vivado 2023+ or the "
                            "openXC7 toolchain), or pass --no-compile to write the project only")
    assert e.value.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_a7_100_variant(tmp_path):
    from cfu_bench.run.simulate import cfu_verilog
    from cfu_bench.designs import load_design
    from cfu_bench.soc.arty import ArtyConfig, ArtySoC

    cfu = tmp_path / "cfu.v"
    cfu.write_text(cfu_verilog(load_design("template")))
    soc = ArtySoC(cfu, ArtyConfig(variant="a7-100"))
    assert soc.platform.device == "xc7a100tcsg324-1"
    assert soc.mem_map["main_ram"] == 0x40000000
    with pytest.raises(ValueError, match="unknown Arty variant"):
        ArtyConfig(variant="a7-50")


VIVADO_UTILIZATION = textwrap.dedent("""\
    1. Slice Logic
    --------------

    +----------------------------+------+-------+------------+-----------+-------+
    |          Site Type         | Used | Fixed | Prohibited | Available | Util% |
    +----------------------------+------+-------+------------+-----------+-------+
    | Slice LUTs                 | 6012 |     0 |          0 |     20800 | 28.90 |
    |   LUT as Logic             | 5560 |     0 |          0 |     20800 | 26.73 |
    | Slice Registers            | 5120 |     0 |          0 |     41600 | 12.31 |
    +----------------------------+------+-------+------------+-----------+-------+

    3. Memory
    ---------

    +-------------------+------+-------+------------+-----------+-------+
    |     Site Type     | Used | Fixed | Prohibited | Available | Util% |
    +-------------------+------+-------+------------+-----------+-------+
    | Block RAM Tile    | 14.5 |     0 |          0 |        50 | 29.00 |
    |   RAMB36/FIFO*    |   12 |     0 |          0 |        50 | 24.00 |
    +-------------------+------+-------+------------+-----------+-------+

    4. DSP
    ------

    +----------------+------+-------+------------+-----------+-------+
    |    Site Type   | Used | Fixed | Prohibited | Available | Util% |
    +----------------+------+-------+------------+-----------+-------+
    | DSPs           |    8 |     0 |          0 |        90 |  8.89 |
    +----------------+------+-------+------------+-----------+-------+
    """)

VIVADO_TIMING = textwrap.dedent("""\
    ------------------------------------------------------------------------------------------------
    | Design Timing Summary
    | ---------------------
    ------------------------------------------------------------------------------------------------

        WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints      WHS(ns)      THS(ns)
        -------      -------  ---------------------  -------------------      -------      -------
          0.412        0.000                      0                25030        0.030        0.000


    ------------------------------------------------------------------------------------------------
    | Clock Summary
    | -------------
    ------------------------------------------------------------------------------------------------

    Clock               Waveform(ns)         Period(ns)      Frequency(MHz)
    -----               ------------         ----------      --------------
    clk100              {0.000 5.000}        10.000          100.000
      builder_pll_fb    {0.000 5.000}        10.000          100.000
      crg_clkout0       {0.000 5.000}        10.000          100.000
      crg_clkout1       {0.000 1.250}        2.500           400.000


    ------------------------------------------------------------------------------------------------
    | Intra Clock Table
    | -----------------
    ------------------------------------------------------------------------------------------------

    Clock                   WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints
    -----                   -------      -------  ---------------------  -------------------
    clk100
      builder_pll_fb
      crg_clkout0             0.950        0.000                      0                24820
      crg_clkout1             0.412        0.000                      0                   40


    ------------------------------------------------------------------------------------------------
    | Inter Clock Table
    | -----------------
    """)

NEXTPNR_LOG = textwrap.dedent("""\
    Info: Device utilisation:
    Info: 	             SLICE_LUTX:  6100/41600    14%
    Info: 	              SLICE_FFX:  5000/41600    12%
    Info: 	               RAMB18E1:     3/  100     3%
    Info: 	               RAMB36E1:    12/   50    24%
    Info: 	                DSP48E1:     8/   90     8%
    Info: Max frequency for clock 'clk100_0__io': 250.00 MHz (PASS at 100.00 MHz)
    Info: Max frequency for clock 'crg_clkout0': 98.10 MHz (FAIL at 100.00 MHz)
    Info: Max frequency for clock 'crg_clkout0': 104.52 MHz (PASS at 100.00 MHz)
    Info: Max frequency for clock 'crg_clkout1': 420.00 MHz (PASS at 400.00 MHz)
    """)


def test_parse_vivado_reports():
    r = parse_vivado_utilization(VIVADO_UTILIZATION)
    assert (r.lut, r.ff, r.dsp, r.bram36) == (6012, 5120, 8, 14.5)
    assert r.available == {"lut": 20800, "ff": 41600, "bram36": 50, "dsp": 90}
    t = parse_vivado_timing(VIVADO_TIMING, 10.0)
    assert t.wns_ns == 0.412 and t.met
    assert t.fmax_mhz == round(1000 / (10.0 - 0.950), 1)  # the sys clock's own slack


def test_parse_nextpnr_log():
    r = parse_nextpnr_utilization(NEXTPNR_LOG)
    assert (r.lut, r.ff, r.dsp, r.bram36) == (6100, 5000, 8, 13.5)
    t = parse_nextpnr_timing(NEXTPNR_LOG, 10.0)
    assert t.fmax_mhz == 104.5 and t.met  # the post-route report, after the placement one


def test_profile_on_board_sends_the_arty_firmware(project, monkeypatch):
    from cfu_bench.run import board
    from cfu_bench.build.ram_image import DataBlock

    from .fakes import FakeBios, Server

    firmware = project.firmware_bin.read_bytes()
    block = DataBlock(selftest_count=3)
    seen = {}

    def program(ram):
        seen["firmware"] = bytes(ram[:len(firmware)])
        seen["block"] = bytes(ram[project.data_offset:project.data_offset + 48])
        return b"CFUB EXIT 0\r\n"

    monkeypatch.setattr(board.target, "build_arty", lambda design, **kw: project)
    bios = FakeBios(program=program)
    server = Server(bios.serve)
    try:
        out = board.profile_on_board("template", block, port=server.url)
    finally:
        server.close()
    assert out.strip().endswith("CFUB EXIT 0")
    assert seen == {"firmware": firmware, "block": block.to_bytes()}
