import struct

import pytest

from cfu_bench.ram_image import MAGIC, RUN_MODEL, RUN_SELFTEST, DataBlock, readmemh_text


def test_header_points_at_model_and_inputs():
    block = DataBlock(selftest_count=5, model=b"M" * 37, inputs=[b"a" * 10, b"b" * 10]).to_bytes()
    magic, version, flags, count, seed, m_off, m_len, i_off, i_len, i_count = \
        struct.unpack_from("<10I", block)
    assert magic == MAGIC and version == 1
    assert flags == RUN_SELFTEST | RUN_MODEL and count == 5
    assert block[m_off:m_off + m_len] == b"M" * 37
    assert block[i_off:i_off + i_len * i_count] == b"a" * 10 + b"b" * 10
    assert m_off % 16 == 0 and i_off % 16 == 0


def test_inputs_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        DataBlock(inputs=[b"a", b"bb"]).to_bytes()


def test_readmemh_is_little_endian_words_with_address_jumps():
    text = readmemh_text([(0, b"\x01\x02\x03\x04\x05"), (0x100, b"\xff\x00\x00\x00")])
    assert text.splitlines() == ["@0", "04030201", "00000005", "@40", "000000ff"]
