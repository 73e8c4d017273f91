"""Progress for long steps (SoC generation, Verilator build, simulation), on a terminal only.

Shown on stderr when it is a terminal; silent in CI (CI set), when piped, or with --quiet,
so logs and JSON on stdout stay clean.
"""
import os
import sys
import time
from contextlib import contextmanager


class Progress:
    def __init__(self, quiet: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = (not quiet and not os.environ.get("CI")
                        and hasattr(self.stream, "isatty") and self.stream.isatty())
        self._live = False

    def _write(self, text: str) -> None:
        if self.enabled:
            self.stream.write(text)
            self.stream.flush()

    @contextmanager
    def step(self, what: str):
        t0 = time.monotonic()
        self._write(f"{what} ...\n")
        yield
        self._write(f"{what}: done in {time.monotonic() - t0:.1f} s\n")

    def status(self, text: str) -> None:
        """A line that rewrites itself (e.g. simulated cycles so far)."""
        self._write(f"\r\033[K{text}")
        self._live = self.enabled

    def end_status(self) -> None:
        if self._live:
            self._write("\n")
            self._live = False
