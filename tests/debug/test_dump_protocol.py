"""CFUB DUMP lines: reassembled, and refused when a line is lost or garbled."""
import zlib

import pytest

from cfu_bench.run.protocol import ProtocolError, dumps
from cfu_bench.build.ram_image import DUMP_LAYER, RUN_MODEL, TRACE_LAYERS, DataBlock


def _lines(data: bytes, op=3, k=0):
    out = [f"CFUB DUMP {k} {op} {pos} {data[pos:pos + 64].hex()}" for pos in range(0, len(data), 64)]
    return out + [f"CFUB DUMPEND {k} {op} {len(data)} {zlib.crc32(data):08x}"]


def test_dump_reassembles_across_lines_and_noise():
    data = bytes(range(256)) * 2
    text = "\n".join(["CFUB INPUT 0"] + _lines(data) + ["CFUB OP 0 CONV_2D ref 5 00000000"])
    assert dumps(text) == {(0, 3): data}


@pytest.mark.parametrize("damage", ["drop", "flip", "truncate"])
def test_damaged_dump_is_refused(damage):
    lines = _lines(bytes(range(200)))
    if damage == "drop":
        del lines[1]
    elif damage == "flip":
        lines[0] = lines[0][:-2] + ("00" if not lines[0].endswith("00") else "11")
    else:
        lines = lines[:-1]
    with pytest.raises(ProtocolError):
        dumps("\n".join(lines))


def test_debug_flags_and_layers_in_the_header():
    import struct
    block = DataBlock(model=b"M" * 8, inputs=[b"i"], dump_layer=7).to_bytes()
    flags, first, last = struct.unpack_from("<I", block, 8)[0], *struct.unpack_from("<2I", block, 40)
    assert flags == RUN_MODEL | DUMP_LAYER and (first, last) == (7, 7)
    block = DataBlock(model=b"M" * 8, inputs=[b"i"], trace_layers=(2, 5)).to_bytes()
    assert struct.unpack_from("<I", block, 8)[0] == RUN_MODEL | TRACE_LAYERS
    assert struct.unpack_from("<2I", block, 40) == (2, 5)
    assert struct.unpack_from("<I", block, 20)[0] == 48   # the model still starts at 48
