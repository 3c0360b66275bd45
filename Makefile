# wagtail-atelier: the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := $(BIN)/python example_site/manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/atelier

.PHONY: help install demo serve test test-postgres test-lowest check lint format \
        migrations-check messages compilemessages translations-check docs clean

help:
	@echo "make demo           install, migrate, load the demo content and serve on http://127.0.0.1:8000"
	@echo "make test           run the full test suite (SQLite; DATABASE_URL=... for PostgreSQL)"
	@echo "make test-postgres  run the suite on PostgreSQL ($(PG_URL))"
	@echo "make test-lowest    run the suite on the lowest version of every dependency (tox)"
	@echo "make check          ruff, migrations up to date, translations complete, docs build"
	@echo "make messages       update the de/fr/it catalogues from the code"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or later is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEMO) migrate --no-input
	$(DEMO) load_demo
	$(DEMO) ensure_demo_admin
	$(DEMO) runserver 127.0.0.1:8000

serve: $(STAMP)
	$(DEMO) runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/pytest -n auto --dist loadgroup

test-postgres: $(STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n auto --dist loadgroup

test-lowest: $(STAMP)
	$(BIN)/tox -e lowest -- -n auto --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP)
	$(BIN)/python -m django makemigrations --check --dry-run --settings=tests.settings
	$(DEMO) makemigrations --check --dry-run

messages: $(STAMP)
	cd wagtail_atelier && ../$(BIN)/python -m django makemessages --settings=tests.settings \
	  --pythonpath=.. -l de -l fr -l it --no-obsolete --no-location
	$(MAKE) compilemessages

compilemessages: $(STAMP)
	cd wagtail_atelier && ../$(BIN)/python -m django compilemessages --settings=tests.settings --pythonpath=..

translations-check: $(STAMP)
	$(BIN)/python tools/check_translations.py

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir build/site

check: lint migrations-check translations-check docs

clean:
	rm -rf $(VENV) .tox build dist site *.egg-info
