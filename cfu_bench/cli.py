"""The `cfu-bench` command line: a thin layer over functions the tests call directly."""
import shutil
import sys

import click

from . import paths, toolchain
from .errors import CfuBenchError, ResultError
from .progress import Progress


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
    from .gateware.designs import DEFAULT_DESIGN, list_designs
    from .models_registry import BENCHMARKS

    for b in BENCHMARKS.values():
        click.echo(f"model   {b.name:<4} {b.task} ({b.network}, {b.input})")
    click.echo("model   PATH.tflite  any INT8 .tflite file")
    for d in list_designs():
        click.echo(f"cfu     {d}{'  (default)' if d == DEFAULT_DESIGN else ''}")
    click.echo("cfu     PATH.v  a CFU Playground-style Verilog file with module Cfu")
    click.echo("target  sim   Verilator RTL simulation of the SoC (default)")
    click.echo("target  arty  Digilent Arty A7 board over its serial port")


@main.command()
@click.argument("design", required=False)
@click.option("--no-soc", is_flag=True, help="Only the cocotb tests, not the SoC self-test.")
@click.option("--quiet", is_flag=True, help="No progress output.")
def test(design, no_soc, quiet):
    """Verify CFU designs: cocotb tests on the generated Verilog, then the firmware self-test
    on the simulated SoC. DESIGN defaults to every design under cfu/."""
    from .gateware.designs import list_designs
    from .verify import verify_design

    progress = Progress(quiet=quiet)
    checks = []
    for name in [design] if design else list_designs():
        checks += verify_design(name, with_soc=not no_soc, progress=progress)
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
