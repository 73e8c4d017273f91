"""Host side of the LiteX BIOS serial boot protocol (SFL).

The BIOS sends a magic request line, the host answers with the magic acknowledge, then sends
frames, each answered by one byte:

    frame = length (1 byte, of the payload) | CRC-16/XMODEM (2 bytes, big-endian, over cmd +
            payload) | cmd (1 byte) | payload (up to 255 bytes)
    LOAD payload = address (4 bytes, big-endian) + data;  JUMP payload = address
    answer = 'K' done, 'C' CRC error, 'E' the frame timed out half-way, 'U' unknown command

litex_term implements this too, but it exits the process on the first CRC error; we retry,
and we report failures as exceptions with one-line messages.

Frames are pipelined (a few in flight) because a USB serial adapter can take milliseconds to
deliver each answer. On any answer other than 'K' we can no longer tell which frame a later
answer belongs to (a corrupted length byte shifts the BIOS's framing), so we stop, wait until
the line is quiet long enough for the BIOS to time out of any half-read frame, and resend
every frame from the first unconfirmed one. LOAD frames carry their address, so a frame
written twice does no harm.
"""
import binascii
import time
from dataclasses import dataclass

from ...errors import CfuBenchError

MAGIC_REQUEST = b"sL5DdSMmkekro\n"
MAGIC_ACK = b"z6IHG7cYDID6o\n"
CMD_LOAD = 0x01
CMD_JUMP = 0x02
ACK_SUCCESS = ord("K")
MAX_PAYLOAD = 255
LOAD_CHUNK = MAX_PAYLOAD - 4
_ANSWERS = {ord("C"): "CRC error", ord("E"): "the BIOS timed out inside a frame (bytes lost)",
            ord("U"): "unknown command"}


class BoardError(CfuBenchError):
    """The board (or the simulated SoC standing in for it) did not do what we asked."""

    exit_code = 1


def crc16(data: bytes) -> int:
    """CRC-16/XMODEM, the BIOS's crc16(): polynomial 0x1021, initial value 0."""
    return binascii.crc_hqx(data, 0)


def encode_frame(cmd: int, payload: bytes) -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"SFL payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    body = bytes([cmd]) + payload
    return bytes([len(payload)]) + crc16(body).to_bytes(2, "big") + body


def load_frames(address: int, data: bytes, chunk: int = LOAD_CHUNK) -> list[tuple[int, bytes]]:
    """(address, frame) pairs that write `data` at `address`, `chunk` bytes per frame."""
    if not 1 <= chunk <= LOAD_CHUNK:
        raise ValueError(f"chunk must be 1..{LOAD_CHUNK} bytes")
    return [(address + off,
             encode_frame(CMD_LOAD, (address + off).to_bytes(4, "big") + data[off:off + chunk]))
            for off in range(0, len(data), chunk)]


class Link:
    """Byte I/O over an open pyserial port or anything with the same read/write/timeout."""

    POLL_S = 0.05

    def __init__(self, port, name: str):
        self.port = port
        self.name = name
        port.timeout = self.POLL_S

    def send(self, data: bytes) -> None:
        self.port.write(data)
        if hasattr(self.port, "flush"):
            self.port.flush()

    def recv(self, timeout: float) -> bytes:
        """Whatever arrives within `timeout` seconds (returns as soon as something does)."""
        deadline = time.monotonic() + timeout
        while True:
            data = bytes(self.port.read(1))
            if data:
                while True:
                    waiting = getattr(self.port, "in_waiting", 0)
                    if not waiting:
                        return data
                    data += bytes(self.port.read(waiting))
            if time.monotonic() >= deadline:
                return b""

    def drain_until_quiet(self, quiet_s: float, limit_s: float = 10.0) -> bytes:
        """Read until nothing has arrived for quiet_s seconds (or limit_s in total)."""
        got = b""
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            data = self.recv(quiet_s)
            if not data:
                break
            got += data
        return got


@dataclass
class UploadStats:
    frames: int = 0
    bytes: int = 0
    resent: int = 0       # frames sent again after an error answer
    errors: int = 0       # error answers or missing answers
    seconds: float = 0.0


class NotListening(BoardError):
    """The first frame of a serial boot met silence or console text: the BIOS gave up waiting
    for the acknowledge (its own timeout) before it arrived, and is back at its prompt."""


class SerialBoot:
    """Talks SFL to a BIOS that has already been sent the magic acknowledge."""

    def __init__(self, link: Link, window: int = 4, chunk: int = LOAD_CHUNK, max_retries: int = 5,
                 answer_timeout_s: float = 2.0, quiet_s: float = 0.5):
        # The BIOS's UART interrupt moves received bytes into a 128-byte ring and discards them
        # while the ring is full. On a real line a byte comes every ~1000 CPU cycles and the
        # ring never fills, so several frames may be in flight. The simulator's serial2tcp
        # delivers a byte per clock, so a burst longer than the ring loses bytes: over the
        # simulator keep one short frame in flight (window=1, chunk=48, so the acknowledge
        # and the first frame together are 70 bytes).
        self.link = link
        self.window = max(1, window)
        self.chunk = chunk
        self.max_retries = max_retries
        self.answer_timeout_s = answer_timeout_s
        self.quiet_s = quiet_s  # must exceed the BIOS's 0.25 s in-frame timeout on a board
        self.stats = UploadStats()
        self._answers = bytearray()

    def _answer(self) -> int | None:
        if not self._answers:
            self._answers += self.link.recv(self.answer_timeout_s)
        if not self._answers:
            return None
        return self._answers.pop(0)

    def send_frames(self, frames: list[tuple[int, bytes]]) -> None:
        t0 = time.monotonic()
        failures = [0] * len(frames)
        confirmed = sent = 0
        while confirmed < len(frames):
            while sent < len(frames) and sent - confirmed < self.window:
                self.link.send(frames[sent][1])
                sent += 1
            answer = self._answer()
            if answer == ACK_SUCCESS:
                confirmed += 1
                continue
            self.stats.errors += 1
            failures[confirmed] += 1
            first_frame = confirmed == 0 and self.stats.frames == 0
            if first_frame and answer not in _ANSWERS and failures[0] >= 2:
                raise NotListening(f"serial boot on {self.link.name}: no answer to the first frame")
            if failures[confirmed] > self.max_retries:
                address = frames[confirmed][0]
                reason = ("no answer" if answer is None
                          else _ANSWERS.get(answer, f"unexpected answer {bytes([answer])!r}"))
                raise BoardError(
                    f"serial boot failed on {self.link.name}: the frame for 0x{address:08x} "
                    f"was rejected {failures[confirmed]} times (last: {reason}); check the USB "
                    f"cable and that the baud rate matches the bitstream")
            self._answers.clear()
            self.link.drain_until_quiet(self.quiet_s)
            self.stats.resent += sent - confirmed
            sent = confirmed
        self.stats.frames += len(frames)
        self.stats.bytes += sum(len(f) for _, f in frames)
        self.stats.seconds += time.monotonic() - t0

    def load(self, address: int, data: bytes) -> None:
        self.send_frames(load_frames(address, data, self.chunk))

    def jump(self, address: int) -> None:
        self.send_frames([(address, encode_frame(CMD_JUMP, address.to_bytes(4, "big")))])
