# Kolam — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck unit bench os-deps clean

$(STAMP): pyproject.toml
	@bash scripts/ensure-python.sh $(PYTHON)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

os-deps:
	@bash scripts/ensure-os-deps.sh

demo: $(STAMP)
	$(BIN)/kolam demo

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy bench

unit: $(STAMP)
	$(BIN)/pytest -q

test: $(STAMP) os-deps lint typecheck
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile

bench: $(STAMP) os-deps
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .kolam-demo .pytest_cache .mypy_cache .ruff_cache
