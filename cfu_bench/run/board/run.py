"""Running firmware on an Arty A7 board, or on the simulated SoC over TCP, through the LiteX
BIOS: optionally load the bitstream, ask the BIOS to serial-boot, upload the firmware to main
RAM and the data block after it, jump, and return the firmware's UART output up to
`CFUB EXIT <status>`.
"""
import codecs
import contextlib
import os
import time
from pathlib import Path

from .. import protocol
from ...errors import UserError
from .bitstream import load_bitstream
from .serial_boot import (LOAD_CHUNK, MAGIC_ACK, MAGIC_REQUEST, BoardError, Link, NotListening, SerialBoot,
                          UploadStats, load_frames)

MAIN_RAM_BASE = 0x40000000
DEFAULT_BAUDRATE = 1_000_000  # soc/arty.py's ArtyConfig.uart_baudrate
DEFAULT_DATA_OFFSET = 0x500000  # firmware/platform/linker.ld: 2 MiB firmware, 3 MiB arena, then the data block
SIM_CHUNK = 48
HANDSHAKE_ATTEMPTS = 3
# "\n" first ends whatever half-typed line sits at the BIOS prompt.
_POKE = b"\nserialboot\n"

# --------------------------------------------------------------------------------------------
# Running firmware over the serial port
# --------------------------------------------------------------------------------------------

def run_on_board(port, firmware_bin: bytes, data_block: bytes,
                 data_offset: int = DEFAULT_DATA_OFFSET, bitstream=None, timeout_s: float = 600.0,
                 *, baudrate: int = DEFAULT_BAUDRATE, boot_timeout_s: float = 10.0,
                 main_ram_base: int = MAIN_RAM_BASE, variant: str | None = None,
                 on_line=None, log=None, window: int | None = None, chunk: int | None = None,
                 max_retries: int = 5, quiet_s: float = 0.5) -> str:
    """Serial-boot the firmware and data block and return the firmware's output (ANSI removed).

    port: a device path ("/dev/ttyUSB1"), a pyserial URL ("socket://127.0.0.1:PORT" for the
      simulated SoC), or an already open pyserial-like object (used as is and not closed).
    bitstream: a .bit file loaded with openFPGALoader first (the board then reboots into its BIOS).
    timeout_s: how long the firmware may run after the jump.
    boot_timeout_s: how long to wait for the BIOS to offer serial boot.
    on_line: called with each complete output line of the firmware, as it arrives.
    log: called with one-line progress messages (uploads, retries).
    window, chunk: frames in flight and data bytes per frame; by default 8 and 251 on a serial
      device, 1 and 48 over a socket:// URL (the simulator, see serial_boot.SerialBoot).

    Raises BoardError when the board does not answer, the upload fails after retries, the
    firmware traps, or it does not finish within timeout_s.
    """
    say = log or (lambda _msg: None)
    if bitstream is not None:
        load_bitstream(bitstream, variant)
        say(f"loaded {bitstream}")
    with booted(port, firmware_bin, data_block, data_offset, baudrate=baudrate,
                boot_timeout_s=boot_timeout_s, main_ram_base=main_ram_base, log=log, window=window,
                chunk=chunk, max_retries=max_retries, quiet_s=quiet_s) as (_serial, link):
        return _capture(link, timeout_s, on_line)


@contextlib.contextmanager
def booted(port, firmware_bin: bytes, data_block: bytes, data_offset: int = DEFAULT_DATA_OFFSET,
           *, baudrate: int = DEFAULT_BAUDRATE, boot_timeout_s: float = 10.0,
           main_ram_base: int = MAIN_RAM_BASE, log=None, window: int | None = None,
           chunk: int | None = None, max_retries: int = 5, quiet_s: float = 0.5):
    """Serial-boot the firmware and data block through the BIOS and yield (serial, link), the
    port now talking to the running firmware; the port is closed afterwards if we opened it.
    Arguments as for run_on_board."""
    say = log or (lambda _msg: None)
    serial, owned = _open(port, baudrate, boot_timeout_s)
    name = _port_name(port)
    try:
        link = Link(serial, name)
        over_socket = str(port).startswith("socket://")
        for attempt in range(1, HANDSHAKE_ATTEMPTS + 1):
            _handshake(link, boot_timeout_s, wait_for_output=over_socket and attempt == 1)
            boot = SerialBoot(link, window=window or (1 if over_socket else 8),
                              chunk=chunk or (SIM_CHUNK if over_socket else LOAD_CHUNK),
                              max_retries=max_retries, quiet_s=quiet_s)
            try:
                boot.send_frames(load_frames(main_ram_base, firmware_bin, boot.chunk)[:1])
                break
            except NotListening:
                # The acknowledge came after the BIOS's own timeout (a slow host, or the
                # simulator starved of CPU): it is at its prompt again, so ask again.
                if attempt == HANDSHAKE_ATTEMPTS:
                    raise
                say("the BIOS stopped waiting for the serial-boot acknowledge; asking again")
                link.drain_until_quiet(quiet_s)
        for what, address, data in (("firmware", main_ram_base, firmware_bin),
                                    ("data block", main_ram_base + data_offset, data_block)):
            before = boot.stats.resent
            boot.load(address, data)
            say(f"uploaded {what}: {len(data):,} bytes at 0x{address:08x}"
                + (f" ({boot.stats.resent - before} frames resent after errors)"
                   if boot.stats.resent > before else ""))
        boot.jump(main_ram_base)
        say(_rate(boot.stats))
        yield serial, link
    finally:
        if owned:
            serial.close()


def _rate(stats: UploadStats) -> str:
    kbps = stats.bytes / stats.seconds / 1024 if stats.seconds > 0 else 0.0
    return (f"serial boot: {stats.frames} frames, {stats.bytes:,} bytes in {stats.seconds:.1f} s "
            f"({kbps:.0f} KiB/s), {stats.resent} resent")


def _port_name(port) -> str:
    if isinstance(port, (str, os.PathLike)):
        return str(port)
    return getattr(port, "name", None) or getattr(port, "port", None) or repr(port)


def _open(port, baudrate: int, boot_timeout_s: float):
    """(serial object, whether we opened it). Socket URLs are retried while refused: the
    simulator may still be starting."""
    if not isinstance(port, (str, os.PathLike)):
        return port, False
    import serial

    url = str(port)
    is_url = "://" in url
    if not is_url and not Path(url).exists():
        raise UserError(f"serial port {url} does not exist: is the board plugged in? (the Arty's "
                        f"UART is the second FTDI interface, usually /dev/ttyUSB1)")
    deadline = time.monotonic() + boot_timeout_s
    while True:
        try:
            # exclusive: a second program on the port (a terminal left open) would eat answers
            kwargs = {} if is_url else {"exclusive": True}
            s = serial.serial_for_url(url, baudrate=baudrate, timeout=Link.POLL_S, **kwargs)
            if hasattr(s, "reset_input_buffer"):
                s.reset_input_buffer()
            return s, True
        except serial.SerialException as e:
            refused = "refused" in str(e).lower()
            if is_url and refused and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            if refused:
                raise BoardError(f"no answer from the board on {url} within {boot_timeout_s:g} s: "
                                 f"connection refused (is the simulator or board server running?)")
            raise BoardError(f"cannot open {url}: {_one_line(e)}") from None


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


def _handshake(link: Link, boot_timeout_s: float, poke_interval_s: float = 1.0,
               wait_for_output: bool = False) -> None:
    """Wait for the BIOS's serial-boot request, asking for it from the prompt now and then,
    and acknowledge it. wait_for_output: send nothing before the SoC has printed something.
    The simulated SoC boots as we connect, and a byte that reaches its UART before the BIOS
    enables the receive interrupt is never read (nor is anything after it): its BIOS always
    prints a banner first. A board already at its prompt prints nothing, so is poked at once."""
    seen = b""
    start = time.monotonic()
    deadline = start + boot_timeout_s
    # Output may also have come and gone before we connected (reset_input_buffer drops it, or
    # the simulator printed before accepting us): then the BIOS is past its UART set-up, and
    # after a grace period it is asked all the same.
    poke_anyway = start + min(5.0, boot_timeout_s / 3)
    next_poke = 0.0
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if now >= next_poke and (seen or not wait_for_output or now >= poke_anyway):
            # Harmless when the BIOS is already waiting for the acknowledge: it ignores
            # everything but the acknowledge and 'Q'/ESC.
            link.send(_POKE)
            next_poke = now + poke_interval_s
        seen += link.recv(min(0.1, max(0.0, deadline - now)))
        if MAGIC_REQUEST in seen:
            link.send(MAGIC_ACK)
            return
    text = protocol.strip_ansi(seen.decode("utf-8", "replace"))
    text = text.replace("serialboot", "").strip()
    if not text:
        raise BoardError(f"no answer from the board on {link.name} within {boot_timeout_s:g} s: "
                         f"is it powered, programmed, and the BIOS at its prompt?")
    last = text.splitlines()[-1].strip()[:80]
    raise BoardError(f"the board on {link.name} answered but never offered serial boot within "
                     f"{boot_timeout_s:g} s (last output: {last!r}): press its RESET button or "
                     f"reload the bitstream, then retry")


def _capture(link: Link, timeout_s: float, on_line) -> str:
    """The firmware's output up to and including `CFUB EXIT <n>`."""
    import serial

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    raw = ""
    emitted = 0
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            chunk = link.recv(min(0.2, max(0.0, deadline - time.monotonic())))
        except serial.SerialException as e:  # the simulator closes its socket when it ends
            text = _clean(raw)
            raise BoardError(f"the connection to {link.name} closed before the firmware finished "
                             f"({_one_line(e)}; last output: {_last_line(text)!r})") from None
        raw += decoder.decode(chunk)
        text = _clean(raw)
        if on_line:
            lines = text.split("\n")
            for line in lines[emitted:-1]:
                on_line(line)
            emitted = max(emitted, len(lines) - 1)
        end = protocol.end_of_run(text)
        if end is not None:
            return text[:end]
        trap = protocol.trap(text)
        if trap:
            raise BoardError(f"firmware crashed on the board: {trap}")
        if time.monotonic() >= deadline:
            raise BoardError(f"the firmware on {link.name} did not finish within {timeout_s:g} s "
                             f"(last output: {_last_line(text)!r})")


def _clean(raw: str) -> str:
    return protocol.strip_ansi(raw).replace("\r", "")


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()[:120]
    return ""
