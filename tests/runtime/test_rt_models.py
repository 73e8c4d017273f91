"""Whole-model tests: every layer of every benchmark model bit-exact with TFLM over 100 random
inputs, on the host build: the four committed MLPerf Tiny models (benchmarks/models/*.tflite)
and random-weight stand-ins with the same layer structure (tflite_builder.synthetic_model)."""
import pytest
from conftest import scale
from runtime_checks import compare

from cfu_bench.model import golden
from cfu_bench.build import hostrt
from cfu_bench.paths import MODELS
from cfu_bench.model.tflite_builder import synthetic_model
from cfu_bench.testing import seeds

NAMES = ["kws", "vww", "ic", "ad"]
N_INPUTS = 100
# The reference table in shared/reference/mlperf-tiny-models.md: op counts per model.
OPS = {"kws": 13, "vww": 31, "ic": 16, "ad": 10}


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_model_bit_exact(hrt, name):
    path = MODELS / f"{name}.tflite"
    assert path.exists(), f"{path} is missing: it is committed; `cfu-bench models build {name}` remakes it"
    model = path.read_bytes()
    samples = golden.random_inputs(model, int(N_INPUTS * scale()), seed=seeds.derive("test_rt_models", 2026))
    problems = compare(hrt, model, samples, name)
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("name", NAMES)
def test_synthetic_model_bit_exact(hrt, name):
    model = synthetic_model(name, seed=seeds.derive("test_rt_models", 3))
    run = hrt.run(model, golden.random_inputs(model, 1))
    assert run.report.model.ops == OPS[name]
    samples = golden.random_inputs(model, int(N_INPUTS * scale()), seed=seeds.derive("test_rt_models", 11))
    problems = compare(hrt, model, samples, f"synthetic {name}")
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("name", NAMES)
def test_arena_close_to_tflm(hrt, name, record_property):
    """Our whole arena use (tables, parameters and activations) against the smallest arena TFLM
    runs the same model in. Greedy-by-size planning like TFLM's, so the two stay close."""
    path = MODELS / f"{name}.tflite"
    model = path.read_bytes() if path.exists() else synthetic_model(name, seed=seeds.derive("test_rt_models", 3))
    ours = hrt.load_info(model)
    tflm = golden.tflm_arena_bytes(model)
    record_property("arena", {"ours": ours["arena"], "planned": ours["planned"], "tflm": tflm})
    print(f"{name}: ours {ours['arena']} B ({ours['planned']} B activations), TFLM {tflm} B")
    assert hrt.min_arena(model) <= ours["arena"] + 16
    assert ours["arena"] <= 1.25 * tflm + 1024


@pytest.mark.parametrize("name", ["kws", "ic"])
def test_sanitizer_build_runs_models(name):
    """The ASan+UBSan build runs real workloads cleanly and reports the same CRCs as TFLM."""
    path = MODELS / f"{name}.tflite"
    model = path.read_bytes() if path.exists() else synthetic_model(name, seed=seeds.derive("test_rt_models", 3))
    samples = golden.random_inputs(model, 3, seed=seeds.derive("test_rt_models", 9))
    proc = hostrt.run_asan(model, samples)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "runtime error" not in proc.stderr and "AddressSanitizer" not in proc.stderr
    from cfu_bench.run.protocol import parse
    report = parse(proc.stdout).raise_for_error()
    gold = golden.golden_crcs(model, samples)
    assert [[op.crc for op in inv.ops] for inv in report.invokes] == gold
