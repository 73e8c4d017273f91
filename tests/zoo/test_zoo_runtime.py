"""The zoo on our runtime, every layer bit-exact with TFLM: on the host build for every model,
on the simulated SoC (ideal memory, one input, mac8 and none) for the two smallest; the rest
run on the SoC in `cfu-bench bench --zoo`.

These pass once the runtime has the zoo's ops, types and sizes (issue 23's framework and op
work); until then they fail naming what the runtime refuses."""
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfu_bench.model import golden
from cfu_bench.build import hostrt
from cfu_bench.commands.cli import main
from cfu_bench.model.models_registry import ZOO_MODELS
from cfu_bench.commands.profile import profile
from cfu_bench.testing import seeds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "runtime"))
from runtime_checks import compare  # noqa: E402

# Inputs per model on the host: state-carrying models (SVDF, LSTM) need a stream of them.
HOST_INPUTS = {"presence": 2, "mobilenet_v2": 3, "person_detect": 5, "person_detect_q3": 5}
DEFAULT_HOST_INPUTS = 20
SOC_MODELS = ["magic_wand", "svdf_kws"]


@pytest.fixture(scope="module")
def hrt():
    return hostrt.default_runtime()


@pytest.mark.parametrize("name", list(ZOO_MODELS))
def test_zoo_model_bit_exact_on_host_runtime(hrt, name):
    model = ZOO_MODELS[name].path.read_bytes()
    n = HOST_INPUTS.get(name, DEFAULT_HOST_INPUTS)
    samples = golden.random_inputs(model, n, seed=seeds.derive("test_zoo_runtime", name))
    problems = compare(hrt, model, samples, name)
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("command", ["info", "models"])
def test_person_detect_q3_is_accepted(command):
    """TFLM's person_detect quirk (1-D biases with quantized_dimension=3) is not refused."""
    args = [command, "person_detect_q3"] if command == "info" else [command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "person_detect_q3" in result.output


@pytest.mark.parametrize("design", ["mac8", "none"])
@pytest.mark.parametrize("name", SOC_MODELS)
def test_small_zoo_model_bit_exact_on_soc(name, design):
    r = profile(name, cfu=design, inputs=1, use_cache=False, memory="ideal")
    bad = [l.index for l in r.layers if not l.bit_exact]
    assert r.bit_exact and not bad, f"layers {bad} differ from TFLM: {r.mismatches[:3]}"
    assert r.inputs_checked == 1 and all(l.cycles > 0 for l in r.layers)
