"""The data block the firmware finds in main RAM, and the init file that puts it there.

Mirrors firmware/platform/ram_image.h. The same bytes go to the simulation through
main_ram.init and to a board over the serial boot loader.
"""
import struct
from dataclasses import dataclass, field

MAGIC = 0x42554643  # "CFUB"
VERSION = 1
RUN_SELFTEST = 1 << 0
RUN_MODEL = 1 << 1
DUMP_LAYER = 1 << 2      # print op debug_first's output for every input (CFUB DUMP lines)
TRACE_LAYERS = 1 << 3    # waveform tracing on for ops debug_first..debug_last
_HEADER = struct.Struct("<12I")


@dataclass
class DataBlock:
    selftest_count: int = 0
    selftest_seed: int = 1
    model: bytes = b""
    inputs: list[bytes] = field(default_factory=list)
    dump_layer: int | None = None              # debug: dump this op's output
    trace_layers: tuple[int, int] | None = None  # debug: trace ops first..last (inclusive)

    def to_bytes(self) -> bytes:
        input_len = len(self.inputs[0]) if self.inputs else 0
        if any(len(i) != input_len for i in self.inputs):
            raise ValueError("all inputs must have the same length")
        flags = (RUN_SELFTEST if self.selftest_count else 0) | (RUN_MODEL if self.model else 0)
        if self.dump_layer is not None and self.trace_layers is not None:
            raise ValueError("dump and trace are separate runs")
        first = last = 0
        if self.dump_layer is not None:
            flags |= DUMP_LAYER
            first = last = self.dump_layer
        if self.trace_layers is not None:
            flags |= TRACE_LAYERS
            first, last = self.trace_layers
        model_offset = _align(_HEADER.size, 16)
        input_offset = _align(model_offset + len(self.model), 16)
        header = _HEADER.pack(MAGIC, VERSION, flags, self.selftest_count, self.selftest_seed,
                              model_offset, len(self.model), input_offset, input_len,
                              len(self.inputs), first, last)
        out = bytearray(input_offset + input_len * len(self.inputs))
        out[:len(header)] = header
        out[model_offset:model_offset + len(self.model)] = self.model
        out[input_offset:] = b"".join(self.inputs)
        return bytes(out)


def check_fits(data: bytes, capacity: int) -> None:
    """One clear line (exit 2) instead of a data block spilling past main RAM."""
    if capacity and len(data) > capacity:
        from ..errors import UserError
        raise UserError(f"model and input take {len(data):,} bytes but the SoC's data block holds "
                        f"{capacity:,} (3 MiB; see the README's limits)")


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def readmemh_text(regions: list[tuple[int, bytes]]) -> str:
    """$readmemh text for a 32-bit little-endian memory holding each (byte offset, bytes).

    Gaps between regions are skipped with @address lines instead of written out as zeros.
    """
    lines = []
    for offset, data in regions:
        if offset % 4:
            raise ValueError("regions must be word aligned")
        data = data + b"\0" * (-len(data) % 4)
        lines.append(f"@{offset // 4:x}")
        lines.extend(f"{w:08x}" for (w,) in struct.iter_unpack("<I", data))
    return "\n".join(lines) + "\n"


def dram_bank_texts(regions: list[tuple[int, bytes]], nbanks: int, row_bytes: int,
                    word_bytes: int) -> list[str]:
    """$readmemh text for each bank memory of LiteDRAM's SDRAMPHYModel holding the regions.

    The controller maps a main RAM byte address ROW_BANK_COL: consecutive `row_bytes` go to
    consecutive banks, and every `nbanks` rows the row number advances. One line of a bank's
    file is one `word_bytes` controller word, little-endian (the lowest byte of main RAM in
    its lowest bits), as the model's memories store it.
    """
    banks: list[list[str]] = [[] for _ in range(nbanks)]
    words_per_row = row_bytes // word_bytes
    for offset, data in regions:
        if offset % word_bytes:
            raise ValueError(f"regions must be {word_bytes}-byte aligned")
        data = data + b"\0" * (-len(data) % word_bytes)
        pos = 0
        while pos < len(data):
            address = offset + pos
            take = min(row_bytes - address % row_bytes, len(data) - pos)
            word = address // word_bytes
            row_index = word // words_per_row  # counts rows across all banks
            bank, row = row_index % nbanks, row_index // nbanks
            entry = row * words_per_row + word % words_per_row
            lines = banks[bank]
            lines.append(f"@{entry:x}")
            chunk = data[pos:pos + take]
            lines.extend(chunk[i:i + word_bytes][::-1].hex()
                         for i in range(0, take, word_bytes))
            pos += take
    zero = "0" * (2 * word_bytes)
    return ["\n".join(lines or [zero]) + "\n" for lines in banks]
