"""Stand-ins for a board: a model of the LiteX BIOS's serial boot on a TCP socket, and a port
wrapper that damages chosen frames on their way out, as a noisy line would."""
import socket
import threading
import time

from cfu_bench.run.board.serial_boot import CMD_JUMP, CMD_LOAD, MAGIC_ACK, MAGIC_REQUEST, crc16

RAM_BASE = 0x40000000
RAM_SIZE = 8 * 1024 * 1024


class Server:
    """Listens on a free localhost port and hands the first connection to `serve(conn)`."""

    def __init__(self, serve):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"
        self.error = None
        self._serve = serve
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            try:
                self._serve(conn)
            except (OSError, EOFError):
                pass
            except Exception as e:  # surfaced by the test through .error
                self.error = e

    def close(self):
        self.sock.close()
        self.thread.join(5)


class FakeBios:
    """The device side of the BIOS's serialboot(), as in litex/soc/software/bios/boot.c: the
    same frame parsing, the same timeout per frame counted from its first byte, the same
    answers. After a JUMP it "runs" `program(ram)`, which returns the bytes to print."""

    def __init__(self, program=None, frame_timeout_s=0.1, ack_timeout_s=1.0,
                 boot_on_connect=True, reject_address=None, late_acks=0):
        self.ram = bytearray(RAM_SIZE)
        self.program = program or (lambda ram: b"CFUB EXIT 0\r\n")
        self.frame_timeout_s = frame_timeout_s
        self.ack_timeout_s = ack_timeout_s
        self.boot_on_connect = boot_on_connect
        self.reject_address = reject_address
        self.late_acks = late_acks   # acknowledges that arrive after the BIOS's timeout
        self.answers = bytearray()
        self.jumped_to = None
        self._pending = bytearray()

    def _read(self, conn, deadline=None) -> int | None:
        while not self._pending:
            timeout = None if deadline is None else deadline - time.monotonic()
            if timeout is not None and timeout <= 0:
                return None
            conn.settimeout(timeout)
            try:
                data = conn.recv(4096)
            except socket.timeout:
                return None
            if not data:
                raise EOFError
            self._pending += data
        return self._pending.pop(0)

    def serve(self, conn):
        conn.sendall(b"\x1b[1mBIOS\x1b[0m\r\n")
        if not (self.boot_on_connect and self._serialboot(conn)):
            line = b""
            conn.sendall(b"litex> ")
            while True:
                c = self._read(conn)
                if c in (ord("\n"), ord("\r")):
                    if line.strip() == b"serialboot" and self._serialboot(conn):
                        return
                    line = b""
                    conn.sendall(b"\r\nlitex> ")
                else:
                    line += bytes([c])

    def _serialboot(self, conn) -> bool:
        conn.sendall(b"Booting from serial...\r\n" + MAGIC_REQUEST)
        deadline = time.monotonic() + self.ack_timeout_s
        recognized = 0
        while recognized < len(MAGIC_ACK):
            c = self._read(conn, deadline)
            if c is None:
                conn.sendall(b"Timeout\r\n")
                return False
            if c == MAGIC_ACK[recognized]:
                recognized += 1
            else:
                recognized = 1 if c == MAGIC_ACK[0] else 0
        if self.late_acks:
            self.late_acks -= 1
            conn.sendall(b"Timeout\r\n")
            return False
        while True:
            length = self._read(conn)
            deadline = time.monotonic() + self.frame_timeout_s
            rest = []
            while len(rest) < 3 + length:
                c = self._read(conn, deadline)
                if c is None:
                    break
                rest.append(c)
            if len(rest) < 3 + length:
                self._answer(conn, b"E")
                continue
            crc = (rest[0] << 8) | rest[1]
            body = bytes(rest[2:])
            if crc16(body) != crc:
                self._answer(conn, b"C")
                continue
            cmd, payload = body[0], body[1:]
            address = int.from_bytes(payload[:4], "big")
            if cmd == CMD_LOAD:
                if address == self.reject_address:
                    self._answer(conn, b"C")
                    continue
                offset = address - RAM_BASE
                self.ram[offset:offset + len(payload) - 4] = payload[4:]
                self._answer(conn, b"K")
            elif cmd == CMD_JUMP:
                self._answer(conn, b"K")
                self.jumped_to = address
                conn.sendall(b"Executing booted program at 0x%08x\r\n" % address)
                conn.sendall(self.program(self.ram))
                time.sleep(0.5)  # let the host read before the connection closes
                return True
            else:
                self._answer(conn, b"U")

    def _answer(self, conn, answer: bytes):
        self.answers += answer
        conn.sendall(answer)


class DamagingPort:
    """Wraps an open pyserial port; the n-th LOAD frame written (counting every attempt, so a
    resend is a new n) has a payload byte flipped (n in `corrupt`) or one byte removed
    (n in `drop`). `corrupt_all` damages every LOAD frame."""

    def __init__(self, port, corrupt=(), drop=(), corrupt_all=False):
        self.port = port
        self.name = getattr(port, "name", None) or getattr(port, "portstr", "damaging port")
        self.corrupt = set(corrupt)
        self.drop = set(drop)
        self.corrupt_all = corrupt_all
        self.load_writes = 0
        self.damaged = 0

    @property
    def timeout(self):
        return self.port.timeout

    @timeout.setter
    def timeout(self, value):
        self.port.timeout = value

    @property
    def in_waiting(self):
        return self.port.in_waiting

    def read(self, n=1):
        return self.port.read(n)

    def write(self, data):
        data = bytes(data)
        if len(data) > 8 and data[3] == CMD_LOAD and data[0] == len(data) - 4:
            n = self.load_writes
            self.load_writes += 1
            if self.corrupt_all or n in self.corrupt:
                data = data[:-1] + bytes([data[-1] ^ 0x5A])
                self.damaged += 1
            elif n in self.drop:
                data = data[:len(data) // 2] + data[len(data) // 2 + 1:]
                self.damaged += 1
        return self.port.write(data)

    def flush(self):
        self.port.flush()

    def close(self):
        self.port.close()


def connect(url: str, timeout_s: float = 20.0):
    """Open a pyserial socket URL, retrying while nothing listens yet (a starting simulator)."""
    import serial

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return serial.serial_for_url(url, timeout=0.05)
        except serial.SerialException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
