# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: install dev run test lint format bench clean translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

# Tests, lint and the in-process mail server: for development and CI, not for a server.
$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(STAMP) translations

dev: $(DEV_STAMP) translations

# Compiled catalogues are build output: made from the .po files on every install.
translations: $(STAMP)
	@if ls workflow/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile --use-fuzzy -d workflow/translations; fi

# Links in email point where this serves, unless COCREATE_BASE_URL says otherwise.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load $(DEMO_FLAGS)
	COCREATE_NOTIFY_BACKGROUND=true COCREATE_BASE_URL=$${COCREATE_BASE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/flask run --host $(HOST) --port $(PORT)

test: dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/transitions.py

# Removes what the build made; the database, its secret key and mail in instance/ stay.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info workflow/translations/*/LC_MESSAGES/*.mo
