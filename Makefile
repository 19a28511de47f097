# Two commands matter: `make demo` and `make test`. Everything else is what they stand on.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
VAR := var
SANDBOX_PORT ?= 8100
CONSOLE_PORT ?= 8000
# Test processes (xdist). The suite spends about a quarter of its time waiting (on servers it
# starts, on deliberately slow fabric answers, on the browser), so on 2 cores 4 processes keep
# the CPU busy where 2 left it 28 % idle.
TEST_PROCESSES ?= 4

# Python keeps the bytecode it compiles (__pycache__, ignored by git) even where the machine sets
# PYTHONDONTWRITEBYTECODE: the suite starts ~100 Python processes (test workers, consoles, the
# stand-ins, task workers, manage.py), and each would otherwise compile the project again, and
# pytest rewrite every test module again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test lint format install clean

$(PY):
	@interpreter=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interpreter"; \
	"$$interpreter" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes, so a second run starts in seconds.
$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(INSTALLED)

demo: $(INSTALLED)
	@scripts/demo

# --durations: CI's log names the slowest 15 tests, so a test that grows slow is seen early.
test: $(INSTALLED)
	$(BIN)/pytest -n $(TEST_PROCESSES) --durations=15

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(VAR) .pytest_cache

.PHONY: bench
# Figures for the README's Performance section: every figure at 20 ms of fabric latency, then the
# contracts table at 100 ms; see benchmarks/__main__.py.
bench: $(INSTALLED)
	$(PY) -m benchmarks

.PHONY: load
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
LOAD_FAULTS ?= 6
# A bounded load test on gunicorn with the production settings, all on 127.0.0.1 (scripts/load.py).
load: $(INSTALLED)
	$(PY) scripts/load.py --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) --faults $(LOAD_FAULTS)

.PHONY: test-services
# The whole suite on PostgreSQL and Redis (the production shape); see tests/production/.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/console
TEST_CACHE_URL ?= redis://127.0.0.1:6379/1
test-services: $(INSTALLED)
	DATABASE_URL=$(TEST_DATABASE_URL) CACHE_URL=$(TEST_CACHE_URL) \
		$(PY) -m pytest -n $(TEST_PROCESSES) -p tests.production.services_plugin

.PHONY: test-documented
# The views tests and the browser's main flows again, on a stand-in that answers only what
# fabric's pages document; a call to an UNDOCUMENTED endpoint fails the run (tests/conftest.py).
DOCUMENTED_TESTS := tests/views tests/browser/test_account_manager.py \
	tests/browser/test_finance_and_access.py tests/browser/test_insight.py
test-documented: $(INSTALLED)
	FABRIC_SANDBOX_DOCUMENTED_ONLY=1 $(BIN)/pytest -n $(TEST_PROCESSES) $(DOCUMENTED_TESTS)
