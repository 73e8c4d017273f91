"""Errors the CLI turns into one line and an exit code, never a traceback.

UserError (exit 2): bad usage or bad input: unknown names, malformed files, missing tools.
ResultError (exit 1): the tool ran and a result is wrong: bit mismatch, failed test.
"""


class CfuBenchError(Exception):
    exit_code = 2


class UserError(CfuBenchError):
    exit_code = 2


class ToolMissing(UserError):
    """A toolchain piece is absent; the message names what to install."""


class ResultError(CfuBenchError):
    exit_code = 1


class SimulationError(CfuBenchError):
    """The simulation itself failed: watchdog fired, firmware crashed, model refused."""

    exit_code = 1
