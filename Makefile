# The two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint check-migrations typecheck unit browser install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Loket needs Python 3.11 or newer."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the demo municipality at http://127.0.0.1:8000 (PORT overrides). Ctrl-C stops it.
demo: $(STAMP)
	$(BIN)/loket demo

## Run the whole suite: lint, types, layering, migrations, tests (SQLite, or DATABASE_URL).
test: $(STAMP) lint typecheck check-migrations unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

check-migrations: $(STAMP)
	$(BIN)/loket makemigrations --check --dry-run

# The suite runs in one process per core (at most four), a test file at a time each.
# PYTEST_PARALLEL= (empty) runs it in this one process.
PYTEST_PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
