# Pano — two commands: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
VENDOR := controller/panel/static/vendor
PORT ?= 8080
export PANO_PORT ?= $(PORT)

.PHONY: run test bench lint system-deps install install-dev translations wheel clean

# A virtualenv with the controller and the player, rebuilt when pyproject.toml changes.
define new_venv
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@bash scripts/install-system-deps.sh libicu-dev pkg-config g++  # PyICU builds on them
	$(PY) -m pip install --quiet --upgrade pip
endef

# pip compiles what it installs on one core; compileall does it on every core (a fresh
# clone's install: about 25 s -> 19 s on 2 cores). A file some package ships that does
# not compile (test data) is skipped, as pip would.
define compile_venv
	@$(PY) -m compileall -q -j 0 "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" > /dev/null || true
endef

$(VENV)/.installed: pyproject.toml $(VENDOR)/.installed
	$(new_venv)
	$(PY) -m pip install --quiet --no-compile -e '.[controller,player]'
	$(compile_venv)
	@touch $@

# The web panel's browser libraries (Socket.IO client, SortableJS), from the npm registry
# at the versions package-lock.json pins, served by the controller itself (no CDN).
$(VENDOR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || bash scripts/install-system-deps.sh nodejs npm
	npm ci --no-audit --no-fund --ignore-scripts --silent
	mkdir -p $(VENDOR)
	cp node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/
	cp node_modules/sortablejs/Sortable.min.js $(VENDOR)/
	@touch $@

# The test tools too, in one pip run (a second run resolving everything again cost a
# fresh clone's `make test` about 10 s).
$(VENV)/.installed-dev: pyproject.toml $(VENDOR)/.installed
	$(new_venv)
	$(PY) -m pip install --quiet --no-compile -e '.[controller,player,dev]'
	$(compile_venv)
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the tests need (Chromium for the kiosk page and panel tests).
system-deps:
	@bash scripts/install-system-deps.sh

run: install
	$(VENV)/bin/pano-controller run

# Test files run in TEST_WORKERS parallel processes (pytest-xdist, a file stays on one
# worker so its module fixtures are built once); most tests wait on processes, sockets
# and browsers more than on the CPU, so more workers than cores pays. The slowest files
# start first (tests/conftest.py, costs in tests/file_costs.json), so the run does not
# end on one long file. TEST_WORKERS=0 runs them in this process, one by one. (6 workers
# were tried: a fresh-clone run took as long, 481 s against 477 s, the 2 cores being busy
# already; more workers only add contention. Again on 7 December: 5, 6 and 7 workers
# took 485, 475 and 482 s, the 7 spending 10 % more CPU; both cores are 93-100 % busy
# from the second minute to the last half-minute.)
# The suite starts several hundred controller, player and CLI processes: the project's
# modules are compiled once first, since an environment with PYTHONDONTWRITEBYTECODE set
# (as on the CI machines) would otherwise compile them from source in every process
# (about 0.2 s of CPU each; compileall writes the .pyc files whatever that variable says).
# pytest is run without that variable for the same reason: it caches the test modules
# it rewrites (assert introspection) only where bytecode may be written, and each worker
# rewrote all ~200 of them again (a worker's collection: 11 s of CPU with it, 4 s without).
TEST_WORKERS ?= 5
test: system-deps install-dev
	$(PY) -m compileall -q -j 0 controller player bench tests > /dev/null
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile \
		--no-loadscope-reorder

bench: install-dev
	$(PY) -m bench --sizes 100,500,1000 --systems gevent,stack,baseline
	$(PY) -m bench.rebuild
	$(PY) -m bench.alike
	$(PY) -m bench.renditions
	$(PY) -m bench.slides
	$(PY) -m bench.panel_feed
	$(PY) -m bench.import_load
	$(PY) -m bench.cache_verify
	$(PY) -m bench.media_access
	$(PY) -m bench.alerts_eval
	$(PY) -m bench.edge_flood
	$(PY) -m bench.journal_ingest
	$(PY) -m bench.player_journal
	$(PY) -m bench.report_query

# A wheel for servers without the repository (docs/operations.md), panel libraries inside.
wheel: install
	rm -rf build
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .

# Recompile the panel's message catalogues after editing a messages.po.
translations: install-dev
	$(PY) -m controller.panel.catalogs compile

lint: install-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules $(VENDOR)
