"""Firmware builds reuse the objects of earlier builds whose dependencies are unchanged (by
content): after a kernel edit only that kernel recompiles, and the image is the one a clean
build makes."""
import shutil

from cfu_bench.designs import load_design
from cfu_bench.build.firmware_build import build_firmware


def _kernels(tmp_path):
    design = load_design("template")
    kernels = tmp_path / "kernels"
    shutil.copytree(design.kernel_sources()[0].parent, kernels)
    return design, kernels


def _build(soc, design, kernels):
    includes = [kernels] + design.kernel_include_dirs()[1:]
    return build_firmware(soc.software_dir, sorted(kernels.glob("*.c")), includes,
                          design.selftest_available)


def _object(source):
    return source.name + ".o"


def _edit(path, line):
    path.write_text(path.read_text() + "\n" + line + "\n")


def test_an_edit_recompiles_only_its_file_and_matches_a_clean_build(template_target, tmp_path,
                                                                     monkeypatch):
    soc = template_target.soc
    design, kernels = _kernels(tmp_path)
    monkeypatch.setenv("CFU_BENCH_BUILD", str(tmp_path / "pooled"))
    first = _build(soc, design, kernels)
    assert first.reused == ()
    edited = kernels / "template_fc.c"
    _edit(edited, "int cfub_test_edit_marker = 7;")
    second = _build(soc, design, kernels)
    assert not any(name.endswith(_object(edited)) for name in second.reused)
    assert any(name.endswith(_object(kernels / "selftest.c")) for name in second.reused)
    assert len(second.reused) > 15   # the runtime, reference kernels and platform
    monkeypatch.setenv("CFU_BENCH_BUILD", str(tmp_path / "clean"))
    assert _build(soc, design, kernels).binary == second.binary


def test_a_changed_header_rebuilds_what_includes_it(template_target, tmp_path, monkeypatch):
    soc = template_target.soc
    design, kernels = _kernels(tmp_path)
    monkeypatch.setenv("CFU_BENCH_BUILD", str(tmp_path / "pooled"))
    _build(soc, design, kernels)
    _edit(kernels / "template_emu.h", "#define CFUB_TEST_HEADER_EDIT 1")
    pooled = _build(soc, design, kernels)
    includers = [s for s in kernels.glob("*.c") if "template_emu.h" in s.read_text()]
    assert includers
    for source in includers:
        assert not any(name.endswith(_object(source)) for name in pooled.reused)
    monkeypatch.setenv("CFU_BENCH_BUILD", str(tmp_path / "clean"))
    assert _build(soc, design, kernels).binary == pooled.binary
