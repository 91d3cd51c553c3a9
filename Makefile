PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-pg lint bench clean

# Installed with the versions of constraints.txt: what passed the tests is what a new machine and CI install.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/monitor demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The same suite with every database on PostgreSQL (MONITOR_TEST_PG, default 127.0.0.1:5432): see tests/pg_backend.py.
test-pg: $(STAMP)
	MONITOR_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check monitor sources responders tests benchmarks
	$(BIN)/ruff format --check monitor sources responders tests benchmarks
	$(BIN)/mypy monitor sources responders
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_digest.py
	$(BIN)/python benchmarks/bench_templates.py --sizes 10000 100000
	$(BIN)/python benchmarks/bench_crawl.py --repeat 1

clean:
	rm -rf $(VENV) .pytest_cache demo-data
