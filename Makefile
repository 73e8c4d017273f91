# The two commands of the Quickstart. Both set up whatever is missing first (idempotent).
VENV := .venv
CFU_BENCH := $(VENV)/bin/cfu-bench

.PHONY: bench test setup setup-models clean

bench: setup
	$(CFU_BENCH) profile ic

test: setup-models
	$(VENV)/bin/python -m pytest

setup:
	@bash scripts/setup.sh

setup-models:
	@bash scripts/setup.sh --models

# Build products (SoC builds, Verilated models, firmware, result cache) all live in build/.
clean:
	rm -rf build
