"""`cfu-bench new` output is a working design: it inherits the shared suite and passes it."""
import shutil
import subprocess
import sys

import pytest

from cfu_bench.paths import CFU_DESIGNS, REPO
from cfu_bench.commands.scaffold import new_design

PROBE = "zz_scaffold_probe"


@pytest.mark.slow   # two Verilator builds of the new design
def test_new_design_passes_its_own_tests():
    folder = CFU_DESIGNS / PROBE
    shutil.rmtree(folder, ignore_errors=True)
    try:
        new_design(PROBE, CFU_DESIGNS, project_files=False)
        assert (folder / "tests" / f"tb_{PROBE}.py").is_file()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               str(folder)], cwd=REPO, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        assert " passed" in proc.stdout and "failed" not in proc.stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
