# Reform Ledger: `make run` serves the demo, `make test` runs every check CI runs.
# Needs GNU make and python3.11 on PATH; everything else goes into .venv.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RL := $(BIN)/reformledger
# Rebuilt when the pins change, so a second `make run` installs nothing.
INSTALLED := $(VENV)/.installed

PORT ?= 8000
WORKERS ?= 3
# The PostgreSQL half of `make test`; pytest-django creates and drops test_<name>.
PG_URL ?= postgres://postgres@127.0.0.1:5432/reformledger
# Tests run in two processes (pytest-xdist); PYTEST_ARGS= runs them in one.
PYTEST_ARGS ?= -n 2

.PHONY: help install run test test-sqlite test-postgres lint format messages bench lock clean distclean

help:
	@echo "make run       serve Reform Ledger with the demo data on http://127.0.0.1:$(PORT)/"
	@echo "make test      set up what the tests need (scripts/test-setup), lint, checks, then"
	@echo "               the tests on SQLite and on PostgreSQL ($(PG_URL))"
	@echo "make lint      ruff check, ruff format --check and the import layers (lint-imports)"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make messages  update and compile the zh_Hans and en translations"
	@echo "make bench     run every bench/bench_*.py"
	@echo "make lock      re-pin requirements.lock from pyproject.toml"
	@echo "make clean     remove caches, collected static files and test databases"
	@echo "make distclean clean, and remove .venv and var/ (the local database)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml requirements.lock | $(BIN)/python
	$(PIP) install --quiet -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	touch $@

install: $(INSTALLED)

run: $(INSTALLED)
	$(RL) migrate --noinput
	$(RL) collectstatic --noinput --verbosity 0
	$(RL) load_demo --if-empty
	@echo
	@echo "Reform Ledger: http://127.0.0.1:$(PORT)/   (Ctrl-C stops it and its task queue)"
	@echo
	@# The task queue's consumer (reminders, e-mail) runs in the background beside
	@# gunicorn; the trap stops it whenever gunicorn stops (Ctrl-C, error or exit).
	$(RL) run_huey & huey=$$!; \
	trap 'kill $$huey 2>/dev/null || true; wait $$huey 2>/dev/null || true' EXIT INT TERM; \
	$(BIN)/gunicorn reformledger.config.wsgi:application \
		--config python:reformledger.config.gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	scripts/test-setup
	$(RL) check
	$(RL) makemigrations --check --dry-run
	$(RL) collectstatic --noinput --verbosity 0
	$(MAKE) --no-print-directory test-sqlite test-postgres

# The two halves of `make test`, each runnable alone.
test-sqlite: $(INSTALLED)
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS) --durations=10

test-postgres: $(INSTALLED)
	@echo "== pytest on PostgreSQL ($(PG_URL))"
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS) --durations=10

# The compiled .mo files are committed, so running and testing need no gettext.
messages: $(INSTALLED)
	mkdir -p reformledger/locale
	cd reformledger && ../$(RL) makemessages -l zh_Hans -l en --ignore=tests --no-obsolete
	cd reformledger && ../$(RL) compilemessages --ignore=tests

bench: $(INSTALLED)
	@shopt -s nullglob; for bench in bench/bench_*.py; do \
		echo "== $$bench"; DJANGO_SETTINGS_MODULE=reformledger.config.settings $(BIN)/python "$$bench"; \
	done

# Re-pin: install pyproject.toml's pins, then freeze the whole set under the header.
# Run it in a fresh .venv (make distclean) so nothing stale is frozen.
lock: | $(BIN)/python
	$(PIP) install --quiet -e '.[dev]'
	{ grep '^#' requirements.lock || true; \
	  $(PIP) freeze --exclude-editable | grep -v '^reformledger=='; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	touch $(INSTALLED)

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .ruff_cache .pytest_cache .hypothesis build dist *.egg-info test-artifacts bench/results
	rm -rf var/static var/test*.sqlite3*

distclean: clean
	rm -rf $(VENV) var
