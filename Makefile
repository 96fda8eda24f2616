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
# The day the demo's 2017 ledger is live on (reformledger.demo.data.BUSINESS_DATE): `make
# run` serves the ledger with it as today unless RL_BUSINESS_DATE is set, in the
# environment or on the command line; set empty (RL_BUSINESS_DATE=) for the real date.
RL_BUSINESS_DATE ?= $(shell $(BIN)/python -c 'from reformledger.demo.data import BUSINESS_DATE; print(BUSINESS_DATE)' 2>/dev/null)
# The PostgreSQL half of `make test`; pytest-django creates and drops test_<name>.
PG_URL ?= postgres://postgres@127.0.0.1:5432/reformledger
# The tests' connections do not wait for the disk at each commit (synchronous_commit=off:
# a crash may lose the last commits, never make the database inconsistent). A commit then
# takes ~0.2 ms instead of ~5 ms here; the live-server tests (the schema fuzz) and the test
# databases' migrations commit thousands of times. Production keeps the server's default.
PG_TEST_URL ?= $(PG_URL)?options=-c%20synchronous_commit%3Doff
# Tests run in two processes (pytest-xdist); PYTEST_ARGS= runs them in one.
PYTEST_ARGS ?= -n 2

.PHONY: help install install-ldap run stack stack-stop load test test-sqlite test-postgres mutate lint format messages bench bench-each lock clean distclean

help:
	@echo "make run       serve Reform Ledger with the demo data on http://127.0.0.1:$(PORT)/"
	@echo "make stack    the production stack on loopback: nginx (https://127.0.0.1:8443/),"
	@echo "               two app servers, the queue, Redis, PostgreSQL (make stack-stop stops it)"
	@echo "make load      Locust against the stack (LOAD_USERS=50 LOAD_TIME=5m), then the summary"
	@echo "               and the goals: no 5xx, every page's p95 within 500 ms"
	@echo "make test      set up what the tests need (scripts/test-setup), lint, checks, then"
	@echo "               the tests on SQLite and on PostgreSQL ($(PG_URL))"
	@echo "make lint      ruff check, ruff format --check and the import layers (lint-imports)"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make messages  update and compile the zh_Hans and en translations"
	@echo "make mutate    mutation testing of the modules that decide (on demand, not in CI;"
	@echo "               MUTATE_ARGS=\"rating-engine\" for one, \"--list\" names them)"
	@echo "make bench     every benchmark case beside its lower bound, 2k/20k/100k tasks, both"
	@echo "               databases, one table (BENCH_ARGS=\"--sizes 20000\" narrows it)"
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

# The LDAP sign-in's packages (python-ldap compiles against Debian's libldap2-dev and
# libsasl2-dev): not needed by `make run`; `make test` and `make stack` install them.
INSTALLED_LDAP := $(VENV)/.installed-ldap
$(INSTALLED_LDAP): requirements-ldap.lock $(INSTALLED)
	$(PIP) install --quiet -r requirements-ldap.lock -c requirements.lock
	touch $@

install-ldap: $(INSTALLED_LDAP)

run: $(INSTALLED)
	$(RL) migrate --noinput
	$(RL) collectstatic --noinput --verbosity 0
	$(RL) load_demo --if-empty
	@echo
	@echo "Reform Ledger: http://127.0.0.1:$(PORT)/   (Ctrl-C stops it and its task queue)"
	@echo "Business date: $(or $(RL_BUSINESS_DATE),none: the ledger runs on the real date)$(if $(RL_BUSINESS_DATE), (the ledger's today; RL_BUSINESS_DATE= for the real date))"
	@echo
	@# The task queue's consumer (reminders, e-mail) runs in the background beside
	@# gunicorn; the trap stops it whenever gunicorn stops (Ctrl-C, error or exit).
	export RL_BUSINESS_DATE='$(RL_BUSINESS_DATE)'; \
	$(RL) run_huey & huey=$$!; \
	trap 'kill $$huey 2>/dev/null || true; wait $$huey 2>/dev/null || true' EXIT INT TERM; \
	$(BIN)/gunicorn reformledger.config.wsgi:application \
		--config python:reformledger.config.gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS)

# The production stack on loopback (scripts/stack.py, docs/operations.md "The production
# stack"): nginx with TLS in front of two gunicorn app servers, the Huey consumer, its own
# Redis and the PostgreSQL database rl_stack; state, logs and media under var/stack/.
# RL_STACK_PORT_BASE, RL_STACK_DIR and RL_STACK_DATABASE_URL place a second one beside it.
stack: $(INSTALLED) $(INSTALLED_LDAP)
	$(BIN)/python scripts/stack.py start

stack-stop:
	$(BIN)/python scripts/stack.py stop

# The load test (loadtest/, decision 0024): Locust plays a reform office's day (leaders
# reading, liaisons filing reports with evidence, the office returning them, rating and
# exporting) against LOAD_URL, by default the stack, which it starts if it is not running;
# then loadtest/report.py prints throughput, p50/p95/p99 per kind of request, the errors
# and the 5xx, and fails on any 5xx or a page's p95 above LOAD_PAGE_P95_MS.
LOAD_USERS ?= 50
LOAD_TIME ?= 5m
# Users arriving per second: 0.5 brings the 50 in over the first 100 s, as people come to
# work, rather than 50 password checks (deliberately slow hashing) in the same moments.
LOAD_SPAWN ?= 0.5
LOAD_PAGE_P95_MS ?= 500
STACK_URL := https://127.0.0.1:$(shell echo $$(( $${RL_STACK_PORT_BASE:-8440} + 3 )))
LOAD_URL ?= $(STACK_URL)
load: $(INSTALLED)
	@if [ "$(LOAD_URL)" = "$(STACK_URL)" ]; then \
		$(BIN)/python scripts/stack.py status >/dev/null || $(BIN)/python scripts/stack.py start; \
	fi
	mkdir -p var/load
	rm -f var/load/load_*.csv var/load/writes.jsonl
	RL_LOAD_WRITES=var/load/writes.jsonl $(BIN)/locust -f loadtest/locustfile.py --headless \
		-u $(LOAD_USERS) -r $(LOAD_SPAWN) -t $(LOAD_TIME) --host $(LOAD_URL) \
		--only-summary --csv var/load/load || true
	$(BIN)/python loadtest/report.py var/load/load --page-p95-ms $(LOAD_PAGE_P95_MS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	scripts/test-setup
	$(MAKE) --no-print-directory install-ldap
	$(RL) check
	$(RL) makemigrations --check --dry-run
	$(RL) collectstatic --noinput --verbosity 0
	$(MAKE) --no-print-directory test-sqlite test-postgres

# The two halves of `make test`, each runnable alone.
# The schema fuzz checks the API against its schema, whatever the database: it runs once,
# in the PostgreSQL half (docs/testing.md). SQLITE_DESELECT= runs it on SQLite too.
SQLITE_DESELECT ?= --deselect reformledger/api/tests/test_schema_fuzz.py
# The browser tests drive the pages as people see them, which does not depend on the
# database either: they run once, in the SQLite half (the embedded default), where a
# live server's database is reset fastest. POSTGRES_SELECT= runs them on PostgreSQL too.
POSTGRES_SELECT ?= -m "not browser"
# The production stack's tests (tests/stack/: nginx, two app servers, Redis, the load and
# fault test) run on PostgreSQL, as production does: once, in the PostgreSQL half.
SQLITE_SELECT ?= -m "not stack"

test-sqlite: $(INSTALLED)
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS) $(SQLITE_SELECT) $(SQLITE_DESELECT) --durations=10

test-postgres: $(INSTALLED)
	@echo "== pytest on PostgreSQL ($(PG_URL))"
	DATABASE_URL='$(PG_TEST_URL)' $(BIN)/pytest $(PYTEST_ARGS) $(POSTGRES_SELECT) --durations=10

# Mutation testing (docs/testing.md): mutmut changes the modules that decide things one
# small change at a time, in copies under var/mutate/, and runs each module's own tests
# against every change; it names every change no test noticed. Too slow for CI.
MUTATE_ARGS ?=
mutate: $(INSTALLED)
	env -u DATABASE_URL $(BIN)/python scripts/mutate.py $(MUTATE_ARGS)

# The compiled .mo files are committed, so running and testing need no gettext.
messages: $(INSTALLED)
	mkdir -p reformledger/locale
	cd reformledger && ../$(RL) makemessages -l zh_Hans -l en --ignore=tests --no-obsolete
	cd reformledger && ../$(RL) compilemessages --ignore=tests

# The side-by-side benchmark (bench/scale.py): every case of bench/cases/ beside its bare
# lower bound at 2,000 / 20,000 / 100,000 tasks on SQLite and PostgreSQL (PG_BENCH_URL),
# one table; the ledgers are kept under var/bench/ and in rl_bench_<size> and reused.
# BENCH_ARGS="--sizes 20000 --cases dashboard" narrows it; --rebuild writes them anew.
BENCH_ARGS ?=
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432
bench: $(INSTALLED)
	$(BIN)/python bench/scale.py --pg-url $(PG_BENCH_URL) $(BENCH_ARGS)

# The older single-purpose benchmarks (bench/bench_*.py), each printing its own report.
bench-each: $(INSTALLED)
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
	rm -rf var/static var/test*.sqlite3* var/mutate

distclean: clean
	rm -rf $(VENV) var
