"""The serial boot client against a model of the BIOS: framing, retries, and every way a board
can fail to answer. Fast: no simulator, no FPGA."""
import os
import socket
import stat
import time

import pytest

from cfu_bench.run.board import load_bitstream, run_on_board
from cfu_bench.errors import ToolMissing, UserError
from cfu_bench.run.board.serial_boot import (CMD_JUMP, CMD_LOAD, LOAD_CHUNK, BoardError, encode_frame,
                                             load_frames)

from .fakes import RAM_BASE, DamagingPort, FakeBios, Server, connect

FIRMWARE = bytes((i * 7 + 3) & 0xFF for i in range(5000))
DATA = b"CFUB" + bytes(range(256)) * 3
DATA_OFFSET = 0x500000  # where the firmware links its data block (firmware/platform/linker.ld)


def _ram_check(ram) -> bytes:
    ok = (ram[:len(FIRMWARE)] == FIRMWARE
          and ram[DATA_OFFSET:DATA_OFFSET + len(DATA)] == DATA)
    # ANSI colour and CR/LF as the real firmware's UART output has them
    return (b"\x1b[1mCFUB BOOT\x1b[0m\r\nCFUB SELFTEST fake pass=%d fail=%d\r\nCFUB EXIT %d\r\n"
            % (int(ok), int(not ok), 0 if ok else 1))


@pytest.fixture
def bios_server():
    servers = []

    def make(**kwargs):
        bios = FakeBios(**kwargs)
        server = Server(bios.serve)
        servers.append(server)
        return bios, server

    yield make
    for s in servers:
        s.close()
        assert s.error is None, s.error


def test_frames_match_litex_term():
    """LiteX's own host tool is the reference for the bytes on the wire."""
    from litex.tools.litex_term import SFLFrame, crc16 as litex_crc16

    from cfu_bench.run.board.serial_boot import crc16

    for cmd, payload in ((CMD_LOAD, (RAM_BASE + 0x1234).to_bytes(4, "big") + bytes(range(200))),
                         (CMD_JUMP, RAM_BASE.to_bytes(4, "big"))):
        theirs = SFLFrame()
        theirs.cmd = bytes([cmd])
        theirs.payload = payload
        assert encode_frame(cmd, payload) == theirs.encode()
        assert crc16(bytes([cmd]) + payload) == litex_crc16(bytes([cmd]) + payload)


def test_crc_is_xmodem():
    from cfu_bench.run.board.serial_boot import crc16
    assert crc16(b"123456789") == 0x31C3


def test_load_frames_cover_the_data_with_their_addresses():
    data = bytes(range(256)) * 3
    frames = load_frames(RAM_BASE, data)
    assert [a for a, _ in frames] == [RAM_BASE + i * LOAD_CHUNK for i in range(4)]
    rebuilt = b"".join(f[8:] for _, f in frames)
    assert rebuilt == data
    assert all(len(f) <= 4 + 255 for _, f in frames)
    assert len(load_frames(RAM_BASE, data, chunk=48)) == -(-len(data) // 48)


def test_upload_and_output(bios_server):
    bios, server = bios_server(program=_ram_check)
    lines, log = [], []
    out = run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=5, timeout_s=5,
                       window=4, chunk=LOAD_CHUNK, on_line=lines.append, log=log.append)
    assert "CFUB SELFTEST fake pass=1 fail=0" in out
    assert out.rstrip().endswith("CFUB EXIT 0")
    assert "\x1b" not in out and "\r" not in out
    assert "CFUB BOOT" in lines
    assert bios.jumped_to == RAM_BASE
    assert set(bios.answers) == {ord("K")}
    assert any("uploaded firmware: 5,000 bytes at 0x40000000" in m for m in log)


def test_from_the_prompt(bios_server):
    """A board that already gave up on serial boot sits at its prompt: we ask it again."""
    bios, server = bios_server(program=_ram_check, boot_on_connect=False)
    out = run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=5, timeout_s=5)
    assert "pass=1 fail=0" in out


def test_acknowledge_after_the_bios_timeout_is_asked_again(bios_server):
    """A slow host (or a simulator starved of CPU) acknowledges after the BIOS gave up: the
    first frame meets the prompt, and the client starts the serial boot over."""
    bios, server = bios_server(program=_ram_check, late_acks=1)
    log = []
    out = run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=5, timeout_s=5,
                       log=log.append)
    assert "pass=1 fail=0" in out and bios.jumped_to == RAM_BASE
    assert any("asking again" in m for m in log)


@pytest.mark.parametrize("damage", [{"corrupt": {1, 4}}, {"drop": {2}}])
def test_damaged_frames_are_sent_again(bios_server, damage):
    bios, server = bios_server(program=_ram_check)
    port = DamagingPort(connect(server.url), **damage)
    log = []
    try:
        out = run_on_board(port, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=5, timeout_s=5,
                           window=4, chunk=LOAD_CHUNK, quiet_s=0.3, log=log.append)
    finally:
        port.close()
    assert "pass=1 fail=0" in out  # every byte arrived where it belongs
    assert port.damaged == len(next(iter(damage.values())))
    assert set(bios.answers) - {ord("K")}  # the BIOS did complain
    assert any("frames resent after errors" in m for m in log)


def test_hopeless_line_gives_up_with_the_address(bios_server):
    bios, server = bios_server(reject_address=RAM_BASE + 2 * LOAD_CHUNK)
    t0 = time.monotonic()
    with pytest.raises(BoardError) as e:
        run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=5, timeout_s=5,
                     window=4, chunk=LOAD_CHUNK, max_retries=3, quiet_s=0.1)
    assert time.monotonic() - t0 < 5
    msg = str(e.value)
    assert "\n" not in msg
    assert f"0x{RAM_BASE + 2 * LOAD_CHUNK:08x} was rejected 4 times (last: CRC error)" in msg
    assert e.value.exit_code == 1


def test_silent_board():
    """Something accepts the connection and never says a word."""
    server = Server(lambda conn: time.sleep(1.5))
    try:
        t0 = time.monotonic()
        with pytest.raises(BoardError) as e:
            run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=1)
        assert time.monotonic() - t0 < 2.5
    finally:
        server.close()
    assert str(e.value) == (f"no answer from the board on {server.url} within 1 s: is it powered, "
                            "programmed, and the BIOS at its prompt?")


def test_nobody_listening():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = f"socket://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    t0 = time.monotonic()
    with pytest.raises(BoardError, match=r"no answer from the board on .* within 1 s: connection "
                                         r"refused"):
        run_on_board(url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=1)
    assert time.monotonic() - t0 < 2.5


def test_board_busy_with_something_else():
    """A board still running the previous firmware prints, but never offers serial boot."""
    def chatter(conn):
        for _ in range(30):
            conn.sendall(b"CFUB CYCLES main=1 total=2\r\n")
            time.sleep(0.05)

    server = Server(chatter)
    try:
        with pytest.raises(BoardError, match=r"answered but never offered serial boot .*"
                                             r"'CFUB CYCLES main=1 total=2'.*RESET"):
            run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=1)
    finally:
        server.close()


def test_firmware_trap_is_reported(bios_server):
    trap = b"CFUB BOOT\r\nCFUB TRAP mcause=2 mepc=0x40000010 mtval=0x0000000b\r\n"
    _, server = bios_server(program=lambda ram: trap)
    with pytest.raises(BoardError, match=r"^firmware crashed on the board: CFUB TRAP mcause=2 "):
        run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=5, timeout_s=5)


def test_firmware_that_never_finishes(bios_server):
    _, server = bios_server(program=lambda ram: b"CFUB BOOT\r\nworking...\r\n")
    t0 = time.monotonic()
    with pytest.raises(BoardError, match=r"did not finish within 0.3 s \(last output: 'working...'\)"):
        run_on_board(server.url, FIRMWARE, DATA, DATA_OFFSET, boot_timeout_s=5, timeout_s=0.3)
    assert time.monotonic() - t0 < 3


def test_missing_device_is_bad_input():
    with pytest.raises(UserError, match=r"serial port /dev/ttyNOPE7 does not exist"):
        run_on_board("/dev/ttyNOPE7", FIRMWARE, DATA, DATA_OFFSET)


def _fake_tool(tmp_path, name, script):
    tool = tmp_path / "bin" / name
    tool.parent.mkdir(exist_ok=True)
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return tool.parent


def test_bitstream_needs_openfpgaloader(tmp_path, monkeypatch):
    bit = tmp_path / "x.bit"
    bit.write_bytes(b"\x00\x09\x0f\xf0" + b"a\x00\x0bcfu_bench;b\x00\x0d7a35ticsg324")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolMissing, match=r"^openFPGALoader not on PATH: install it"):
        run_on_board("/dev/null", FIRMWARE, DATA, DATA_OFFSET, bitstream=bit)


def test_bitstream_loader_picks_the_board_from_the_bitstream(tmp_path, monkeypatch):
    args = tmp_path / "args"
    bindir = _fake_tool(tmp_path, "openFPGALoader", f'echo "$@" > {args}\n')
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    bit = tmp_path / "big.bit"
    bit.write_bytes(b"\x00\x09\x0f\xf0" + b"a\x00\x0bcfu_bench;b\x00\x0d7a100tcsg324")
    load_bitstream(bit)
    assert args.read_text().split() == ["-b", "arty_a7_100t", str(bit)]

    failing = _fake_tool(tmp_path, "openFPGALoader", "echo 'Error: no device found' >&2; exit 1\n")
    monkeypatch.setenv("PATH", f"{failing}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(BoardError, match=r"could not load big.bit onto the arty_a7_100t: "
                                         r"Error: no device found"):
        load_bitstream(bit)
