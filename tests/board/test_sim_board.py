"""The board flow end to end without a board: the simulated SoC (DDR3 main RAM, as on the
Arty), with the board's BIOS behaviour, serves its UART on TCP. run_on_board serial-boots the
template design's self-test firmware into it through a line that damages some frames; and
`profile` runs KWS with mac8 through the arty target's path, checked against TFLM."""
import socket
import threading

import pytest

from cfu_bench.run.board import SIM_CHUNK, run_on_board
from cfu_bench.errors import SimulationError
from cfu_bench.build.ram_image import DataBlock
from cfu_bench.sim.run import run_sim

from cfu_bench.testing import seeds

from .fakes import DamagingPort, connect
from .sim_board import SimulatedArty, board_bios_soc, kill_our_simulators

SELFTEST_COUNT = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def board_sim(template_target):
    return template_target, board_bios_soc(template_target.soc)


def test_serial_boot_into_simulated_soc(board_sim):
    target, soc = board_sim
    port = _free_port()
    sim = {}

    def simulate():
        try:
            # No firmware in main RAM: only the serial boot can put it there.
            sim["run"] = run_sim(soc, [], cycle_limit=300_000_000, serial_tcp_port=port)
        except SimulationError as e:
            sim["error"] = e

    thread = threading.Thread(target=simulate, daemon=True)
    thread.start()
    log = []
    try:
        line = DamagingPort(connect(f"socket://127.0.0.1:{port}"), corrupt={3, 40})
        try:
            out = run_on_board(line, target.firmware.binary,
                               DataBlock(selftest_count=SELFTEST_COUNT, selftest_seed=seeds.derive("test_sim_board", 7)).to_bytes(),
                               target.firmware.data_offset, boot_timeout_s=30, timeout_s=120,
                               window=1, chunk=SIM_CHUNK, quiet_s=0.3, log=log.append)
        finally:
            line.close()
        thread.join(30)
    finally:
        kill_our_simulators()
    assert f"CFUB SELFTEST template pass={SELFTEST_COUNT} fail=0" in out
    assert out.rstrip().endswith("CFUB EXIT 0")
    assert line.damaged == 2
    assert any("(2 frames resent after errors)" in m for m in log), log
    assert not thread.is_alive(), "the simulation did not end after the firmware finished"
    # run_sim looks for the firmware's output on stdout, which went to TCP here
    assert "run" in sim or "exit code 0" in str(sim.get("error"))


def test_profile_through_the_board_path_matches_the_preloaded_simulation():
    from cfu_bench.commands.profile import profile
    from cfu_bench.run.simulate import prepare

    board = SimulatedArty(prepare("mac8", memory="ddr3"))
    r = profile("kws", cfu="mac8", target=board, inputs=1)
    assert r.target == "arty" and r.memory == "ddr3" and r.sim is None
    assert r.bit_exact and r.inputs_checked == 1, r.mismatches[:3]
    assert any(m.startswith("uploaded data block") for m in board.log), board.log
    # The same SoC with firmware and model preloaded: the same work, so close to the same
    # cycles (measured: identical), though the upload leaves other lines in the L2 and other
    # DRAM rows open and refresh falls at other moments.
    pre = profile("kws", cfu="mac8", memory="ddr3", inputs=1)
    for a, b in zip(r.layers, pre.layers):
        assert a.kernel == b.kernel
        assert abs(a.cycles - b.cycles) <= 0.02 * b.cycles + 200, (a.index, a.cycles, b.cycles)
