# Two entry points for a fresh machine (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint install install-test browser office bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Install, then run the whole loop offline: simulated sources, crawlers, pipeline, alerts, dashboard.
demo: install
	$(BIN)/yuqing demo

## Install (with the headless browser for the dashboard tests and LibreOffice for the report layout test), then
## run the code gates and the whole test suite.
test: install-test browser office lint
	$(BIN)/python -m pytest

## Code gates: ruff (lint and format, rules in pyproject.toml) and mypy (the modules listed in pyproject.toml).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

browser:
	@bash scripts/install-browser.sh

office:
	@bash scripts/install-office.sh

clean:
	rm -rf $(VENV) demo-data .pytest_cache
