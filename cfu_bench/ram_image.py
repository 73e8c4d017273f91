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
_HEADER = struct.Struct("<10I")


@dataclass
class DataBlock:
    selftest_count: int = 0
    selftest_seed: int = 1
    model: bytes = b""
    inputs: list[bytes] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        input_len = len(self.inputs[0]) if self.inputs else 0
        if any(len(i) != input_len for i in self.inputs):
            raise ValueError("all inputs must have the same length")
        flags = (RUN_SELFTEST if self.selftest_count else 0) | (RUN_MODEL if self.model else 0)
        model_offset = _align(_HEADER.size, 16)
        input_offset = _align(model_offset + len(self.model), 16)
        header = _HEADER.pack(MAGIC, VERSION, flags, self.selftest_count, self.selftest_seed,
                              model_offset, len(self.model), input_offset, input_len,
                              len(self.inputs))
        out = bytearray(input_offset + input_len * len(self.inputs))
        out[:len(header)] = header
        out[model_offset:model_offset + len(self.model)] = self.model
        out[input_offset:] = b"".join(self.inputs)
        return bytes(out)


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
