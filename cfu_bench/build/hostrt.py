"""The firmware runtime built for the host: same C sources as the target, host gcc.

Two variants, both cached under build_root()/host/<hash of sources, flags, compiler>/:
  * "release": -O2 shared library driven through ctypes; one call runs a model on any number
    of inputs and returns every op's output bytes plus the CFUB transcript. Fast enough for
    thousands of single-op models per second.
  * "asan": -O1 AddressSanitizer + UBSan executables (cfub_host for models, cfub_fuzz for the
    mutation fuzzer); a sanitizer report aborts them.

    rt = HostRuntime()                                   # builds on first use
    run = rt.run(model_bytes, samples)                   # samples: list of bytes or arrays
    run.outputs[k][i].data                               # op i's output bytes for sample k
    run.report.invokes[k].ops[i].crc                     # the protocol as parsed
    text = run_asan(model_bytes, samples)                # sanitizer build, transcript text

Host "cycles" are CLOCK_MONOTONIC nanoseconds: useful only for relative host timing.
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ResultError, ToolMissing, UserError
from ..model.golden import sample_bytes
from ..paths import FIRMWARE, build_root
from ..run.protocol import Report, parse

DEFAULT_ARENA = 4 << 20
MSG_MAX = 200  # CFUB_MSG_MAX
HOST_DIR = FIRMWARE / "host"
_COMMON = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off"]
VARIANTS = {
    "release": _COMMON + ["-O2", "-fPIC"],
    "asan": _COMMON + ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                       "-fno-sanitize-recover=all"],
}


def _make_vars(mk: Path) -> dict[str, list[str]]:
    """Read the `VAR := words` assignments (with \\ continuations and $(VAR)) of sources.mk."""
    text = mk.read_text().replace("\\\n", " ")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Z_]+)\s*:?=\s*(.*)$", line)
        if not m:
            continue
        words = []
        for w in m.group(2).split():
            ref = re.fullmatch(r"\$\(([A-Z_]+)\)", w)
            words.extend(out.get(ref.group(1), []) if ref else [w])
        out[m.group(1)] = words
    return out


def runtime_sources() -> list[Path]:
    return [FIRMWARE / s for s in _make_vars(FIRMWARE / "runtime" / "sources.mk")["CFUB_SOURCES"]]


def _gcc() -> str:
    gcc = shutil.which("gcc")
    if gcc is None:
        raise ToolMissing("host gcc not found; install it: apt-get install build-essential")
    return gcc


@functools.cache
def _gcc_version(gcc: str) -> str:
    return subprocess.run([gcc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]


def _digest(variant: str, sources: list[Path], includes: list[Path], defines: list[str] = ()) -> str:
    h = hashlib.sha256()
    h.update(variant.encode())
    if defines:
        h.update(" ".join(defines).encode())
    h.update(" ".join(VARIANTS[variant]).encode())
    h.update(_gcc_version(_gcc()).encode())
    headers = set()
    for d in [FIRMWARE / "runtime", FIRMWARE / "kernels", HOST_DIR, *includes]:
        headers.update(Path(d).glob("*.h"))
    for p in sorted(set(sources) | headers | set(HOST_DIR.glob("*.c"))):
        h.update(str(p).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:20]


def build(variant: str = "release", extra_sources=(), extra_includes=(), defines: dict | None = None) -> Path:
    """Compile (once per content hash) and return the build folder.

    extra_sources: C files linked in as well, e.g. a CFU design's kernels defining
    cfub_accel_conv[]; extra_includes: their include folders; defines: -D constants for them
    (a design's parameters, Design.kernel_defines).
    """
    if variant not in VARIANTS:
        raise UserError(f"unknown host build variant {variant!r}")
    extra = [Path(p).resolve() for p in extra_sources]
    incs = [Path(p).resolve() for p in extra_includes]
    sources = runtime_sources() + extra
    define_flags = [f"-D{k}={v}" for k, v in sorted((defines or {}).items())]
    out = build_root() / "host" / f"{variant}-{_digest(variant, sources, incs, define_flags)}"
    marker = out / ".complete"
    if marker.exists():
        return out
    if out.exists():  # a build that died half way
        shutil.rmtree(out, ignore_errors=True)
    gcc = _gcc()
    flags = VARIANTS[variant] + [f"-I{FIRMWARE / 'runtime'}", f"-I{FIRMWARE / 'kernels'}"] + [f"-I{i}" for i in incs] \
        + define_flags
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{variant}-", dir=out.parent))
    platform = [HOST_DIR / "host_platform.c"]
    if variant == "release":
        targets = {"libcfub_host.so": ["-shared", *map(str, sources + platform + [HOST_DIR / "cfub_hostlib.c"])]}
    else:
        targets = {"cfub_host": [*map(str, sources + platform + [HOST_DIR / "host_main.c"])],
                   "cfub_fuzz": [*map(str, sources + platform + [HOST_DIR / "fuzz_main.c"])]}
    for name, args in targets.items():
        cmd = [gcc, *flags, "-o", str(tmp / name), *args]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ResultError(f"host build of the firmware runtime failed:\n{' '.join(cmd)}\n{res.stderr}")
    (tmp / ".complete").write_text("ok\n")
    try:
        os.replace(tmp, out)
    except OSError:  # another process won the race; theirs is identical
        shutil.rmtree(tmp, ignore_errors=True)
    return out


@dataclass
class OpOutput:
    """One op's output: `data` is all its outputs concatenated in order (what `crc` covers),
    `parts` each output's bytes."""
    index: int
    op: str
    kernel: str
    data: bytes
    cycles: int
    crc: int
    parts: list = None


@dataclass
class HostRun:
    rc: int
    text: str
    report: Report
    outputs: list[list[OpOutput]]

    def raise_for_error(self) -> "HostRun":
        self.report.raise_for_error()
        return self


def _join_inputs(samples) -> tuple[bytes, int]:
    if samples is None:
        return b"", 0
    if isinstance(samples, (bytes, bytearray)):
        return bytes(samples), 1
    samples = list(samples)
    return b"".join(sample_bytes(s) for s in samples), len(samples)


class HostRuntime:
    """ctypes handle on the release build (optionally with extra kernel sources linked in)."""

    def __init__(self, extra_sources=(), extra_includes=(), defines: dict | None = None):
        self.path = build(
            "release", extra_sources, extra_includes, defines) / "libcfub_host.so"
        lib = ctypes.CDLL(str(self.path))
        lib.cfubh_run.restype = ctypes.c_int
        lib.cfubh_run.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_char_p,
                                  ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_uint64]
        lib.cfubh_text.restype = ctypes.POINTER(ctypes.c_char)
        lib.cfubh_text.argtypes = [ctypes.POINTER(ctypes.c_size_t)]
        lib.cfubh_outputs.restype = ctypes.POINTER(ctypes.c_uint8)
        lib.cfubh_outputs.argtypes = [ctypes.POINTER(ctypes.c_size_t)]
        lib.cfubh_load_info.restype = ctypes.c_int
        lib.cfubh_load_info.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t,
                                        ctypes.POINTER(ctypes.c_uint64)]
        lib.cfubh_survey.restype = ctypes.c_int
        lib.cfubh_survey.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t,
                                     ctypes.POINTER(ctypes.c_int32), ctypes.c_char_p, ctypes.c_int,
                                     ctypes.POINTER(ctypes.c_int)]
        self.lib = lib

    def load_info(self, model: bytes, arena_size: int = DEFAULT_ARENA) -> dict:
        """Load without running: arena bytes used (total and planned activations), input
        bytes, op count; raises UserError with the firmware's code if the model is refused."""
        out = (ctypes.c_uint64 * 5)()
        model = bytes(model)
        rc = self.lib.cfubh_load_info(model, len(model), arena_size, out)
        if rc != 0:
            raise UserError(f"runtime refused the model (code {rc})")
        return {"arena": out[0], "planned": out[1], "input_bytes": out[2], "ops": out[3],
                "setup_cycles": out[4]}

    def survey(self, model: bytes, arena_size: int = 64 << 20) -> list[tuple[int, str]]:
        """(code, message) per op: 0 and "" where the runtime can run the op, else why not
        (its prepare's refusal, judged op by op). Raises UserError when the model itself does
        not load (malformed, broken data flow)."""
        model = bytes(model)
        for cap in (256, 1 << 16):
            codes = (ctypes.c_int32 * cap)()
            msgs = ctypes.create_string_buffer(cap * MSG_MAX)
            n = ctypes.c_int()
            rc = self.lib.cfubh_survey(model, len(model), arena_size, codes, msgs, cap, ctypes.byref(n))
            if rc < 0:
                raise ResultError("host runtime ran out of memory")
            if rc:
                raise UserError(f"runtime refused the model (code {rc}): "
                                f"{msgs.raw[:MSG_MAX].split(b'\0', 1)[0].decode('utf-8', 'replace')}")
            if n.value <= cap:
                break
        return [(codes[j], msgs.raw[j * MSG_MAX:(j + 1) * MSG_MAX].split(b"\0", 1)[0].decode("utf-8", "replace"))
                for j in range(n.value)]

    def min_arena(self, model: bytes, hi: int = DEFAULT_ARENA) -> int:
        """Smallest arena (to 16 bytes) the runtime can load the model into."""
        lo = 0
        out = (ctypes.c_uint64 * 5)()
        model = bytes(model)
        if self.lib.cfubh_load_info(model, len(model), hi, out) != 0:
            raise UserError("runtime refused the model")
        while hi - lo > 16:
            mid = (lo + hi) // 2
            if self.lib.cfubh_load_info(model, len(model), mid, out) == 0:
                hi = mid
            else:
                lo = mid
        return hi

    def run(self, model: bytes, samples=None, arena_size: int = DEFAULT_ARENA, collect: bool = True,
            disable_accel: bool = False, max_macs: int = 0, echo: bool = False,
            stream: bool = False) -> HostRun:
        """Run `model` on each sample; never raises for firmware errors (see HostRun.rc).
        stream: state (variable tensors, resource variables) carried from sample to sample
        instead of each starting from the post-load state."""
        data, n = _join_inputs(samples)
        flags = (1 if collect else 0) | (2 if disable_accel else 0) | (4 if echo else 0) | (8 if stream else 0)
        model = bytes(model)
        each = len(data) // n if n else 0  # one input's size, as a target's main.c passes it
        rc = self.lib.cfubh_run(model, len(model), arena_size, data, each if n * each == len(data) else len(data),
                                n, flags, max_macs)
        if rc < 0:
            raise ResultError("host runtime ran out of memory collecting outputs")
        size = ctypes.c_size_t()
        text = ctypes.string_at(self.lib.cfubh_text(ctypes.byref(size)), size.value).decode("utf-8", "replace")
        report = parse(text)
        outputs: list[list[OpOutput]] = [[] for _ in range(n)]
        if collect:
            ptr = self.lib.cfubh_outputs(ctypes.byref(size))
            blob = ctypes.string_at(ptr, size.value) if size.value else b""
            pos = 0
            while pos < len(blob):
                k, i, ln = (int.from_bytes(blob[pos + 4 * j:pos + 4 * j + 4], "little", signed=(j < 2))
                            for j in range(3))
                payload = blob[pos + 12:pos + 12 + ln]
                pos += 12 + ln
                if outputs[k] and outputs[k][-1].index == i:  # the op's next output
                    last = outputs[k][-1]
                    last.data += payload
                    last.parts.append(payload)
                    continue
                rec = None
                if k < len(report.invokes) and i < len(report.invokes[k].ops):
                    rec = report.invokes[k].ops[i]
                outputs[k].append(OpOutput(i, rec.op if rec else "?", rec.kernel if rec else "?", payload,
                                           rec.cycles if rec else 0, rec.crc if rec else 0, [payload]))
        return HostRun(rc, text, report, outputs)


@functools.cache
def default_runtime() -> HostRuntime:
    return HostRuntime()


def run(model: bytes, samples=None, **kw) -> HostRun:
    return default_runtime().run(model, samples, **kw)


def run_asan(model: bytes, samples=None, arena_size: int = DEFAULT_ARENA, timeout: float = 600,
             disable_accel: bool = False) -> subprocess.CompletedProcess:
    """Run the sanitizer build of the host executable; returns the finished process
    (stdout = CFUB transcript, returncode = runtime code, sanitizer reports on stderr)."""
    exe = build("asan") / "cfub_host"
    data, n = _join_inputs(samples)
    with tempfile.TemporaryDirectory() as d:
        mp, ip = Path(d) / "model.tflite", Path(d) / "inputs.bin"
        mp.write_bytes(bytes(model))
        ip.write_bytes(data)
        cmd = [str(exe), str(mp), str(ip), str(n), str(arena_size)] + (["--no-accel"] if disable_accel else [])
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_asan_env())


def fuzz(corpus: list[Path], iterations: int, seed: int = 1, timeout: float = 120,
         max_macs: int = 4_000_000) -> subprocess.CompletedProcess:
    """Seeded mutation fuzzing of the runtime under ASan/UBSan (see firmware/host/fuzz_main.c).
    Mutants that still load run one inference unless they exceed max_macs."""
    exe = build("asan") / "cfub_fuzz"
    cmd = [str(exe), str(iterations), str(seed), str(max_macs), *map(str, corpus)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_asan_env())


def _asan_env() -> dict:
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1:halt_on_error=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env
