"""Bad input gets one line, exit code 2 and no traceback; nothing is simulated."""
import pytest
from click.testing import CliRunner

from cfu_bench.commands.cli import main
from cfu_bench.model.models_registry import BENCHMARKS
from cfu_bench.testing import seeds


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    return result, result.output.strip()


def assert_one_line_error(result, text, *needles):
    assert result.exit_code == 2, text
    assert "Traceback" not in text
    lines = [l for l in text.splitlines() if l.strip()]
    assert len(lines) == 1, text
    assert lines[0].startswith("cfu-bench: error:") or lines[0].startswith("Error:"), text
    for n in needles:
        assert n in lines[0], text


@pytest.mark.parametrize("command", ["info", "profile"])
def test_unknown_model_lists_the_valid_names(command):
    result, text = invoke(command, "resnet50")
    assert_one_line_error(result, text, "resnet50", *BENCHMARKS)


def test_unknown_cfu_lists_the_valid_designs():
    result, text = invoke("profile", "ad", "--cfu", "nosuchcfu")
    assert_one_line_error(result, text, "nosuchcfu", "none")


def test_missing_cfu_verilog_file():
    result, text = invoke("profile", "ad", "--cfu", "/nonexistent/cfu.v")
    assert_one_line_error(result, text, "/nonexistent/cfu.v")


@pytest.mark.parametrize("command", ["info", "profile"])
def test_missing_tflite(command, tmp_path):
    path = tmp_path / "absent.tflite"
    result, text = invoke(command, str(path))
    assert_one_line_error(result, text, "absent.tflite")


@pytest.mark.parametrize("command", ["info", "profile"])
def test_truncated_tflite(command, tmp_path):
    data = BENCHMARKS["ad"].path.read_bytes()
    path = tmp_path / "truncated.tflite"
    path.write_bytes(data[: len(data) // 3])
    result, text = invoke(command, str(path))
    assert_one_line_error(result, text, "truncated.tflite")


@pytest.mark.parametrize("command", ["info", "profile"])
def test_random_bytes_tflite(command, tmp_path):
    import random
    path = tmp_path / "random.tflite"
    path.write_bytes(seeds.rng("test_cli_errors", 7).randbytes(5000))
    result, text = invoke(command, str(path))
    assert_one_line_error(result, text, "random.tflite")


def test_unknown_target_is_a_usage_error():
    result, text = invoke("profile", "ad", "--target", "zedboard")
    assert result.exit_code == 2 and "zedboard" in text and "Traceback" not in text


def test_arty_needs_a_port():
    result, text = invoke("profile", "ad", "--target", "arty", "--no-baseline")
    assert_one_line_error(result, text, "--port")


def test_ulx3s_needs_a_port_and_has_only_its_sdram():
    result, text = invoke("profile", "ad", "--target", "ulx3s", "--no-baseline")
    assert_one_line_error(result, text, "--target ulx3s needs --port")
    result, text = invoke("profile", "ad", "--target", "ulx3s", "--port", "/dev/null",
                          "--memory", "ddr3", "--no-baseline")
    assert result.exit_code == 2
    assert text == "cfu-bench: error: target ulx3s has no memory 'ddr3'; valid: sdram"


def test_new_refuses_bad_and_existing_names():
    result, text = invoke("new", "Bad-Name")
    assert_one_line_error(result, text, "Bad-Name")
    result, text = invoke("new", "none")
    assert_one_line_error(result, text, "none")


def test_the_board_has_no_ideal_memory():
    result, text = invoke("profile", "ad", "--target", "arty", "--port", "/dev/null",
                          "--memory", "ideal", "--no-baseline")
    assert result.exit_code == 2
    assert text == "cfu-bench: error: target arty has no memory 'ideal'; valid: ddr3"


def test_unknown_bench_memory_is_a_usage_error():
    result, text = invoke("bench", "--memory", "ddr3,sram")
    assert result.exit_code == 2
    assert text == "cfu-bench: error: unknown memory sram; valid: ddr3, ideal, sdram"


def test_list_names_models_designs_and_targets():
    result, text = invoke("list")
    assert result.exit_code == 0
    for name in [*BENCHMARKS, "none", "sim", "arty", "ulx3s"]:
        assert name in text


def test_targets_are_chosen_by_name():
    from cfu_bench.errors import UserError
    from cfu_bench.commands.profile import profile
    from cfu_bench.run.targets import TARGET_NAMES, get_target

    assert [get_target(n).name for n in TARGET_NAMES] == list(TARGET_NAMES)
    assert get_target("sim").memories == ("ddr3", "ideal", "sdram")
    assert get_target("arty").memories == ("ddr3",) and get_target("ulx3s").memories == ("sdram",)
    with pytest.raises(UserError, match="unknown target 'zedboard'; valid targets: sim, arty, ulx3s"):
        profile("ad", target="zedboard")
