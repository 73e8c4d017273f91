"""Designs anywhere: `--cfu` takes a library name, a folder path or a .v file, and `cfu-bench
new` writes a folder of its own. Bad folders get one line and exit code 2; nothing is built."""
import pytest
from click.testing import CliRunner

from cfu_bench.commands.cli import main
from cfu_bench.designs import load_design
from cfu_bench.paths import CFU_DESIGNS, TEMPLATES


def one_line_error(*args, needles=()):
    result = CliRunner().invoke(main, list(args))
    text = result.output.strip()
    lines = [l for l in text.splitlines() if l.strip()]
    assert result.exit_code == 2 and "Traceback" not in text and len(lines) == 1, text
    assert lines[0].startswith("cfu-bench: error:"), text
    for n in needles:
        assert n in lines[0], text
    return lines[0]


def test_a_library_design_by_name_and_by_folder_path_is_the_same_design():
    by_name, by_path = load_design("template"), load_design(str(CFU_DESIGNS / "template"))
    assert by_name.folder == by_path.folder and by_name.name == by_path.name == "template"
    assert by_name.is_amaranth and by_name.gateware_hash() == by_path.gateware_hash()


def test_new_writes_into_the_current_folder_or_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "mine"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mine" / "design.py").is_file() and (tmp_path / "mine" / "pyproject.toml").is_file()
    assert '"cfu-bench==' in (tmp_path / "mine" / "pyproject.toml").read_text()
    assert not (CFU_DESIGNS / "mine").exists()
    (tmp_path / "elsewhere").mkdir()
    result = CliRunner().invoke(main, ["new", "other", "--dir", "elsewhere", "--verilog"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "elsewhere" / "other"
    design = load_design(str(folder))
    assert design.name == "other" and not design.is_amaranth and design.verilog_file == folder / "cfu.v"
    assert design.emulation_header == folder / "kernels" / "other_emu.h"
    assert [p.name for p in design.kernel_sources()] == ["other_fc.c", "selftest.c"]
    assert design.selftest_available and "template" not in (folder / "cfu.v").read_text()


def test_new_refuses_an_existing_target_and_a_missing_dir(tmp_path):
    (tmp_path / "taken").mkdir()
    one_line_error("new", "taken", "--dir", str(tmp_path), needles=("already exists",))
    one_line_error("new", "fresh", "--dir", str(tmp_path / "absent"), needles=("folder not found",))


def test_cfu_folder_errors_are_one_line(tmp_path):
    one_line_error("profile", "ad", "--cfu", str(tmp_path / "absent"), needles=("not found", "absent"))
    (tmp_path / "empty").mkdir()
    one_line_error("profile", "ad", "--cfu", str(tmp_path / "empty"),
                   needles=("not a CFU design folder", "design.py", "design.toml", "cfu.v"))


@pytest.mark.parametrize("toml, needle", [
    ("name = ", "bad"),                                   # not TOML
    ('name = "x"\ncolour = "red"\n', "unknown key colour"),
    ('name = "Bad-Name"\n', "name 'Bad-Name'"),
    ("name = 3\n", "non-empty string"),
    ('name = "v"\nemulation = "kernels/none.h"\n', "emulation header kernels/none.h not found"),
    ('name = "v"\nverilog = "other.v"\n', "has no other.v"),
])
def test_a_bad_design_toml_is_one_line(tmp_path, toml, needle):
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / "cfu.v").write_text((TEMPLATES / "verilog" / "cfu.v").read_text())
    (folder / "design.toml").write_text(toml)
    one_line_error("test", str(folder), "--no-soc", needles=(needle, "design.toml") if "has no" not in needle
                   else (needle,))


def test_a_verilog_folder_without_module_cfu_is_refused(tmp_path):
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / "cfu.v").write_text("module Other(input clk); endmodule\n")
    one_line_error("profile", "ad", "--cfu", str(folder), needles=("module Cfu",))


def test_the_porting_example_is_a_verilog_folder_whose_kernel_builds_for_the_cpu(tmp_path):
    """docs/porting.md's worked example (its profile output is recorded there)."""
    from cfu_bench.paths import REPO
    from cfu_bench.testing.emulation import compile_for_target

    folder = REPO / "docs" / "porting" / "dot4"
    if not folder.is_dir():
        pytest.skip("the porting example ships with the repository, not the package")
    design = load_design(str(folder))
    assert design.name == "dot4" and not design.is_amaranth
    assert [p.name for p in design.kernel_sources()] == ["dot4_fc.c"]
    compile_for_target(design.kernel_sources(), design.kernel_include_dirs(), tmp_path)


def test_the_library_designs_import_only_the_public_api():
    """cfu/*/ imports nothing of cfu_bench but cfu_bench.design, and every name exists there."""
    import ast

    import cfu_bench.design as api

    for path in sorted(CFU_DESIGNS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else
                       [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for m in modules:
                assert not (m or "").startswith("cfu_bench") or m == "cfu_bench.design", f"{path}: {m}"
            if isinstance(node, ast.ImportFrom) and node.module == "cfu_bench.design":
                for alias in node.names:
                    assert hasattr(api, alias.name), f"{path}: {alias.name}"
    assert set(dir(api)) == set(api.__all__) and all(hasattr(api, n) for n in api.__all__)
