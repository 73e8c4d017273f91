"""Loading a bitstream into the board's FPGA (Arty A7 or ULX3S) with openFPGALoader."""
import shutil
import subprocess
from pathlib import Path

from ...errors import ToolMissing, UserError
from .serial_boot import BoardError

_OPENFPGALOADER_BOARDS = {"a7-35": "arty_a7_35t", "a7-100": "arty_a7_100t", "ulx3s": "ulx3s"}


def bitstream_variant(bitstream: Path) -> str | None:
    """The board variant a .bit file was built for, from the part name in its header
    (ecppack writes the ECP5 part into a comment at the start of the file)."""
    head = Path(bitstream).read_bytes()[:256]
    if b"LFE5U" in head:
        return "ulx3s"
    if b"7a100t" in head:
        return "a7-100"
    if b"7a35t" in head:
        return "a7-35"
    return None


def load_bitstream(bitstream, variant: str | None = None, timeout_s: float = 120.0) -> None:
    """Load a bitstream into the FPGA's configuration RAM (lost at power-off) with openFPGALoader."""
    path = Path(bitstream)
    if not path.is_file():
        raise UserError(f"bitstream not found: {path}")
    exe = shutil.which("openFPGALoader")
    if exe is None:
        raise ToolMissing("openFPGALoader not on PATH: install it (apt-get install openfpgaloader) "
                          "or load the bitstream with Vivado's hardware manager and run without "
                          "--bitstream")
    variant = variant or bitstream_variant(path) or "a7-35"
    board = _OPENFPGALOADER_BOARDS.get(variant)
    if board is None:
        raise UserError(f"unknown board variant {variant!r}; valid: {', '.join(_OPENFPGALOADER_BOARDS)}")
    try:
        r = subprocess.run([exe, "-b", board, str(path)], capture_output=True, text=True,
                           timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise BoardError(f"openFPGALoader did not finish within {timeout_s:g} s") from None
    if r.returncode != 0:
        lines = [l.strip() for l in (r.stderr + r.stdout).splitlines() if l.strip()]
        errors = [l for l in lines if "error" in l.lower()] or lines[-2:]
        raise BoardError(f"openFPGALoader could not load {path.name} onto the {board}: "
                         + " | ".join(errors[:3]))
