"""Finding CFU designs and turning them into `cfu.v`.

A design is one of:
- an Amaranth folder: `design.py` defines `make_cfu(**params)` returning a core with a
  `CfuSignature` (the library's designs are such folders under `cfu/`, found by name);
- a plain-Verilog folder: `cfu.v` defines module `Cfu` with CFU Playground's ports (optionally
  the memory port), `kernels/*.c` its acceleration table, `design.toml` its name and C
  emulation header (all but cfu.v optional);
- a bare Verilog file defining module `Cfu` (no kernels: models run on the reference ones).

`--cfu` takes any of them: a library name, a folder path or a `.v` path. The SoC build only calls `write_verilog`,
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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cfu_bench.errors import UserError
from cfu_bench.paths import CFU_DESIGNS, FIRMWARE, GATEWARE

DEFAULT_DESIGN = "mac8"
BASELINE_DESIGN = "none"
VERILOG_NAME = "cfu.v"
DESIGN_PY = "design.py"
DESIGN_TOML = "design.toml"
DESIGN_TOML_KEYS = {"name": "the design's name", "verilog": "its Verilog file (default cfu.v)",
                    "emulation": "its C emulation header, e.g. kernels/NAME_emu.h"}
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_MODULE_CFU = re.compile(r"^\s*module\s+Cfu\b", re.MULTILINE)


def list_designs() -> list[str]:
    if not CFU_DESIGNS.is_dir():
        return []
    return sorted(p.name for p in CFU_DESIGNS.iterdir() if _design_kind(p) is not None)


def _design_kind(folder: Path) -> str | None:
    """"amaranth", "verilog" or None (not a design folder)."""
    if (folder / DESIGN_PY).is_file():
        return "amaranth"
    if (folder / DESIGN_TOML).is_file() or (folder / VERILOG_NAME).is_file():
        return "verilog"
    return None


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
    folder: Path | None = None        # the design's folder (None for a bare .v file)
    verilog_file: Path | None = None  # for plain Verilog designs
    emulation_header: Path | None = None  # a Verilog folder's C model (design.toml "emulation")
    params: dict = field(default_factory=dict)
    fault: object | None = None       # a cfu_bench.testing.faults fault, applied while elaborating

    @property
    def is_amaranth(self) -> bool:
        return self.verilog_file is None

    # --- gateware -----------------------------------------------------------------------
    def module(self, submodule: str = "design"):
        """Import a Python module of the design folder (the folder acts as a package)."""
        if not self.is_amaranth:
            raise UserError(f"design {self.name} is plain Verilog and has no Python modules")
        # one package per folder: two folders may hold designs of the same name
        package = f"_cfu_design_{self.name}_{hashlib.sha256(str(self.folder).encode()).hexdigest()[:8]}"
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
        if not self.is_amaranth:
            return {}
        sig = inspect.signature(self.module().make_cfu)
        return {n: p.default for n, p in sig.parameters.items()
                if p.default is not inspect.Parameter.empty}

    @property
    def resolved_params(self) -> dict:
        """Every parameter with its value in this build: the defaults, then those given."""
        return {**self.parameter_defaults(), **self.params} if self.is_amaranth else {}

    @property
    def key_params(self) -> dict:
        """The parameters that differ from the defaults: what names and hashes a build, so
        `-P lanes=8` is the default build, not a second one."""
        defaults = self.parameter_defaults() if self.params else {}
        return {k: v for k, v in sorted(self.params.items()) if defaults.get(k, object()) != v}

    def kernel_defines(self) -> dict:
        """Build-time constants for the design's C kernels (design.py's optional
        `kernel_defines(**params)`), only for non-default parameters."""
        if not self.is_amaranth or not self.key_params:
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
        if not self.is_amaranth:
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
        # No design name here: two folders with the same files (a copy made by `cfu-bench new`
        # and the template) give the same Verilog, so they share every SoC build.
        header = f"CFU generated by cfu-bench from Amaranth; gateware hash {self.gateware_hash()}"
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
    """A design by name (a folder under cfu/), by folder path, or by path to a Verilog file
    with module Cfu. UserError (exit 2, one line) for anything else."""
    text = str(name_or_path)
    looks_like_path = text.endswith(".v") or "/" in text or "\\" in text or text in (".", "..")
    if not looks_like_path:
        names = list_designs()
        if text not in names:
            raise UserError(f"unknown CFU design '{text}'; valid designs: {', '.join(names) or '(none)'}"
                            " (or a design folder, or a .v file defining module Cfu)")
        return design_from_folder(CFU_DESIGNS / text, params)
    path = Path(text).expanduser()
    if path.is_dir():
        return design_from_folder(path, params)
    if not text.endswith(".v"):
        raise UserError(f"CFU design folder not found: {path}")
    if params:
        raise UserError("parameters apply to Amaranth designs, not to plain Verilog")
    if not path.is_file():
        raise UserError(f"CFU Verilog file not found: {path}")
    return Design(name=_check_verilog(path).stem, verilog_file=path.resolve())


def _check_verilog(path: Path) -> Path:
    if not _MODULE_CFU.search(path.read_text(errors="replace")):
        raise UserError(f"{path} does not define `module Cfu` (the name LiteX instantiates)")
    return path


def design_from_folder(folder: Path, params: dict | None = None) -> Design:
    """An Amaranth folder (design.py) or a plain-Verilog folder (cfu.v, design.toml)."""
    folder = Path(folder).resolve()
    params = dict(params or {})
    kind = _design_kind(folder)
    if kind is None:
        raise UserError(f"{folder} is not a CFU design folder: it has no {DESIGN_PY} (Amaranth), "
                        f"{DESIGN_TOML} or {VERILOG_NAME} (plain Verilog)")
    if kind == "amaranth":
        return Design(name=_folder_name(folder), folder=folder, params=params).validate_params()
    if params:
        raise UserError("parameters apply to Amaranth designs, not to plain Verilog")
    meta = read_design_toml(folder)
    verilog = folder / meta.get("verilog", VERILOG_NAME)
    if not verilog.is_file():
        raise UserError(f"CFU design folder {folder} has no {verilog.name}")
    emulation = folder / meta["emulation"] if "emulation" in meta else None
    if emulation is not None and not emulation.is_file():
        raise UserError(f"{folder / DESIGN_TOML}: emulation header {meta['emulation']} not found")
    return Design(name=meta.get("name", _folder_name(folder)), folder=folder,
                  verilog_file=_check_verilog(verilog).resolve(), emulation_header=emulation)


def _folder_name(folder: Path) -> str:
    """A folder's name as a design name (caches and C symbols use it): made safe, not refused."""
    name = re.sub(r"[^a-z0-9_]", "_", folder.name.lower()).strip("_") or "cfu"
    return name if name[0].isalpha() else f"cfu_{name}"


def read_design_toml(folder: Path) -> dict:
    """design.toml of a Verilog folder ({} when there is none); UserError when it is bad."""
    path = folder / DESIGN_TOML
    if not path.is_file():
        return {}
    try:
        meta = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"bad {path}: {e}") from None
    unknown = sorted(set(meta) - set(DESIGN_TOML_KEYS))
    if unknown:
        raise UserError(f"bad {path}: unknown key {', '.join(unknown)}; keys: "
                        + ", ".join(f"{k} ({v})" for k, v in DESIGN_TOML_KEYS.items()))
    bad = [k for k, v in meta.items() if not isinstance(v, str) or not v]
    if bad:
        raise UserError(f"bad {path}: {', '.join(bad)} must be a non-empty string")
    if "name" in meta and not _NAME.match(meta["name"]):
        raise UserError(f"bad {path}: name '{meta['name']}' must be lower-case letters, digits "
                        "and _, starting with a letter")
    return meta


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
