"""Turning a CFU core into the Verilog file LiteX instantiates (module `Cfu`)."""
from pathlib import Path

from amaranth.back import verilog
from amaranth.lib import wiring

from .wrapper import CfuTop

MODULE_NAME = "Cfu"


def cfu_verilog(core: wiring.Component, header: str = "") -> str:
    text = verilog.convert(CfuTop(core), name=MODULE_NAME, emit_src=False)
    if header:
        text = "".join(f"// {line}\n" for line in header.splitlines()) + text
    return text


def write_cfu_verilog(core: wiring.Component, path: Path, header: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = cfu_verilog(core, header)
    # Unchanged output keeps its timestamp, so builds keyed on mtime do not redo work.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path
