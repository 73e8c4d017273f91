"""Where sources are found and builds go: a checkout uses build/ at its root, an installed
package the per-user cache (XDG), and CFU_BENCH_BUILD overrides both."""
from pathlib import Path

from cfu_bench import paths


def test_a_checkout_builds_into_build_at_its_root(monkeypatch):
    monkeypatch.delenv("CFU_BENCH_BUILD", raising=False)
    assert paths.IN_CHECKOUT and paths.build_root() == (paths.REPO / "build").resolve()
    assert paths.results_dir() == paths.REPO / "benchmarks" / "results"
    assert (paths.FIRMWARE / "platform" / "linker.ld").is_file() and (paths.CFU_DESIGNS / "template").is_dir()


def test_cfu_bench_build_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("CFU_BENCH_BUILD", str(tmp_path / "b"))
    assert paths.build_root() == tmp_path / "b"


def test_the_user_cache_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert paths.user_cache_dir() == tmp_path / "cfu-bench"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")   # the spec: only absolute paths count
    assert paths.user_cache_dir() == Path.home() / ".cache" / "cfu-bench"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert paths.user_cache_dir() == Path.home() / ".cache" / "cfu-bench"
