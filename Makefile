# The commands the README shows. Each one creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench fuzz sample clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/srs-analytics demo

test: $(STAMP)
	$(BIN)/ruff check srs_analytics tests benchmarks data/sample/build.py
	$(BIN)/python -m pytest srs_analytics tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_analytics.py

# A long mutation fuzz of the readers (a short one runs in the tests): FUZZ_SECONDS=600
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1
fuzz: $(STAMP)
	$(BIN)/python tests/io/_fuzz.py --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --keep fuzz-failures

sample: $(STAMP)
	$(BIN)/python data/sample/build.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
