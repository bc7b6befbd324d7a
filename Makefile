# The commands the README shows. Each one creates .venv and installs what it needs.
PYTHON ?= python3
PORT ?= 8866
# the exports the dashboard shows (default: the bundled synthetic sample)
DATA ?=
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-scale fuzz sample clean dashboard lab readme-image

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/srs-analytics demo

test: $(STAMP)
	$(BIN)/ruff check srs_analytics tests benchmarks data/sample/build.py docs/img/client_chart.py \
		docs/img/caseload_charts.py
	MPLBACKEND=Agg $(BIN)/python -m pytest srs_analytics tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_analytics.py
	$(BIN)/python benchmarks/bench_caseload.py
	$(BIN)/python benchmarks/bench_couples.py
	$(BIN)/python benchmarks/alert_volume.py

# 1, 3 and 10 million administrations, each command end to end (makes the data once, about
# 3 GB in benchmarks/_data/; the 10M runs need about 10 GB of memory): benchmarks/README.md
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

# A long mutation fuzz of the readers (a short one runs in the tests): FUZZ_SECONDS=600
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1
fuzz: $(STAMP)
	$(BIN)/python tests/io/_fuzz.py --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --keep fuzz-failures

sample: $(STAMP)
	$(BIN)/python data/sample/build.py

# the client view in the browser (Voila on 127.0.0.1); Ctrl+C stops it
dashboard: $(STAMP)
	$(BIN)/python -m srs_analytics.app.server --port $(PORT) $(DATA)

# JupyterLab on the notebooks (as root it needs --allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 \
		$$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# the client chart of the README and the charts of docs/caseload-view.md, from the synthetic sample
readme-image: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python docs/img/client_chart.py docs/img/client_chart.png
	MPLBACKEND=Agg $(BIN)/python docs/img/caseload_charts.py docs/img

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
