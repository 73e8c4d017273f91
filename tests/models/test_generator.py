"""Regenerating a model from source gives the reference structure (and the same bytes)."""
import json
import platform
import subprocess
import sys

import pytest

from cfu_bench.errors import UserError
from cfu_bench.models_registry import BENCHMARKS
from cfu_bench.paths import MODELS, REPO
from cfu_bench.tflite_model import load
from models_structure import quantization_problems, structure_problems


def test_unknown_model_name():
    from cfu_bench.benchmarks.models.build import build

    with pytest.raises(UserError, match="kws, vww, ic, ad"):
        build("mobilenet")


@pytest.fixture(scope="module")
def rebuilt_ad(tmp_path_factory):
    pytest.importorskip("tensorflow", reason="TensorFlow is needed to regenerate models "
                                             "(scripts/setup.sh --models installs it)")
    out = tmp_path_factory.mktemp("models")
    # A fresh process, as `cfu-bench models build` would be: TensorFlow's thread and oneDNN
    # settings only take effect before it loads.
    subprocess.run([sys.executable, "-m", "cfu_bench.benchmarks.models.build", "ad",
                    "--out", str(out)], cwd=REPO, check=True, timeout=600)
    return out


def test_rebuilt_ad_has_reference_structure(rebuilt_ad):
    model = load(rebuilt_ad / "ad.tflite")
    assert structure_problems("ad", model) == []
    assert quantization_problems(model) == []


def test_rebuilt_ad_is_byte_identical(rebuilt_ad):
    import tensorflow as tf

    recorded = json.loads((MODELS / "provenance.json").read_text())["ad"]
    if (recorded["tensorflow"], recorded["machine"]) != (tf.__version__, platform.machine()):
        pytest.skip(f"committed ad.tflite was built with TensorFlow {recorded['tensorflow']} on "
                    f"{recorded['machine']}; bytes are only reproducible on the same")
    assert (rebuilt_ad / "ad.tflite").read_bytes() == BENCHMARKS["ad"].path.read_bytes()
    rebuilt = json.loads((rebuilt_ad / "provenance.json").read_text())["ad"]
    assert rebuilt == recorded
