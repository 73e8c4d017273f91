"""Fuzzing the model reader and runtime under AddressSanitizer + UBSan: truncated, bit-flipped
and offset-corrupted models from a seeded mutation loop (firmware/host/fuzz_main.c) must each
load cleanly or be refused with an error code; any out-of-bounds access, undefined behaviour
or hang fails the test."""
from pathlib import Path

from conftest import scale

from cfu_bench.build import hostrt
from cfu_bench.paths import MODELS
from cfu_bench.model.tflite_builder import synthetic_model
from cfu_bench.testing import seeds

CORPUS = sorted((Path(__file__).resolve().parent / "corpus").glob("*.tflite"))


def outcomes(stdout: str) -> dict:
    line = next(l for l in stdout.splitlines() if l.startswith("fuzz iterations="))
    return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}


def test_corpus_present():
    assert len(CORPUS) >= 8, "run tests/runtime/make_corpus.py"


def test_fuzz_small_models():
    n = int(200000 * scale())
    proc = hostrt.fuzz(CORPUS, n, seed=seeds.derive("test_rt_fuzz", 20261121), timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    got = outcomes(proc.stdout)
    assert got["iterations"] == n
    # the mutants reach every stage: some still run, some fail validation, most are malformed
    assert got.get("code0", 0) > n // 50 and got.get("code3", 0) > 0 and got.get("code1", 0) > n // 4


def test_fuzz_benchmark_model(tmp_path):
    path = MODELS / "kws.tflite"
    if not path.exists():
        path = tmp_path / "kws.tflite"
        path.write_bytes(synthetic_model("kws"))
    # the MAC budget keeps the full-size model's inference out; the reader is the target here
    proc = hostrt.fuzz([path], int(20000 * scale()), seed=seeds.derive("test_rt_fuzz", 7), timeout=300, max_macs=200_000)
    assert proc.returncode == 0, proc.stderr[-4000:]
