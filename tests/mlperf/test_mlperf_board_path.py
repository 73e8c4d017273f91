"""The Arty path without an Arty: the simulated SoC with the board's BIOS behaviour (see
tests/board/sim_board.py) serves its UART on TCP; open_arty serial-boots the MLPerf firmware and
the model through the BIOS, as on the board, then the session runs over the same link."""
import threading

from board.sim_board import board_bios_soc

from cfu_bench.model import golden
from cfu_bench.build.firmware_build import build_firmware
from cfu_bench.designs import load_design
from cfu_bench.commands.mlperf.dut import Dut
from cfu_bench.commands.mlperf.results import expected_results
from cfu_bench.commands.mlperf.transport import free_tcp_port, open_arty, stop_simulators
from cfu_bench.model.models_registry import resolve_model
from cfu_bench.build.ram_image import DataBlock
from cfu_bench.testing import seeds
from cfu_bench.sim.build import build_sim_soc
from cfu_bench.sim.run import run_sim
from cfu_bench.run.simulate import cfu_verilog

SEED = seeds.derive("test_mlperf_board_path")


def test_serial_boot_then_session_then_exit():
    design = load_design("none")
    soc = build_sim_soc(cfu_verilog(design))
    firmware = build_firmware(soc.software_dir, design.kernel_sources(),
                              design.kernel_include_dirs(), design.selftest_available, mlperf=True)
    port = free_tcp_port()
    sim = {}

    def simulate():
        # no firmware in main RAM: only the serial boot can put it there
        sim["run"] = run_sim(board_bios_soc(soc), [], cycle_limit=400_000_000,
                             serial_tcp_port=port)

    thread = threading.Thread(target=simulate, daemon=True)
    thread.start()
    model = resolve_model("ad").read_bytes()
    sample = golden.sample_bytes(golden.random_inputs(model, 1, SEED)[0])
    want = expected_results(model, [sample])[0]
    try:
        with open_arty(f"socket://127.0.0.1:{port}", firmware.binary,
                       DataBlock(model=model).to_bytes(), firmware.data_offset, 1_000_000,
                       boot_timeout_s=60) as link:
            dut = Dut(link, name="the board-like SoC", timeout_s=30)
            assert dut.sync(timeout_s=30) == "cfu-bench"
            assert dut.profile()[1] == "ad01"
            dut.load(sample)
            r = dut.infer(1, 0, timeout_s=300)
            assert (r.results, r.crc32) == (want.text, want.crc32), f"seed {SEED}"
        thread.join(60)
    finally:
        if thread.is_alive():  # a failed test must not leave the simulator running
            stop_simulators(port)
    # leaving open_arty sent `exit`: the firmware ended the simulation itself
    assert not thread.is_alive() and "run" in sim
