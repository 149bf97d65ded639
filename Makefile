# The two commands a newcomer types: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TSTAMP  := $(VENV)/.installed-test
DB      ?= data/goldset.duckdb
PORT    ?= 8501
HOST    ?= 127.0.0.1

.PHONY: run test lint types unit e2e demo screenshot bench coverage clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[inspect]'
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[inspect,test]'
	touch $@ $(STAMP)

$(DB): | $(STAMP)
	$(BIN)/python -m labels demo --db $(DB)

demo: $(STAMP)  ## rebuild the demo database from data/
	rm -f $(DB) $(DB).wal
	$(BIN)/python -m labels demo --db $(DB)

run: $(STAMP) $(DB)  ## serve the app on http://localhost:8501 (HOST=0.0.0.0 for every interface)
	$(BIN)/python -m labels.network $(HOST)
	GOLDSET_DB=$(DB) $(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: lint types unit  ## ruff, mypy, pytest (browser tests when Chromium exists)

lint: $(TSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(TSTAMP)
	$(BIN)/mypy

unit: $(TSTAMP)
	$(BIN)/python -m pytest -q --durations=15

screenshot: $(TSTAMP)  ## refresh every page's picture in docs/ from a real browser
	GOLDSET_SCREENSHOT=docs/label-page.png GOLDSET_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/e2e -k screenshot

bench: $(TSTAMP) coverage
	$(BIN)/python -m benchmarks

coverage: $(TSTAMP)  ## the full coverage grid (2,000 replications a cell); writes docs/coverage-results.json
	GOLDSET_COVERAGE_FULL=1 $(BIN)/python -m pytest -q tests/test_coverage.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
