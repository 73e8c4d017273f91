import struct

import pytest

from cfu_bench.build.ram_image import MAGIC, RUN_MODEL, RUN_SELFTEST, DataBlock, readmemh_text


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


def test_dram_bank_files_follow_the_row_bank_col_mapping():
    from cfu_bench.build.ram_image import dram_bank_texts

    row = 2048  # one row of one bank of the MT41K128M16: 1024 columns x 16 bits
    word = bytes(range(16))
    regions = [(0, word), (row, word[::-1]), (8 * row + 16, b"\xaa" * 16), (3 * row - 16, b"\x01" * 32)]
    banks = dram_bank_texts(regions, nbanks=8, row_bytes=row, word_bytes=16)
    assert len(banks) == 8
    # the lowest main RAM byte sits in the lowest bits of the 128-bit word
    assert banks[0].split() == ["@0", "0f0e0d0c0b0a09080706050403020100", "@81", "aa" * 16]
    assert banks[1].split()[:2] == ["@0", "000102030405060708090a0b0c0d0e0f"]
    # a region that crosses a row boundary continues in the next bank, at the same row
    assert banks[2].split() == ["@7f", "01" * 16]
    assert banks[3].split() == ["@0", "01" * 16]
    assert banks[7].split() == ["0" * 32]  # untouched banks still get a readable file
