# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Running needs requirements-local.txt; testing adds requirements-dev.txt (`make run` on a fresh machine
# installs no test tooling).
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev
STAGE ?= dev
PORT ?= 8000
# Test workers (pytest-xdist), one per core: each has its own in-process moto and its own table, and takes
# whole files (--dist loadfile), so a module's fixtures (chalice package, one Chromium) are made once.
TEST_WORKERS ?= auto

.PHONY: run test lint typecheck unit package deploy bench fuzz clean browser-deps

$(RUN_STAMP): requirements.txt requirements-local.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<26.3"  # chalice 1.34 needs pip<26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-local.txt
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

## run: the whole CRM on http://127.0.0.1:$(PORT) against an embedded AWS (data kept in .local/)
run: $(RUN_STAMP)
	PORT=$(PORT) $(PY) -m local

## test: lint, types and every test suite, as CI runs them (the fuzz and load suites at a small size)
# Bytecode is written even where the shell says not to (PYTHONDONTWRITEBYTECODE): each worker and each
# `python -m local` a test starts would otherwise compile the app again and rewrite every test module's asserts
# (about 1 s of CPU a process; __pycache__ is ignored by git).
test: $(STAMP) browser-deps lint typecheck
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest tests -n $(TEST_WORKERS) --dist loadfile

# lint-imports: the import contracts of .importlinter (function-level imports count too).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

typecheck: $(STAMP)
	$(PY) -m mypy

# Everything but the suites that start servers or subprocesses (fuzz and load included).
unit: $(STAMP)
	$(PY) -m pytest tests -m "not slow" -n $(TEST_WORKERS) --dist loadfile

# Browser tests drive Debian's Chromium; install it where missing (CI runs as root).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ -n "$$(ls tests/browser/test_*.py 2>/dev/null)" ]; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else echo "browser tests need /usr/bin/chromium: sudo apt-get install chromium"; fi; fi

## package: the deployable template and bundle in build/package/
package: $(STAMP)
	rm -rf build/package
	$(VENV)/bin/chalice package --stage $(STAGE) --merge-template infra/resources.json build/package

deploy: package
	$(PY) -m infra.deploy --stage $(STAGE)

## bench: every benchmark in one table (CONTACTS: the large tenant's size), then the full load run
CONTACTS ?= 2000
bench: $(STAMP)
	$(PY) -m bench --contacts $(CONTACTS)
	CRM_LOAD_USERS=30 CRM_LOAD_SECONDS=120 $(PY) -m pytest tests/load -s -q

## fuzz: schemathesis at full size, every phase (make test runs a few examples per operation)
fuzz: $(STAMP)
	CRM_FUZZ_EXAMPLES=100 CRM_FUZZ_PHASES=examples,coverage,fuzzing,stateful $(PY) -m pytest tests/fuzz -q

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
