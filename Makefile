# Two commands matter: `make demo` and `make test`. Everything else is what they stand on.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
VAR := var
SANDBOX_PORT ?= 8100
CONSOLE_PORT ?= 8000

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

test: $(INSTALLED)
	$(BIN)/pytest -n 2

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(VAR) .pytest_cache
