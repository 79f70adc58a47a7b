# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: install run test lint format bench clean translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(STAMP) translations

# Compiled catalogues are build output: made from the .po files on every install.
translations: $(STAMP)
	@if ls workflow/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile --use-fuzzy -d workflow/translations; fi

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	COCREATE_NOTIFY_BACKGROUND=true $(BIN)/flask run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/transitions.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
