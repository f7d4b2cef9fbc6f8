# One command each: `make demo` and `make test` work from a fresh clone with
# only Python 3.11 and make; the virtual environment is built on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := false

# Tools the tests use as a reader would, from Debian's packages, installed when absent.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: install system-tools demo demo-portal test lint dev serve bench bench-served clean

# Installed packages are compiled to bytecode once, here: where PYTHONDONTWRITEBYTECODE is
# set (containers, CI) or the venv is read-only, Python would otherwise compile Dagster,
# GX, matplotlib and WeasyPrint from source in every process, seconds of each run.
$(STAMP): pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	@touch $(STAMP)

# The instance settings (run queue, one warehouse writer) follow config/dagster.yaml.
$(DAGSTER_HOME)/dagster.yaml: config/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp config/dagster.yaml $@

install: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

# The accessibility tests run axe-core in Debian's Chromium (Playwright cannot download
# its own browsers here); the workbook is printed by LibreOffice as a reader would; the
# readers' site is checked by the Nu HTML Checker (npm's vnu-jar, from package.json, run
# with Java); the portal's tests start a real PostgreSQL server (Debian keeps initdb off PATH, under
# /usr/lib/postgresql/<version>/bin).
system-tools:
	@command -v chromium >/dev/null && command -v soffice >/dev/null || { \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			chromium libreoffice-calc-nogui; }
	@command -v java >/dev/null || { \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			default-jre-headless; }
	@[ -f node_modules/vnu-jar/build/dist/vnu.jar ] || npm ci --no-audit --no-fund --ignore-scripts
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			postgresql; }

demo: install
	$(BIN)/evstats demo

# A portal ready to try: demo accounts (passwords printed), earlier years released and
# the year open today partly received; then `make serve`.
demo-portal: install
	$(BIN)/evstats demo-portal

test: install system-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The served path (about seven minutes): `make serve` on free ports, ten uploads 30 s
# apart, each timed to its year's published tables; `--spacing` via SPACING=.
bench-served: install
	$(BIN)/python -m benchmarks.served --spacing $${SPACING:-30}

dev: install
	$(BIN)/dagster dev -w workspace.yaml

# The whole service on one machine: the portal, the Dagster webserver and the daemon
# (its sensor starts a run when a file arrives), under honcho; Ctrl-C stops all three.
# The instance's storage and the register are created (or migrated) once before the three
# start: left to them, two processes would migrate a new database at once.
serve: install
	$(BIN)/dagster instance migrate >/dev/null
	$(BIN)/evstats migrate
	@echo "portal:          http://127.0.0.1:$${EVSTATS_PORTAL_PORT:-8000}/"
	@echo "Dagster UI:      http://127.0.0.1:$${DAGSTER_WEBSERVER_PORT:-3000}/"
	@echo "Dagster daemon:  runs the sensor and the run queue (status in the UI: Deployment > Daemons)"
	$(BIN)/honcho start -f Procfile

clean:
	rm -rf data .dagster_home .pytest_cache
