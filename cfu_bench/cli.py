"""The `cfu-bench` command line: a thin layer over functions the tests call directly."""
import shutil
import sys

import click

from . import paths, toolchain
from .errors import CfuBenchError


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
