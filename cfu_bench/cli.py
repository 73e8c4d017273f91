"""The `cfu-bench` command line: a thin layer over functions the tests call directly."""
import shutil
import sys

import click

from . import paths, toolchain
from .errors import CfuBenchError, ResultError, UserError
from .progress import Progress
from .soc.description import MEMORIES
from .targets import TARGET_NAMES


def param_option(f):
    """-P NAME=VALUE, repeatable: a design parameter passed to make_cfu(**params)."""
    return click.option("-P", "--param", "params", multiple=True, metavar="NAME=VALUE",
                        help="Design parameter for make_cfu (repeatable), e.g. -P lanes=4.")(f)


def _params(items) -> dict:
    from .designs import parse_params
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
    from .designs import DEFAULT_DESIGN, list_designs
    from .models_registry import BENCHMARKS, ZOO_MODELS

    for b in BENCHMARKS.values():
        click.echo(f"model   {b.name:<4} {b.task} ({b.network}, {b.input})")
    click.echo(f"model   zoo  {', '.join(ZOO_MODELS)} (see `cfu-bench models`)")
    click.echo("model   PATH.tflite  any INT8 .tflite file")
    for d in list_designs():
        click.echo(f"cfu     {d}{'  (default)' if d == DEFAULT_DESIGN else ''}")
    click.echo("cfu     PATH.v  a CFU Playground-style Verilog file with module Cfu")
    from .targets import TARGET_NAMES, get_target
    for name in TARGET_NAMES:
        t = get_target(name)
        click.echo(f"target  {name:<5} {t.description}; memory {' or '.join(t.memories)}"
                   + ("  (default)" if name == "sim" else ""))


@main.command()
@click.argument("design", required=False)
@click.option("--no-soc", is_flag=True, help="Only the cocotb tests, not the SoC self-test.")
@param_option
@click.option("--quiet", is_flag=True, help="No progress output.")
def test(design, no_soc, params, quiet):
    """Verify CFU designs: cocotb tests on the generated Verilog, then the firmware self-test
    on the simulated SoC. DESIGN defaults to every design under cfu/."""
    from .designs import list_designs
    from .verify import verify_design

    progress = Progress(quiet=quiet)
    params = _params(params)
    if params and not design:
        raise UserError("-P needs a DESIGN: parameters belong to one design")
    checks = []
    for name in [design] if design else list_designs():
        checks += verify_design(name, with_soc=not no_soc, progress=progress, params=params)
    for c in checks:
        click.echo(f"{'PASS' if c.ok else 'FAIL'}  {c.design:<12} {c.what:<14} {c.detail}")
    if not all(c.ok for c in checks):
        raise ResultError(f"{sum(not c.ok for c in checks)} of {len(checks)} checks failed")


@main.command()
@click.argument("name")
def new(name):
    """Create cfu/NAME from the template: it builds, passes its tests and runs a model."""
    from .scaffold import new_design

    path = new_design(name)
    click.echo(f"created {path}; next: cfu-bench test {name}")


@main.command()
@click.argument("model")
@click.option("--cfu", "cfu", default=None, metavar="NAME|PATH.v",
              help="CFU design (default: the best design, see `cfu-bench list`).")
@click.option("--target", type=click.Choice(TARGET_NAMES), default="sim", show_default=True)
@click.option("--memory", type=click.Choice(MEMORIES), default=None,
              help="Main RAM model: ddr3 (LiteDRAM + the Arty's DDR3, the default) or ideal "
                   "(single-cycle RAM, simulation only).")
@click.option("--baseline", default="none", show_default=True, metavar="NAME",
              help="Design to compare against; its result is cached after the first run.")
@click.option("--no-baseline", is_flag=True, help="Do not run or show a baseline.")
@click.option("--inputs", default=2, show_default=True, help="Random inputs to run and check.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write JSON here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write CSV here.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Write a PNG here.")
@click.option("--port", help="Serial port of the board (target arty).")
@click.option("--bitstream", type=click.Path(exists=True, dir_okay=False),
              help="Bitstream to load first (target arty, needs openFPGALoader).")
@click.option("--no-cache", is_flag=True, help="Simulate even if this exact run is cached.")
@click.option("--dump", "dump_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="On a mismatch, write the first differing layer's expected and actual "
                   "tensors here (.npy).")
@click.option("--trace", "trace", metavar="N|N:M",
              help="Write a waveform (VCD, with a GTKWave save file) of layers N to M of the "
                   "first input (target sim; a separate trace build).")
@param_option
@click.option("--quiet", is_flag=True, help="Only the table; no progress.")
def profile(model, cfu, target, memory, baseline, no_baseline, inputs, json_path, csv_path,
            plot_path, port, bitstream, no_cache, dump_dir, trace, params, quiet):
    """Per-layer cycles of MODEL (kws, vww, ic, ad, a zoo name or a .tflite path) on the SoC with a CFU,
    every layer checked bit for bit against TFLM."""
    from . import report
    from .designs import DEFAULT_DESIGN
    from .profile import check, profile_with_baseline

    progress = Progress(quiet=quiet)
    cfu = cfu or DEFAULT_DESIGN
    common = dict(target=target, memory=memory, inputs=inputs, progress=progress, use_cache=not no_cache,
                  port=port, bitstream=bitstream)
    result, base = profile_with_baseline(model, cfu, None if no_baseline else baseline,
                                         dump_dir=dump_dir, trace=trace, params=_params(params),
                                         **common)
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
@click.option("--cfu", "cfu", default=None, metavar="NAME|PATH.v",
              help="CFU design whose kernels run the model (default: the best design).")
@click.option("--target", type=click.Choice(["sim", "arty"]), default="sim", show_default=True)
@click.option("--memory", type=click.Choice(MEMORIES), default=None,
              help="Main RAM model on sim: ddr3 (the default, as on the Arty) or ideal.")
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
@click.option("--quiet", is_flag=True, help="Only the report; no progress.")
def mlperf(model, cfu, target, memory, port, bitstream, iterations, warmups, windows, json_path,
           boot_only, verbose, quiet):
    """MLPerf Tiny performance mode: drive the protocol firmware as the benchmark runner does
    (load an input, warm up, timed inferences), check results against TFLM, report the median
    latency at the SoC clock."""
    from .designs import DEFAULT_DESIGN
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
                        progress=Progress(quiet=quiet), log=log, bitstream=bitstream, memory=memory)
    click.echo(format_report(result))
    if json_path:
        write_json(result, json_path)
    check_mlperf(result)


@main.command()
@click.argument("model")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the table.")
def info(model, as_json):
    """Per-layer structure of MODEL (kws, vww, ic, ad, a zoo name or a .tflite path): ops, shapes, kernel,
    stride, padding, MACs and params, read from the .tflite itself."""
    import json

    from .model_info import format_info_table, model_info

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

    from .model_catalog import catalog, format_catalog

    rows = catalog()
    click.echo(json.dumps(rows, indent=2) if as_json else format_catalog(rows))


@models.command("build")
@click.argument("names", nargs=-1)
@click.option("--zoo", "with_zoo", is_flag=True, help="All of the zoo (with no NAME: only the zoo).")
def models_build(names, with_zoo):
    """Regenerate benchmarks/models/NAME.tflite or benchmarks/models/zoo/NAME.tflite (the four
    benchmarks by default; --zoo the zoo). Needs TensorFlow (installed by `make test`, or
    `pip install 'cfu-bench[models]'`)."""
    from .benchmarks.models import build as builder
    from .benchmarks.models.zoo import build as zoo_builder

    names = list(names) or list(zoo_builder.NAMES if with_zoo else builder.NAMES)
    if with_zoo and set(names) <= set(builder.NAMES):
        names += [n for n in zoo_builder.NAMES if n not in names]
    unknown = [n for n in names if n not in builder.NAMES and n not in zoo_builder.NAMES]
    if unknown:  # before minutes of training
        raise UserError(f"unknown model {unknown[0]!r}; the benchmark models are "
                        f"{', '.join(builder.NAMES)}, the zoo has {', '.join(zoo_builder.NAMES)}")
    for name in names:
        path = zoo_builder.build(name) if name in zoo_builder.NAMES else builder.build(name)
        click.echo(f"built {path}")


@main.command()
@click.option("--model", "models", multiple=True, help="Only these models (repeatable).")
@click.option("--cfu", "designs", multiple=True, help="Only these designs (repeatable).")
@click.option("--inputs", default=2, show_default=True, help="Random inputs per run.")
@click.option("--memory", "memories", default="ddr3,ideal", show_default=True,
              help="Main RAM models to run, comma-separated (ddr3, ideal).")
@click.option("--no-resources", is_flag=True, help="Skip the Yosys resource estimates.")
@click.option("--jobs", default=2, show_default=True, help="Simulations run at once.")
@click.option("--zoo", "with_zoo", is_flag=True,
              help="Add the model zoo (`cfu-bench models`); models over 50 M MACs get no `none` run.")
@param_option
@click.option("--quiet", is_flag=True)
def bench(models, designs, inputs, memories, no_resources, jobs, with_zoo, params, quiet):
    """The benchmark suite: the four models (--zoo: and the zoo) x {none, the default CFU,
    other designs} x the memories, written to benchmarks/results/ (JSON per run, results.md,
    memory.md, cycles.png)."""
    from .errors import UserError
    from .soc.description import MEMORIES
    from .suite import run_suite

    memory_list = [m.strip() for m in memories.split(",") if m.strip()]
    bad = [m for m in memory_list if m not in MEMORIES]
    if bad or not memory_list:
        raise UserError(f"unknown memory {', '.join(bad) or repr(memories)}; valid: "
                        f"{', '.join(MEMORIES)}")
    command = "cfu-bench bench" + "".join(f" --model {m}" for m in models) + \
              "".join(f" --cfu {d}" for d in designs) + \
              (f" --inputs {inputs}" if inputs != 2 else "") + \
              (f" --memory {','.join(memory_list)}" if memory_list != list(MEMORIES) else "") + \
              "".join(f" -P {p}" for p in params) + (" --zoo" if with_zoo else "")

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

    summary = run_suite(list(models) or None, list(designs) or None, inputs, command=command,
                        progress=Progress(quiet=quiet), with_resources=not no_resources,
                        jobs=jobs, on_run=on_run, memories=memory_list, params=_params(params),
                        zoo=with_zoo, on_skip=on_skip, on_refused=on_refused)
    from .paths import RESULTS
    click.echo((RESULTS / "results.md").read_text())
    if not all(r["bit_exact"] for r in summary["runs"]):
        raise ResultError("some runs are not bit-exact with TFLM")
    if summary["refused"]:
        raise ResultError(f"{len(summary['refused'])} runs refused (listed in results.md)")


@main.command()
@click.option("--target", type=click.Choice(["arty"]), default="arty", show_default=True)
@click.option("--cfu", "cfu", default=None, metavar="NAME|PATH.v", help="CFU design (default: the best).")
@click.option("--variant", type=click.Choice(["a7-35", "a7-100"]), default="a7-35", show_default=True)
@click.option("--no-compile", is_flag=True, help="Write the project (Verilog, XDC, TCL, firmware) only.")
@click.option("--out", type=click.Path(file_okay=False), help="Project folder (default under build/arty/).")
@param_option
@click.option("--quiet", is_flag=True)
def build(target, cfu, variant, no_compile, out, params, quiet):
    """Build the board SoC with a CFU: the bitstream when Vivado (or openXC7/F4PGA) is on PATH,
    otherwise --no-compile writes the complete project to build elsewhere."""
    import json

    from .board import build_arty
    from .designs import DEFAULT_DESIGN, load_design

    result = build_arty(load_design(cfu or DEFAULT_DESIGN, **_params(params)), out_dir=out, variant=variant,
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
def sweep(design, grid, models, engine, ray_address, jobs, out_dir, memory, inputs, soc):
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
               + (f" --inputs {inputs}" if inputs != 1 else "") + (" --soc" if soc else ""))
    doc = run_sweep(design, parsed, list(models), engine=engine, jobs=jobs, out_dir=out, memory=memory,
                    inputs=inputs, resources="soc" if soc else "cfu", ray_address=ray_address,
                    command=command)
    click.echo(format_summary(doc))
    click.echo(f"wrote {out}/sweep.csv, sweep.json, pareto.png ({doc['wall_seconds']:.0f} s)")
    if not all(r["bit_exact"] for r in doc["rows"]):
        raise ResultError("some points are not bit-exact with TFLM")
