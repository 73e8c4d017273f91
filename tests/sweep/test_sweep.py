"""`cfu-bench sweep`: the grid, the Pareto fronts, bad input, and a 2-point sweep of mac8 on
`ad` through the local engine and through a Ray head started on loopback, row for row."""
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfu_bench.commands import sweep as sweep_mod
from cfu_bench.commands.cli import main
from cfu_bench.errors import UserError


def test_grid_is_every_combination_in_order():
    grid = sweep_mod.parse_grid(["lanes=4,8,16", "depth=256,512"])
    assert grid == {"lanes": [4, 8, 16], "depth": [256, 512]}
    points = sweep_mod.grid_points(grid)
    assert len(points) == 6
    assert points[0] == {"lanes": 4, "depth": 256} and points[1] == {"lanes": 4, "depth": 512}
    assert points[-1] == {"lanes": 16, "depth": 512}


@pytest.mark.parametrize("bad", ["lanes", "lanes=", "lanes=4,", "=4", "2x=4"])
def test_bad_grid_syntax(bad):
    with pytest.raises(UserError):
        sweep_mod.parse_grid([bad])


def test_pareto_front_keeps_only_undominated_points():
    # (cycles, luts): (5, 9) and (9, 5) trade off; (6, 10) is beaten by (5, 9); a tie keeps one
    points = [(5, 9), (9, 5), (6, 10), (5, 9), (20, 5)]
    assert sweep_mod.pareto_front(points) == [0, 1]


def test_placed_and_routed_rows_get_a_latency_front(tmp_path):
    # 8 lanes: fewer cycles but a slower clock; in time, 4 lanes at 52 MHz beats 8 at 40 MHz
    assert sweep_mod.latency_us(1_040_000, 52.0) == 20000.0
    rows = [{"lanes": 4, "model": "kws", "cycles": 1_040_000, "luts": 7000, "dsps": 4,
             "brams": 43, "bit_exact": True, "fmax_mhz": 52.0, "latency_us": 20000.0},
            {"lanes": 8, "model": "kws", "cycles": 960_000, "luts": 8000, "dsps": 8,
             "brams": 43, "bit_exact": True, "fmax_mhz": 40.0, "latency_us": 24000.0}]
    fronts = sweep_mod.pareto_fronts(rows, ["lanes"])["kws"]
    assert fronts["luts"] == [{"lanes": 4}, {"lanes": 8}]
    assert fronts["latency_luts"] == [{"lanes": 4}]
    doc = {"parameters": {"lanes": [4, 8]}, "rows": [
        {**r, "memory": "sdram", "resources": "ulx3s", "cycles_per_mac": 1.0, "met": True}
        for r in rows], "pareto": {"kws": fronts}, "design": "mac8", "memory": "sdram",
        "resources": "ulx3s"}
    text = sweep_mod.format_summary(doc)
    assert "latency us" in text and "24000.0" in text and "latency vs LUTs lanes=4" in text
    sweep_mod.write_outputs(doc, tmp_path)
    header = (tmp_path / "sweep.csv").read_text().splitlines()[0].split(",")
    assert header[-3:] == ["fmax_mhz", "latency_us", "met"]


def _one_line_error(args):
    result = CliRunner().invoke(main, args)
    text = result.output.strip()
    assert result.exit_code == 2, text
    assert "Traceback" not in text and len(text.splitlines()) == 1, text
    return text


@pytest.mark.parametrize("args, needle", [
    (["sweep", "mac8", "--param", "lanes=6", "--model", "ad"], "lanes must be one of 4, 8, 16"),
    (["sweep", "mac8", "--param", "width=2", "--model", "ad"], "no parameter width"),
    (["sweep", "mac8", "--param", "depth=100", "--model", "ad"], "power of two"),
    (["sweep", "mac8", "--param", "lanes=4", "--model", "resnet"], "resnet"),
    (["profile", "ad", "-P", "lanes=5"], "lanes must be one of"),
    (["profile", "ad", "-P", "lanes"], "NAME=VALUE"),
    (["test", "-P", "lanes=4"], "needs a DESIGN"),
    (["sweep", "mac8", "--param", "lanes=4", "--model", "ad", "--board", "ulx3s"], "--board needs --soc"),
    (["sweep", "mac8", "--param", "lanes=4", "--model", "ad", "--soc", "--board", "ulx3s",
      "--memory", "ideal"], "simulates that board's memory (sdram), not ideal"),
])
def test_bad_parameters_are_one_line_exit_2(args, needle):
    assert needle in _one_line_error(args)


def test_ray_engine_without_ray_is_exit_2(monkeypatch):
    monkeypatch.setattr(sweep_mod, "ray_available", lambda: False)
    assert "needs Ray" in _one_line_error(["sweep", "mac8", "--param", "lanes=4", "--model", "ad",
                                           "--engine", "ray"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray_head(port: int, env: dict):
    """A Ray head on 127.0.0.1, from this interpreter's environment (the repo's .venv), in a
    process group of its own so the test can end exactly what it started."""
    ray_cli = Path(sys.executable).parent / "ray"
    proc = subprocess.Popen([str(ray_cli), "start", "--head", "--block", f"--port={port}",
                             "--node-ip-address=127.0.0.1", "--num-cpus=2", "--include-dashboard=false",
                             "--disable-usage-stats"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None:
            raise RuntimeError(f"ray start exited with {proc.returncode}")
        time.sleep(0.5)
    raise RuntimeError("the Ray head did not come up in 60 s")


@pytest.mark.slow   # a cold lanes=4 point builds its SoC, cocotb model and yosys estimate: minutes
def test_two_point_sweep_same_rows_on_local_and_ray(tmp_path):
    pytest.importorskip("ray")
    grid = {"lanes": [4, 8]}
    local = sweep_mod.sweep("mac8", grid, ["ad"], engine="local", out_dir=tmp_path / "local")
    rows = local["rows"]
    assert [(r["lanes"], r["model"]) for r in rows] == [(4, "ad"), (8, "ad")]
    assert all(r["bit_exact"] and r["accelerated_layers"] == r["layers"] for r in rows)
    assert all(r["memory"] == "ddr3" and r["resources"] == "cfu" for r in rows)
    # half the lanes: fewer multipliers (4 per lane) and fewer LUTs, and more cycles
    assert rows[0]["dsps"] == rows[1]["dsps"] - 16 and rows[0]["luts"] < rows[1]["luts"]
    assert rows[0]["cycles"] > rows[1]["cycles"]
    with open(tmp_path / "local" / "sweep.csv") as f:
        table = list(csv.DictReader(f))
    assert list(table[0])[:8] == ["lanes", "model", "cycles", "luts", "ffs", "dsps", "brams", "bit_exact"]
    assert [int(t["cycles"]) for t in table] == [r["cycles"] for r in rows]
    assert (tmp_path / "local" / "pareto.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "local" / "sweep.json").read_text())["rows"] == rows

    # The test's cluster has a token of its own (Ray's token authentication), given to the head
    # and to the driver through their environment: nothing is read from or written to ~/.ray.
    # The driver is the command line in a process of its own, as a user would run it.
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    port = _free_port()
    head = _ray_head(port, env)
    try:
        cli = Path(sys.executable).parent / "cfu-bench"
        run = subprocess.run([str(cli), "sweep", "mac8", "--param", "lanes=4,8", "--model", "ad",
                              "--engine", "ray", "--ray-address", f"127.0.0.1:{port}",
                              "--out", str(tmp_path / "ray")], env=env, capture_output=True, text=True,
                             timeout=900)
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:   # whatever of the group outlived `ray start` (raylet, GCS server, workers)
            os.killpg(head.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"[2/2] lanes=8 ad: {rows[1]['cycles']:,} cycles" in run.stderr   # progress per point
    remote = json.loads((tmp_path / "ray" / "sweep.json").read_text())
    assert remote["engine"] == "ray"
    assert remote["rows"] == rows
    assert (tmp_path / "ray" / "sweep.csv").read_text() == (tmp_path / "local" / "sweep.csv").read_text()
