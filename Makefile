# Fangkong: `make demo` serves the demo county, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: setup demo serve test test-fast lint format bench clean

MO := fangkong/locale/zh_Hans/LC_MESSAGES/django.mo

setup: $(VENV)/.installed frontend/node_modules/.installed $(MO)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Translations are compiled from the committed .po files at install time (pure Python, no gettext).
# A file target, so that two suites started at once (.ci/run) never write it together.
$(MO): fangkong/locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy --statistics -d fangkong/locale -D django 2>&1 | tail -n 2

demo: setup
	$(BIN)/fangkong demo
	$(BIN)/fangkong serve --port $(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy fangkong conftest.py tests bench
	$(BIN)/fangkong makemigrations --check --dry-run

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) frontend/node_modules var
