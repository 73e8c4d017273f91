"""Finding CFU designs and turning them into `cfu.v`.

A design is either a folder `cfu/<name>/` whose `design.py` defines `make_cfu(**params)`
returning an Amaranth core with a `CfuSignature`, or a plain Verilog file that defines
module `Cfu` with CFU Playground's ports. The SoC build only calls `write_verilog`,
`gateware_hash` and the kernel accessors. Tests may inject a fault (`with_fault`,
cfu_bench.testing.faults) to build a deliberately wrong CFU.
"""
import contextlib
import dataclasses
import hashlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cfu_bench.errors import UserError
from cfu_bench.paths import CFU_DESIGNS, FIRMWARE, GATEWARE

DEFAULT_DESIGN = "mac8"
BASELINE_DESIGN = "none"
VERILOG_NAME = "cfu.v"
_MODULE_CFU = re.compile(r"^\s*module\s+Cfu\b", re.MULTILINE)


def list_designs() -> list[str]:
    if not CFU_DESIGNS.is_dir():
        return []
    return sorted(p.name for p in CFU_DESIGNS.iterdir() if (p / "design.py").is_file())


def _hash_files(files, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _library_files() -> list[Path]:
    return sorted(p for p in GATEWARE.glob("*.py"))


@dataclass
class Design:
    name: str
    folder: Path | None = None        # cfu/<name>/ for Amaranth designs
    verilog_file: Path | None = None  # for plain Verilog designs
    params: dict = field(default_factory=dict)
    fault: object | None = None       # a cfu_bench.testing.faults fault, applied while elaborating

    # --- gateware -----------------------------------------------------------------------
    def module(self, submodule: str = "design"):
        """Import a Python module of the design folder (the folder acts as a package)."""
        if self.folder is None:
            raise UserError(f"design {self.name} is plain Verilog and has no Python modules")
        package = f"_cfu_design_{self.name}"
        if package not in sys.modules:
            spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
            spec.submodule_search_locations = [str(self.folder)]
            sys.modules[package] = importlib.util.module_from_spec(spec)
        return importlib.import_module(f"{package}.{submodule}")

    def core(self):
        return self.module().make_cfu(**self.params)

    # --- parameters ---------------------------------------------------------------------
    def parameter_defaults(self) -> dict:
        """make_cfu's keyword parameters and their defaults ({} for Verilog designs)."""
        if self.folder is None:
            return {}
        sig = inspect.signature(self.module().make_cfu)
        return {n: p.default for n, p in sig.parameters.items()
                if p.default is not inspect.Parameter.empty}

    @property
    def resolved_params(self) -> dict:
        """Every parameter with its value in this build: the defaults, then those given."""
        return {**self.parameter_defaults(), **self.params} if self.folder is not None else {}

    @property
    def key_params(self) -> dict:
        """The parameters that differ from the defaults: what names and hashes a build, so
        `-P lanes=8` is the default build, not a second one."""
        defaults = self.parameter_defaults() if self.params else {}
        return {k: v for k, v in sorted(self.params.items()) if defaults.get(k, object()) != v}

    def kernel_defines(self) -> dict:
        """Build-time constants for the design's C kernels (design.py's optional
        `kernel_defines(**params)`), only for non-default parameters."""
        if self.folder is None or not self.key_params:
            return {}
        hook = getattr(self.module(), "kernel_defines", None)
        return dict(hook(**self.params)) if hook else {}

    def validate_params(self) -> "Design":
        """Check every name and value against make_cfu; UserError (exit 2) otherwise."""
        if not self.params:
            return self
        defaults = self.parameter_defaults()
        unknown = sorted(set(self.params) - set(defaults))
        if unknown:
            raise UserError(f"design {self.name} has no parameter {', '.join(unknown)}; its parameters: "
                            + (", ".join(f"{k} (default {v})" for k, v in defaults.items()) or "none"))
        try:
            core = self.core()
            core._MustUse__silence = True   # built only to check the values, never elaborated
        except (ValueError, TypeError) as e:
            raise UserError(f"design {self.name}: bad parameter value: {e}") from None
        return self

    def with_fault(self, fault) -> "Design":
        if self.folder is None:
            raise UserError(f"design {self.name} is plain Verilog: faults are injected into Amaranth designs")
        return dataclasses.replace(self, fault=fault)

    @property
    def variant(self) -> str:
        """The name of this build of the design: its name, parameters and fault."""
        parts = [self.name] + [f"{k}{v}" for k, v in self.key_params.items()]
        if self.fault is not None:
            parts.append(self.fault.name)
        return "-".join(parts)

    def write_verilog(self, out_dir: Path) -> Path:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / VERILOG_NAME
        if self.verilog_file is not None:
            if out.resolve() != self.verilog_file.resolve():
                shutil.copyfile(self.verilog_file, out)
            return out
        from .gateware.verilog import write_cfu_verilog
        header = f"CFU design '{self.name}' generated by cfu-bench; gateware hash {self.gateware_hash()}"
        if self.key_params:
            header += f"\nparameters: {self.key_params!r}"
        if self.fault is not None:
            header += f"\nDELIBERATELY WRONG: fault {self.fault.key}"
        with self.fault.applied() if self.fault is not None else contextlib.nullcontext():
            return write_cfu_verilog(self.core(), out, header)

    def gateware_files(self) -> list[Path]:
        if self.verilog_file is not None:
            return [self.verilog_file]
        own = sorted(self.folder.glob("*.py"))
        return own + _library_files()

    def gateware_hash(self) -> str:
        import amaranth
        extra = f"amaranth {amaranth.__version__}; params {sorted(self.key_params.items())!r}"
        if self.fault is not None:
            extra += f"; fault {self.fault.key}"
        return _hash_files(self.gateware_files(), extra)

    # --- firmware side ------------------------------------------------------------------
    @property
    def kernels_dir(self) -> Path | None:
        if self.folder is None:
            return None
        d = self.folder / "kernels"
        return d if d.is_dir() else None

    def kernel_sources(self) -> list[Path]:
        d = self.kernels_dir
        return sorted(d.glob("*.c")) if d else []

    def kernel_include_dirs(self) -> list[Path]:
        """The design's kernels folder, then the runtime's header folders its kernels include
        (cfub_accel.h and what it pulls in), so one list serves target and host builds."""
        d = self.kernels_dir
        if not d or not any(d.glob("*.c")):
            return []
        return [d, FIRMWARE / "runtime", FIRMWARE / "kernels"]

    @property
    def selftest_available(self) -> bool:
        d = self.kernels_dir
        return bool(d and (d / "selftest.c").is_file())

    # --- tests --------------------------------------------------------------------------
    @property
    def tests_dir(self) -> Path | None:
        if self.folder is None:
            return None
        d = self.folder / "tests"
        return d if d.is_dir() else None


def load_design(name_or_path, **params) -> Design:
    """A design by name (a folder under cfu/) or by path to a Verilog file with module Cfu."""
    text = str(name_or_path)
    looks_like_path = text.endswith(".v") or "/" in text or "\\" in text
    if looks_like_path:
        if params:
            raise UserError("parameters apply to Amaranth designs, not to plain Verilog")
        path = Path(text).expanduser()
        if not path.is_file():
            raise UserError(f"CFU Verilog file not found: {path}")
        if not _MODULE_CFU.search(path.read_text(errors="replace")):
            raise UserError(f"{path} does not define `module Cfu` (the name LiteX instantiates)")
        return Design(name=path.stem, verilog_file=path.resolve())
    names = list_designs()
    if text not in names:
        raise UserError(f"unknown CFU design '{text}'; valid designs: {', '.join(names) or '(none)'}"
                        " (or a path to a .v file defining module Cfu)")
    return Design(name=text, folder=CFU_DESIGNS / text, params=dict(params)).validate_params()


def parse_params(items) -> dict:
    """`-P NAME=VALUE` options into a dict; integers become ints. UserError on bad syntax."""
    out = {}
    for item in items or ():
        name, sep, value = str(item).partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier() or not value:
            raise UserError(f"bad parameter '{item}': expected NAME=VALUE (e.g. -P lanes=4)")
        try:
            out[name] = int(value, 0)
        except ValueError:
            out[name] = value
    return out
