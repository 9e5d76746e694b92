# Pano — two commands: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080
export PANO_PORT ?= $(PORT)

.PHONY: run test bench lint system-deps install install-dev clean

# A virtualenv with the controller and the player, rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[controller,player]'
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[controller,player,dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the tests need (Chromium for the kiosk page and panel tests).
system-deps:
	@bash scripts/install-system-deps.sh

run: install
	$(VENV)/bin/pano-controller run

test: system-deps install-dev
	$(PY) -m pytest

bench: install-dev
	$(PY) -m bench
	$(PY) -m bench.rebuild
	$(PY) -m bench.renditions
	$(PY) -m bench.slides

lint: install-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
