#!/usr/bin/env bash
# Run tests under many seeds: every randomized test draws from CFU_BENCH_SEED, so this is how
# to look for a stimulus that breaks a design (or a test that passes by chance).
#
#   scripts/seed_sweep.sh [FIRST] [LAST] [pytest args...]     default: 1 20 cfu -k cocotb
#
# The default runs every design's cocotb set, the wrong-CFU checks included. Builds go to
# build/seed-sweep so a sweep can run beside other work; a line per seed, exit 1 if any failed.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
first=${1:-1}; last=${2:-20}; shift $(( $# >= 2 ? 2 : $# ))
(( $# )) || set -- cfu -k cocotb
export CFU_BENCH_BUILD=${CFU_BENCH_BUILD:-$ROOT/build/seed-sweep}
status=0
for ((s = first; s <= last; s++)); do
    t0=$(date +%s)
    log=$(mktemp)
    (cd "$ROOT" && CFU_BENCH_SEED=$s .venv/bin/python -m pytest -q -p no:cacheprovider "$@") > "$log" 2>&1
    rc=$?
    echo "CFU_BENCH_SEED=$s: $(tail -n 1 "$log") ($(( $(date +%s) - t0 )) s)"
    (( rc == 0 )) || echo "  log kept: $log"
    (( rc == 0 )) && rm -f "$log"
    (( rc == 0 )) || status=1
done
exit $status
