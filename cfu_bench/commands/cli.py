"""The `cfu-bench` command line: a thin layer over functions the tests call directly."""
import shutil
import sys

import click

from .. import paths
from ..build import toolchain
from ..errors import CfuBenchError, ResultError, UserError
from ..progress import Progress
from ..soc.description import MEMORIES
from ..run.targets import TARGET_NAMES


def param_option(f):
    """-P NAME=VALUE, repeatable: a design parameter passed to make_cfu(**params)."""
    return click.option("-P", "--param", "params", multiple=True, metavar="NAME=VALUE",
                        help="Design parameter for make_cfu (repeatable), e.g. -P lanes=4.")(f)


def _params(items) -> dict:
    from ..designs import parse_params
    return parse_params(items)


class Group(click.Group):
    """Turns our errors into one line on stderr and the documented exit code, no traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CfuBenchError as e:
            click.echo(f"cfu-bench: error: {e}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=Group)
@click.version_option(package_name="cfu-bench")
def main():
    """Co-design FPGA custom function units (CFUs) with the TinyML firmware that uses them."""


@main.command()
@click.option("--quiet", is_flag=True, help="Print nothing when all is well.")
def doctor(quiet):
    """Check that every toolchain piece is installed."""
    lines = toolchain.check_all()
    if not quiet:
        for line in lines:
            click.echo(line)


@main.command()
def clean():
    """Remove every build product (the build/ folder)."""
    root = paths.build_root()
    shutil.rmtree(root, ignore_errors=True)
    click.echo(f"removed {root}")


@main.command("list")
def list_cmd():
    """List the built-in models, the CFU designs and the targets."""
    from ..designs import DEFAULT_DESIGN, list_designs
    from ..model.models_registry import BENCHMARKS, ZOO_MODELS

    for b in BENCHMARKS.values():
        click.echo(f"model   {b.name:<4} {b.task} ({b.network}, {b.input})")
    click.echo(f"model   zoo  {', '.join(ZOO_MODELS)} (see `cfu-bench models`)")
    click.echo("model   PATH.tflite  an int8 or int16x8 .tflite file (`cfu-bench info` marks any layer the runtime cannot run)")
    for d in list_designs():
        click.echo(f"cfu     {d}{'  (default)' if d == DEFAULT_DESIGN else ''}")
    click.echo("cfu     DIR     a design folder (design.py, or cfu.v with design.toml)")
    click.echo("cfu     PATH.v  a CFU Playground-style Verilog file with module Cfu")
    from ..run.targets import TARGET_NAMES, get_target
    for name in TARGET_NAMES:
        t = get_target(name)
        click.echo(f"target  {name:<5} {t.description}; memory {' or '.join(t.memories)}"
                   + ("  (default)" if name == "sim" else ""))


@main.command()
@click.argument("design", required=False)
@click.option("--no-soc", is_flag=True, help="Only the cocotb tests, not the SoC self-test.")
@click.option("--memory", type=click.Choice(MEMORIES), default="ddr3", show_default=True,
              help="Main memory of the self-test's SoC.")
@param_option
@click.option("--quiet", is_flag=True, help="No progress output.")
def test(design, no_soc, memory, params, quiet):
    """Verify CFU designs: cocotb tests on the generated Verilog, then the firmware self-test
    on the simulated SoC. DESIGN is a name, a design folder or a .v file; it defaults to every
    design of the library (`cfu-bench list`)."""
    from ..designs import list_designs
    from .verify import verify_design

    progress = Progress(quiet=quiet)
    params = _params(params)
    if params and not design:
        raise UserError("-P needs a DESIGN: parameters belong to one design")
    checks = []
    for name in [design] if design else list_designs():
        checks += verify_design(name, with_soc=not no_soc, progress=progress, params=params, memory=memory)
    for c in checks:
        click.echo(f"{'PASS' if c.ok else 'FAIL'}  {c.design:<12} {c.what:<14} {c.detail}")
    if not all(c.ok for c in checks):
        raise ResultError(f"{sum(not c.ok for c in checks)} of {len(checks)} checks failed")


@main.command()
@click.argument("name")
@click.option("--dir", "directory", default=".", show_default=True, metavar="DIR",
              help="Create the design folder DIR/NAME.")
@click.option("--verilog", is_flag=True,
              help="A plain-Verilog design: cfu.v (CFU Playground's ports), kernels/, design.toml.")
def new(name, directory, verilog):
    """Create a design folder ./NAME (or DIR/NAME) of its own: it builds, passes its tests
    (run `pytest` inside it) and runs a model with `--cfu ./NAME`."""
    from .scaffold import new_design

    path = new_design(name, directory, verilog=verilog)
    shown = f"{directory.rstrip('/') or '/'}/{name}"   # ./NAME: a bare NAME would mean a library design
    click.echo(f"created {path}; next: cd {shown} && pytest, or cfu-bench test {shown}")


@main.command()
@click.argument("model")
@click.option("--cfu", "cfu", default=None, metavar="NAME|DIR|PATH.v",
              help="CFU design (default: the best design, see `cfu-bench list`).")
@click.option("--target", type=click.Choice(TARGET_NAMES), default="sim", show_default=True)
@click.option("--memory", type=click.Choice(MEMORIES), default=None,
              help="Main RAM model: ddr3 (LiteDRAM + the Arty's DDR3, the default), sdram "
                   "(the ULX3S's SDR SDRAM at its 50 MHz) or ideal (single-cycle RAM, simulation only).")
@click.option("--baseline", default="none", show_default=True, metavar="NAME",
              help="Design to compare against; its result is cached after the first run.")
@click.option("--no-baseline", is_flag=True, help="Do not run or show a baseline.")
@click.option("--sim", "sim", type=click.Choice(["rtl", "fast"]), default="rtl", show_default=True,
              help="Target sim: the Verilator RTL simulation, or the fast simulation "
                   "(calibrated against it, see `cfu-bench calibrate`).")
@click.option("--baseline-sim", type=click.Choice(["rtl", "fast"]), default=None,
              help="Simulator of the baseline (default: the same as --sim); labelled in the "
                   "report when it differs.")
@click.option("--inputs", default=2, show_default=True, help="Random inputs to run and check.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write JSON here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write CSV here.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Write a PNG here.")
@click.option("--port", help="Serial port of the board (target arty or ulx3s).")
@click.option("--bitstream", type=click.Path(exists=True, dir_okay=False),
              help="Bitstream to load first (target arty or ulx3s, needs openFPGALoader).")
@click.option("--no-cache", is_flag=True, help="Simulate even if this exact run is cached.")
@click.option("--dump", "dump_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="On a mismatch, write the first differing layer's expected and actual "
                   "tensors here (.npy).")
@click.option("--trace", "trace", metavar="N|N:M",
              help="Write a waveform (VCD, with a GTKWave save file) of layers N to M of the "
                   "first input (target sim; a separate trace build).")
@param_option
@click.option("--quiet", is_flag=True, help="Only the table; no progress.")
def profile(model, cfu, target, memory, baseline, no_baseline, sim, baseline_sim, inputs,
            json_path, csv_path, plot_path, port, bitstream, no_cache, dump_dir, trace, params,
            quiet):
    """Per-layer cycles of MODEL (kws, vww, ic, ad, a zoo name or a .tflite path) on the SoC with a CFU,
    every layer checked bit for bit against TFLM."""
    from ..results import report
    from ..designs import DEFAULT_DESIGN
    from .profile import check, profile_with_baseline

    progress = Progress(quiet=quiet)
    cfu = cfu or DEFAULT_DESIGN
    common = dict(target=target, memory=memory, inputs=inputs, progress=progress, use_cache=not no_cache,
                  port=port, bitstream=bitstream)
    result, base = profile_with_baseline(model, cfu, None if no_baseline else baseline,
                                         dump_dir=dump_dir, trace=trace, params=_params(params),
                                         sim=None if target != "sim" and sim == "rtl" else sim,
                                         baseline_sim=baseline_sim, **common)
    click.echo(report.format_table(result, base))
    if json_path:
        report.write_json(result, json_path, base)
    if csv_path:
        report.write_csv(result, csv_path, base)
    if plot_path:
        report.write_plot(result, plot_path, base)
    check(result)
    if base:
        check(base)


@main.command()
@click.argument("model")
@click.option("--cfu", "cfu", default=None, metavar="NAME|DIR|PATH.v",
              help="CFU design whose kernels run the model (default: the best design).")
@click.option("--target", type=click.Choice(["sim", "arty"]), default="sim", show_default=True)
@click.option("--memory", type=click.Choice(MEMORIES), default=None,
              help="Main RAM model on sim: ddr3 (the default, as on the Arty), sdram (as on the "
                   "ULX3S) or ideal.")
@click.option("--port", help="Serial port of the board (target arty).")
@click.option("--bitstream", type=click.Path(exists=True, dir_okay=False),
              help="Bitstream to load first (target arty, needs openFPGALoader).")
@click.option("--iterations", type=int, default=None,
              help="Timed inferences per window (default: 2 on sim; the runner's count on arty).")
@click.option("--warmups", type=int, default=None,
              help="Warm-up inferences per window (default: 1 on sim; the runner's on arty).")
@click.option("--windows", type=int, default=None,
              help="Inputs loaded, one window each (default: 2 on sim; 5 on arty).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write JSON here.")
@click.option("--boot-only", is_flag=True,
              help="Target arty: boot the firmware with MODEL and leave it for the official runner.")
@click.option("--verbose", is_flag=True, help="Print every protocol line sent and received.")
@click.option("--sim", "sim", type=click.Choice(["rtl", "fast"]), default="rtl", show_default=True,
              help="Target sim: the Verilator RTL simulation or the fast simulation.")
@click.option("--quiet", is_flag=True, help="Only the report; no progress.")
def mlperf(model, cfu, target, memory, port, bitstream, iterations, warmups, windows, json_path,
           boot_only, verbose, sim, quiet):
    """MLPerf Tiny performance mode: drive the protocol firmware as the benchmark runner does
    (load an input, warm up, timed inferences), check results against TFLM, report the median
    latency at the SoC clock."""
    from ..designs import DEFAULT_DESIGN
    from .mlperf import check as check_mlperf, format_report, run_mlperf, write_json

    log = (lambda line: click.echo(line, err=True)) if verbose else None
    if boot_only:
        from .mlperf import boot_on_board
        if target != "arty":
            raise UserError("--boot-only is for --target arty (the simulation needs this host)")
        name, model_id = boot_on_board(model, cfu=cfu or DEFAULT_DESIGN, port=port,
                                       bitstream=bitstream, progress=Progress(quiet=quiet), log=log)
        click.echo(f"{port}: m-name-dut-[{name}], m-model-[{model_id}]: ready for the MLPerf "
                   f"Tiny runner (see docs/mlperf.md)")
        return
    result = run_mlperf(model, cfu=cfu or DEFAULT_DESIGN, target=target, port=port,
                        iterations=iterations, warmups=warmups, windows=windows,
                        progress=Progress(quiet=quiet), log=log, bitstream=bitstream, memory=memory,
                        sim=sim)
    click.echo(format_report(result))
    if json_path:
        write_json(result, json_path)
    check_mlperf(result)


@main.command()
@click.option("--model", "models", multiple=True, metavar="NAME|PATH.tflite",
              help="Model to run both ways (repeatable; default: ad).")
@click.option("--cfu", "cfus", multiple=True, metavar="NAME",
              help="CFU design (repeatable; default: none and mac8).")
@click.option("--memory", "memories", type=click.Choice(MEMORIES), multiple=True,
              help="Main RAM model (repeatable; default: ideal).")
@click.option("--inputs", default=1, show_default=True, help="Random inputs per run.")
@click.option("--no-cache", is_flag=True, help="Run the RTL simulation even if cached.")
@click.option("--check", is_flag=True, help="Exit 1 when any run leaves the error bounds.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write JSON here.")
@click.option("--summary", is_flag=True, help="One line per run, no per-layer table.")
@click.option("--quiet", is_flag=True, help="No progress output.")
def calibrate(models, cfus, memories, inputs, no_cache, check, json_path, summary, quiet):
    """Run the same models on the RTL and on the fast simulation and report the fast one's
    cycle error, per layer and for the whole model, against its bounds (1 % ideal, 3 % ddr3
    whole-model; 5 % for every layer above 1 % of the total)."""
    import json
    from pathlib import Path

    from .calibrate import calibrate as run_calibration, format_calibration

    progress = Progress(quiet=quiet)
    results = []
    for model in models or ("ad",):
        for cfu in cfus or ("none", "mac8"):
            for memory in memories or ("ideal",):
                c = run_calibration(model, cfu, memory, inputs=inputs, use_cache=not no_cache,
                                    progress=progress)
                click.echo(format_calibration(c, layers=not summary))
                results.append(c)
    if json_path:
        Path(json_path).write_text(json.dumps([c.to_json_dict() for c in results], indent=1))
    bad = [c for c in results if not c.within_bounds or not c.bit_exact]
    if check and bad:
        raise ResultError(f"{len(bad)} of {len(results)} runs outside the fast simulation's "
                          f"bounds: " + ", ".join(f"{c.model}/{c.cfu}/{c.memory}" for c in bad))


@main.command()
@click.argument("model")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the table.")
def info(model, as_json):
    """Per-layer structure of MODEL (kws, vww, ic, ad, a zoo name or a .tflite path): ops, shapes, kernel,
    stride, padding, MACs and params, read from the .tflite itself."""
    import json

    from ..model.model_info import format_info_table, model_info

    data = model_info(model)
    click.echo(json.dumps(data, indent=2) if as_json else format_info_table(data))


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the table.")
@click.pass_context
def models(ctx, as_json):
    """The named models: the four MLPerf Tiny benchmarks and the zoo (name, task, input,
    MACs, ops). Every command that takes a MODEL takes these names."""
    if ctx.invoked_subcommand is not None:
        return
    import json

    from ..model.model_catalog import catalog, format_catalog

    rows = catalog()
    click.echo(json.dumps(rows, indent=2) if as_json else format_catalog(rows))


@models.command("build")
@click.argument("names", nargs=-1)
@click.option("--zoo", "with_zoo", is_flag=True, help="All of the zoo (with no NAME: only the zoo).")
@click.option("--out", "out_dir", default=None, metavar="DIR",
              help="Write the models here (default: benchmarks/models, or benchmarks/models/zoo, of "
                   "this checkout).")
def models_build(names, with_zoo, out_dir):
    """Regenerate benchmarks/models/NAME.tflite or benchmarks/models/zoo/NAME.tflite (the four
    benchmarks by default; --zoo the zoo). Needs TensorFlow (installed by `make test`, or
    `pip install 'cfu-bench[models]'`)."""
    from ..benchmarks.models import build as builder
    from ..benchmarks.models.zoo import build as zoo_builder

    if out_dir is None and not paths.IN_CHECKOUT:
        raise UserError("an installed cfu-bench ships its models and never writes into itself; "
                        "pass --out DIR to build copies elsewhere")
    names = list(names) or list(zoo_builder.NAMES if with_zoo else builder.NAMES)
    if with_zoo and set(names) <= set(builder.NAMES):
        names += [n for n in zoo_builder.NAMES if n not in names]
    unknown = [n for n in names if n not in builder.NAMES and n not in zoo_builder.NAMES]
    if unknown:  # before minutes of training
        raise UserError(f"unknown model {unknown[0]!r}; the benchmark models are "
                        f"{', '.join(builder.NAMES)}, the zoo has {', '.join(zoo_builder.NAMES)}")
    for name in names:
        if name in zoo_builder.NAMES:
            path = zoo_builder.build(name, out_dir or paths.ZOO)
        else:
            path = builder.build(name, out_dir or paths.MODELS)
        click.echo(f"built {path}")


@main.command()
@click.option("--model", "models", multiple=True, help="Only these models (repeatable).")
@click.option("--cfu", "designs", multiple=True, help="Only these designs (repeatable).")
@click.option("--inputs", default=2, show_default=True, help="Random inputs per run.")
@click.option("--memory", "memories", default="ddr3,ideal", show_default=True,
              help="Main RAM models to run, comma-separated (ddr3, ideal, sdram).")
@click.option("--no-resources", is_flag=True, help="Skip the Yosys resource estimates.")
@click.option("--jobs", default=2, show_default=True, help="Simulations run at once.")
@click.option("--zoo", "with_zoo", is_flag=True,
              help="Add the model zoo (`cfu-bench models`); models over 50 M MACs get no `none` run.")
@click.option("--sim", "sim", type=click.Choice(["rtl", "fast"]), default="rtl", show_default=True,
              help="The RTL simulation, or the fast one (written to benchmarks/results/fast-sim/).")
@param_option
@click.option("--quiet", is_flag=True)
def bench(models, designs, inputs, memories, no_resources, jobs, with_zoo, sim, params, quiet):
    """The benchmark suite: the four models (--zoo: and the zoo) x {none, the default CFU,
    other designs} x the memories, written to benchmarks/results/ (JSON per run, results.md,
    memory.md, cycles.png)."""
    from ..errors import UserError
    from ..soc.description import MEMORIES
    from .suite import run_suite

    memory_list = [m.strip() for m in memories.split(",") if m.strip()]
    bad = [m for m in memory_list if m not in MEMORIES]
    if bad or not memory_list:
        raise UserError(f"unknown memory {', '.join(bad) or repr(memories)}; valid: "
                        f"{', '.join(MEMORIES)}")
    command = "cfu-bench bench" + "".join(f" --model {m}" for m in models) + \
              "".join(f" --cfu {d}" for d in designs) + \
              (f" --inputs {inputs}" if inputs != 2 else "") + \
              (f" --memory {','.join(memory_list)}" if memory_list != ["ddr3", "ideal"] else "") + \
              "".join(f" -P {p}" for p in params) + (" --zoo" if with_zoo else "") + \
              (" --sim fast" if sim == "fast" else "")

    def on_skip(model, design, memory, macs):
        click.echo(f"{model:<4} {design:<10} {memory:<5} not run: {macs:,} MACs is over 50 M, "
                   f"too slow with {design} in the RTL simulation")

    def on_refused(model, design, memory, message):
        click.echo(f"{model:<4} {design:<10} {memory:<5} REFUSED: {message}")

    def on_run(model, design, memory, r, seconds):
        click.echo(f"{model:<4} {design:<10} {memory:<5} {r.total_cycles:>13,} cycles  "
                   f"{r.cycles_per_mac:6.2f} cycles/MAC  "
                   f"{'bit-exact' if r.bit_exact else 'MISMATCH'}"
                   f"{'  (cached)' if r.cached else f'  ({seconds:.0f} s)'}")

    from .suite import fast_results_dir
    out_dir = fast_results_dir() if sim == "fast" else paths.results_dir()
    summary = run_suite(list(models) or None, list(designs) or None, inputs, out_dir=out_dir,
                        command=command, progress=Progress(quiet=quiet),
                        with_resources=not no_resources, jobs=jobs, on_run=on_run,
                        memories=memory_list, params=_params(params), sim=sim, zoo=with_zoo,
                        on_skip=on_skip, on_refused=on_refused)
    click.echo((out_dir / "results.md").read_text())
    if not all(r["bit_exact"] for r in summary["runs"]):
        raise ResultError("some runs are not bit-exact with TFLM")
    if summary["refused"]:
        raise ResultError(f"{len(summary['refused'])} runs refused (listed in results.md)")


def _clock_hz(value: str | None) -> int | None:
    """--sys-clk-freq: Hz (48e6, 48000000) or MHz (48)."""
    if value is None:
        return None
    try:
        f = float(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number (Hz, e.g. 48e6, or MHz, e.g. 48)")
    return int(round(f * 1e6 if f < 1000 else f))


@main.command()
@click.option("--target", type=click.Choice(["arty", "ulx3s"]), default="arty", show_default=True)
@click.option("--cfu", "cfu", default=None, metavar="NAME|DIR|PATH.v", help="CFU design (default: the best).")
@click.option("--variant", type=click.Choice(["a7-35", "a7-100"]), default="a7-35", show_default=True,
              help="Arty variant (target arty).")
@click.option("--sys-clk-freq", "sys_clk_freq", default=None, metavar="HZ|MHZ",
              help="SoC clock (target ulx3s; default 50 MHz): lower it for a design that misses "
                   "timing.")
@click.option("--seed", default=1, show_default=True, help="nextpnr's placement seed (target ulx3s).")
@click.option("--no-compile", is_flag=True, help="Write the project (Verilog, constraints, scripts, "
              "firmware) only.")
@click.option("--out", type=click.Path(file_okay=False), help="Project folder (default under "
              "build/arty/ or build/ulx3s/).")
@param_option
@click.option("--quiet", is_flag=True)
def build(target, cfu, variant, sys_clk_freq, seed, no_compile, out, params, quiet):
    """Build the board SoC with a CFU. Arty: the bitstream when Vivado (or openXC7/F4PGA) is on
    PATH, otherwise --no-compile writes the complete project to build elsewhere. ULX3S: the
    bitstream from the open yowasp flow (yosys, nextpnr-ecp5, ecppack), with the achieved fmax,
    worst path and utilisation; exit 1 when the design misses the clock."""
    import json

    from ..designs import DEFAULT_DESIGN, load_design

    design = load_design(cfu or DEFAULT_DESIGN, **_params(params))
    if target == "ulx3s":
        from ..run.board.ecp5_build import TimingMissed, build_ecp5, timing_miss_message
        result = build_ecp5(design, out_dir=out, sys_clk_freq=_clock_hz(sys_clk_freq), seed=seed,
                            no_compile=no_compile, allow_timing_miss=True,
                            progress=Progress(quiet=quiet))
        click.echo(json.dumps(result.as_dict(), indent=2))
        if result.met is False:
            raise TimingMissed(timing_miss_message(result))
        return
    if sys_clk_freq is not None:
        raise UserError("--sys-clk-freq is for --target ulx3s (the Arty's SoC runs at 100 MHz)")
    from ..run.board import build_arty
    result = build_arty(design, out_dir=out, variant=variant,
                        no_compile=no_compile, progress=Progress(quiet=quiet))
    click.echo(json.dumps(result.as_dict(), indent=2))


@main.command()
@click.argument("design")
@click.option("--param", "grid", multiple=True, metavar="NAME=V1,V2,...",
              help="Values of a design parameter (repeatable; the grid is every combination).")
@click.option("--model", "models", multiple=True, required=True,
              help="Model to profile at every point (repeatable).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool here; ray: one Ray task per point.")
@click.option("--ray-address", default=None, metavar="ADDR",
              help="Ray cluster to use (host:port); without it --engine ray starts a local one.")
@click.option("--jobs", default=1, show_default=True, help="Points run at once (local engine, or "
              "the size of a Ray cluster started here).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write sweep.csv, sweep.json and pareto.png here (default build/sweep/DESIGN).")
@click.option("--memory", type=click.Choice(MEMORIES), default="ddr3", show_default=True,
              help="Main RAM model of the simulated SoC.")
@click.option("--inputs", default=1, show_default=True, help="Random inputs per profile.")
@click.option("--soc", is_flag=True, help="Estimate the whole Arty SoC with the CFU (minutes per "
              "point) instead of the CFU alone.")
@click.option("--sim", "sim", type=click.Choice(["rtl", "fast"]), default="rtl", show_default=True,
              help="Profile every point on the RTL or on the fast simulation (no SoC build per point).")
@click.option("--confirm", type=int, default=0, metavar="N",
              help="With --sim fast: re-run the N points with the fewest cycles on the RTL.")
@click.option("--board", type=click.Choice(["ulx3s"]), default=None,
              help="With --soc: place and route the whole SoC for this board (its bitstream, "
                   "fmax and utilisation; many minutes per point), simulate with its memory, and "
                   "add latency in us (cycles / fmax).")
def sweep(design, grid, models, engine, ray_address, jobs, out_dir, memory, inputs, soc, sim,
          confirm, board):
    """Design-space sweep: every combination of --param values builds (cached), passes the
    design's cocotb tests, gets a resource estimate and profiles each --model bit-exact;
    rows, Pareto fronts (cycles vs LUTs and vs DSPs) and a plot. Resumes from the cache."""
    from pathlib import Path

    from .sweep import format_summary, parse_grid, sweep as run_sweep

    parsed = parse_grid(grid)
    out = Path(out_dir) if out_dir else paths.build_root() / "sweep" / design
    command = (f"cfu-bench sweep {design}" + "".join(f" --param {g}" for g in grid)
               + "".join(f" --model {m}" for m in models)
               + (f" --engine {engine}" if engine != "local" else "")
               + (f" --memory {memory}" if memory != "ddr3" else "")
               + (f" --inputs {inputs}" if inputs != 1 else "") + (" --soc" if soc else "")
               + (f" --sim {sim}" if sim != "rtl" else "") + (f" --confirm {confirm}" if confirm else "")
               + (f" --board {board}" if board else ""))
    resources = "soc" if soc else "cfu"
    if board:
        from .sweep import BOARD_MEMORY
        if not soc:
            raise UserError("--board needs --soc (the whole SoC is placed and routed)")
        resources = board
        if memory == "ddr3":  # the default: the board's own memory instead
            memory = BOARD_MEMORY[board]
    doc = run_sweep(design, parsed, list(models), engine=engine, jobs=jobs, out_dir=out, memory=memory,
                    inputs=inputs, resources=resources, ray_address=ray_address,
                    command=command, sim=sim, confirm=confirm)
    click.echo(format_summary(doc))
    click.echo(f"wrote {out}/sweep.csv, sweep.json, pareto.png ({doc['wall_seconds']:.0f} s)")
    if not all(r["bit_exact"] for r in doc["rows"]):
        raise ResultError("some points are not bit-exact with TFLM")
