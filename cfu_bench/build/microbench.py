"""Building the micro-benchmark programs (firmware/membench, firmware/timebench): small bare
firmware, built with the model firmware's flags and platform glue (firmware/microbench.mk),
cached by the hash of everything that goes into them."""
import hashlib
import subprocess

from ..errors import UserError
from ..paths import FIRMWARE, build_root
from .toolchain import riscv_gcc, tool_env


def build_microbench(name: str, software_dir) -> bytes:
    """The binary of firmware/NAME for the SoC whose LiteX software tree is software_dir."""
    riscv_gcc()
    sources = sorted((FIRMWARE / name).iterdir()) + sorted((FIRMWARE / "platform").iterdir()) \
        + sorted((FIRMWARE / "include").iterdir()) + [FIRMWARE / "microbench.mk"]
    h = hashlib.sha256(str(software_dir).encode())
    for f in sources:
        h.update(f.name.encode() + f.read_bytes())
    out = build_root() / name / h.hexdigest()[:16]
    binary = out / f"{name}.bin"
    if not binary.exists():
        r = subprocess.run(["make", "-s", "-C", str(FIRMWARE / name), f"SOC_SW={software_dir}",
                            f"OUT={out}"], env=tool_env(), capture_output=True, text=True)
        if r.returncode != 0:
            raise UserError(f"{name} build failed: " + (r.stdout + r.stderr)[-500:])
    return binary.read_bytes()
