"""The CFUB line protocol: the host build's transcript and the parser that reads it (also from
UART captures full of other output)."""
import zlib

import pytest

from cfu_bench.model import golden
from cfu_bench.errors import ResultError, UserError
from cfu_bench.run.protocol import ProtocolError, parse
from cfu_bench.model.tflite_builder import synthetic_model
from cfu_bench.testing import seeds

SAMPLE = """\x1b[1m        __   _ __      _  __\x1b[0m
 BIOS built on Nov 21 2026
CFUB BOOT
CFUB MODEL bytes=47840 ops=2 arena=26328 setup_cycles=123456
CFUB INPUT 0
CFUB OP 0 CONV_2D cfu_conv1x1 1000 0badf00d\r
litex> CFUB OP 1 SOFTMAX ref 20 deadbeef
CFUB INVOKE 0 total=1100 kernels=1020 overhead=80
CFUB DONE
CFUB CYCLES main=999999 total=1234567
CFUB EXIT 0
"""


def test_parse_with_junk():
    rep = parse(SAMPLE)
    assert rep.complete and rep.exit_code == 0 and rep.cycles == {"main": 999999, "total": 1234567}
    assert rep.model.ops == 2 and rep.arena_bytes == 26328 and rep.setup_cycles == 123456
    (inv,) = rep.invokes
    assert [o.kernel for o in inv.ops] == ["cfu_conv1x1", "ref"]
    assert inv.ops[0].crc == 0x0BADF00D and inv.ops[1].crc_hex == "deadbeef"
    assert (inv.total, inv.kernels, inv.overhead) == (1100, 1020, 80)
    assert any("BIOS" in j for j in rep.junk)
    rep.raise_for_error()
    assert parse(SAMPLE.encode()).complete


def test_incomplete_and_garbled():
    cut = SAMPLE[:SAMPLE.index("CFUB INVOKE")]
    rep = parse(cut)
    assert not rep.complete
    with pytest.raises(ProtocolError):
        rep.raise_for_error()
    bad = SAMPLE.replace("kernels=1020", "kernels=1021")
    assert not parse(bad).complete
    assert not parse(SAMPLE.replace("CFUB OP 1", "CFUB OP 7")).complete


def test_error_lines():
    rep = parse("CFUB ERROR 2 unsupported op MUL (builtin 18) at op 3\n")
    assert rep.error.code == 2 and rep.error.name == "unsupported" and "MUL" in rep.error.message
    with pytest.raises(UserError):
        rep.raise_for_error()
    with pytest.raises(ResultError):
        parse("CFUB ERROR 6 SOFTMAX op 4: exp sum out of range\n").raise_for_error()


def test_host_transcript_matches_outputs(hrt):
    model = synthetic_model("kws")
    samples = golden.random_inputs(model, 3, seed=seeds.derive("test_rt_protocol", 4))
    run = hrt.run(model, samples)
    rep = run.report.raise_for_error()
    assert rep.complete and rep.model.bytes == len(model) and rep.model.ops == 13
    assert len(rep.invokes) == 3
    for k, inv in enumerate(rep.invokes):
        assert inv.kernels == sum(o.cycles for o in inv.ops)
        assert inv.overhead == inv.total - inv.kernels and inv.total >= inv.kernels
        for o, out in zip(inv.ops, run.outputs[k]):
            assert o.crc == zlib.crc32(out.data) and o.kernel == "ref"
    lines = run.text.splitlines()
    assert lines[0].startswith("CFUB MODEL ") and lines[-1] == "CFUB DONE"
    assert all(line.startswith("CFUB ") for line in lines)
