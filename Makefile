# landport — one-command set-up, run and test. Needs only Python >= 3.11 on the machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SCENARIO ?= scenarios/baseline.yaml

.PHONY: run test test-fast check lint notebook notebooks bench clean help

help:
	@echo "make run        run the baseline scenario and print its KPI table"
	@echo "make test       lint, the whole test suite (slow tests aside) and the regression check"
	@echo "make test-fast  only the unit tier: the inner loop, under a minute"
	@echo "make lint       ruff, the import contracts and mypy"
	@echo "make check      only the baseline regression check"
	@echo "make notebook   start Jupyter on notebooks/"
	@echo "make notebooks  run every notebook top to bottom in a fresh kernel (part of make test)"
	@echo "make bench      run the benchmarks in benchmarks/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/landport run $(SCENARIO)

test: lint
	$(BIN)/python -m pytest
	$(BIN)/landport check

test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "unit and not slow"

check: $(VENV)/.installed
	$(BIN)/landport check

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy sim

notebook: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e ".[notebook]"
	$(BIN)/jupyter lab notebooks/

notebooks: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m notebook

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
