"""mac8's kernels take int8 layers only: the int16 ADD and pools this family adds must run on the
reference kernels (mac8's prepare declines them) and stay bit-exact with TFLM, while the same
layers in int8 still run on mac8."""
import pytest
from runtime_checks import compare
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from cfu_bench.model import golden
from cfu_bench.build import hostrt
from cfu_bench.testing import seeds
from cfu_bench.model.tflite_builder import ModelBuilder


@pytest.fixture(scope="module")
def mac8_rt():
    from cfu_bench.designs import load_design
    design = load_design("mac8")
    return hostrt.HostRuntime(design.kernel_sources(), design.kernel_include_dirs())


def layers(dtype):
    """An ADD and an AVERAGE_POOL_2D of shapes mac8 takes in int8. RELU_N1_TO_1 at these scales
    keeps even the int16 layers' clamp bounds inside int8: only the type tells mac8 to decline."""
    b = ModelBuilder()
    x = b.input([1, 4, 4, 8], 0.05, -3, dtype=dtype)
    y = b.input([1, 4, 4, 8], 0.04, 5, dtype=dtype)
    opt = fb.AddOptionsT()
    opt.fusedActivationFunction = fb.ActivationFunctionType.RELU_N1_TO_1
    s = b.op("ADD", [x, y], [1, 4, 4, 8], dtype, 0.1, 2, opt)
    b.output(b.average_pool2d(s, (2, 2), (2, 2), "VALID", "RELU_N1_TO_1"))
    return b.build()


@pytest.mark.parametrize("dtype,kernels", [("int8", ["mac8_add", "mac8_avg_pool"]), ("int16", ["ref", "ref"])])
def test_mac8_declines_int16_layers(mac8_rt, dtype, kernels):
    model = layers(dtype)
    samples = golden.random_inputs(model, 3, seed=seeds.derive("test_rt_ops_math_mac8", 1))
    problems = compare(mac8_rt, model, samples, dtype)
    assert not problems, problems[:3]
    ran = [op.kernel for op in mac8_rt.run(model, samples[:1]).report.invokes[0].ops]
    assert ran == kernels
