"""The acceleration hook: a CFU design's kernels linked into the runtime take the layers their
prepare() accepts, the transcript names the kernel that ran each op, everything else stays on
the reference kernels, and the results stay bit-exact with TFLM."""
from pathlib import Path

import pytest
from runtime_checks import compare

from cfu_bench.model import golden
from cfu_bench.build import hostrt
from cfu_bench.paths import MODELS
from cfu_bench.model.tflite_builder import synthetic_model
from cfu_bench.testing import seeds

FIXTURE = Path(__file__).resolve().parent / "accel_fixture" / "test_accel.c"


@pytest.fixture(scope="module")
def accel_rt():
    return hostrt.HostRuntime(extra_sources=[FIXTURE])


def model(name):
    path = MODELS / f"{name}.tflite"
    return path.read_bytes() if path.exists() else synthetic_model(name, seed=seeds.derive("test_rt_accel", 3))


@pytest.mark.parametrize("name", ["kws", "vww", "ic", "ad"])
def test_accelerated_kernels_bit_exact(accel_rt, hrt, name):
    m = model(name)
    samples = golden.random_inputs(m, 5, seed=seeds.derive("test_rt_accel", 8))
    assert not compare(accel_rt, m, samples, name)
    run = accel_rt.run(m, samples[:1])
    desc = golden.describe(m)
    for rec, op in zip(run.report.invokes[0].ops, desc.ops):
        w = desc.tensors[op.inputs[1]].shape if len(op.inputs) > 1 else ()
        if op.op == "CONV_2D":
            assert rec.kernel == ("test_conv1x1" if w[1:3] == (1, 1) and run_stride_one(m, op) else "ref")
        elif op.op == "DEPTHWISE_CONV_2D":
            assert rec.kernel == ("test_dw3x3" if w[1:3] == (3, 3) else "ref")
        elif op.op == "FULLY_CONNECTED":
            assert rec.kernel == "test_fc"
        elif op.op == "ADD":
            assert rec.kernel == "test_add"
        else:
            assert rec.kernel == "ref"
    # the same build with acceleration switched off: all reference, same CRCs
    ref = accel_rt.run(m, samples[:1], disable_accel=True)
    assert {o.kernel for o in ref.report.invokes[0].ops} == {"ref"}
    assert [o.crc for o in ref.report.invokes[0].ops] == [o.crc for o in run.report.invokes[0].ops]


def run_stride_one(m, op):
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb
    mt = fb.Model.GetRootAsModel(m, 0)
    o = mt.Subgraphs(0).Operators(op.index)
    opt = fb.Conv2DOptions()
    table = o.BuiltinOptions()
    opt.Init(table.Bytes, table.Pos)
    return opt.StrideH() == 1 and opt.StrideW() == 1


def test_kernel_may_decline_any_op(accel_rt):
    """The fixture's ADD kernel declines broadcasting: that layer runs the reference."""
    m = (Path(__file__).resolve().parent / "corpus" / "add_broadcast.tflite").read_bytes()
    samples = golden.random_inputs(m, 2, seed=seeds.derive("test_rt_accel", 4))
    assert not compare(accel_rt, m, samples, "add_broadcast")
    kernels = {o.kernel for o in accel_rt.run(m, samples[:1]).report.invokes[0].ops}
    assert kernels == {"ref"}


def test_no_design_linked_means_reference(hrt):
    m = model("kws")
    run = hrt.run(m, golden.random_inputs(m, 1))
    assert {o.kernel for o in run.report.invokes[0].ops} == {"ref"}


def test_template_design_accelerates_fully_connected():
    """What `cfu-bench new` copies ships one accelerated kernel: every FULLY_CONNECTED layer of
    ad runs on template_fc (on the C model of its instructions here), bit-exact with TFLM."""
    from cfu_bench.designs import load_design
    design = load_design("template")
    rt = hostrt.HostRuntime(design.kernel_sources(), design.kernel_include_dirs())
    m = model("ad")
    samples = golden.random_inputs(m, 3, seed=seeds.derive("test_rt_accel", 11))
    assert not compare(rt, m, samples, "ad")
    ops = rt.run(m, samples[:1]).report.invokes[0].ops
    assert {o.kernel for o in ops} == {"template_fc"}

