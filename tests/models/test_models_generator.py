"""Regenerating a model from source gives the reference structure, the same bytes on every
build on one machine, and the committed bytes on the machine kind that built them."""
import hashlib
import importlib.metadata
import importlib.util
import json
import platform
import subprocess
import sys

import pytest

from cfu_bench.errors import UserError
from cfu_bench.model.models_registry import BENCHMARKS
from cfu_bench.paths import MODELS, REPO
from cfu_bench.model.tflite_model import load
from models_structure import quantization_problems, structure_problems


def _provenance(folder):
    return json.loads((folder / "provenance.json").read_text())


def test_unknown_model_name():
    from cfu_bench.benchmarks.models.build import build

    with pytest.raises(UserError, match="kws, vww, ic, ad"):
        build("mobilenet")


def test_provenance_describes_the_committed_files():
    recorded = _provenance(MODELS)
    for name, b in BENCHMARKS.items():
        assert recorded[name]["sha256"] == hashlib.sha256(b.path.read_bytes()).hexdigest(), name


def _rebuild_ad(out):
    # A fresh process, as `cfu-bench models build` would be: TensorFlow's thread and oneDNN
    # settings only take effect before it loads.
    subprocess.run([sys.executable, "-m", "cfu_bench.benchmarks.models.build", "ad",
                    "--out", str(out)], cwd=REPO, check=True, timeout=600)
    return out


@pytest.fixture(scope="module")
def rebuilt_ad(tmp_path_factory):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is needed to regenerate models (scripts/setup.sh --models)")
    return _rebuild_ad(tmp_path_factory.mktemp("models"))


def test_rebuilt_ad_has_reference_structure(rebuilt_ad):
    model = load(rebuilt_ad / "ad.tflite")
    assert structure_problems("ad", model) == []
    assert quantization_problems(model) == []


def test_rebuild_is_deterministic_on_this_machine(rebuilt_ad, tmp_path):
    again = _rebuild_ad(tmp_path)
    assert (again / "ad.tflite").read_bytes() == (rebuilt_ad / "ad.tflite").read_bytes()
    assert _provenance(again)["ad"] == _provenance(rebuilt_ad)["ad"]


def test_rebuilt_ad_is_byte_identical(rebuilt_ad):
    from cfu_bench.benchmarks.models.build import build_cpu

    recorded = _provenance(MODELS)["ad"]
    built_by = (recorded["tensorflow"], recorded["machine"], recorded.get("cpu", "(not recorded)"))
    here = (importlib.metadata.version("tensorflow"), platform.machine(), build_cpu())
    if built_by != here:
        pytest.skip(f"committed ad.tflite was built with TensorFlow {built_by[0]} on {built_by[1]} "
                    f"CPU {built_by[2]}; this is {here[0]} on {here[1]} CPU {here[2]}: the bytes "
                    f"are reproducible only on the same")
    assert (rebuilt_ad / "ad.tflite").read_bytes() == BENCHMARKS["ad"].path.read_bytes()
    rebuilt = _provenance(rebuilt_ad)["ad"]
    for key in ("sha256", "bytes", "training_metrics"):
        assert rebuilt[key] == recorded[key], key
