# wagtail-atelier: the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := $(BIN)/python example_site/manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/atelier
# The demo's port: `make demo PORT=8001`. The Site record, the links in mails and the
# printed URLs follow it (DEMO_PORT in example_site/settings/dev.py).
PORT ?= 8000
DEMO_ENV := DEMO_PORT=$(PORT)

.PHONY: help install demo demo-reset serve screenshots test test-postgres test-lowest check lint format \
        migrations-check messages compilemessages translations-check docs clean

help:
	@echo "make demo           install, migrate, load the demo content and serve on http://127.0.0.1:$(PORT)"
	@echo "                    (PORT=8001 for another port, DJANGO_DEBUG=1 for DEBUG on)"
	@echo "make serve          serve the demo again without reloading it"
	@echo "make demo-reset     delete the demo database, then make demo"
	@echo "make screenshots    take the screenshots of docs/images/ from a fresh demo"
	@echo "make test           run the full test suite (SQLite; DATABASE_URL=... for PostgreSQL)"
	@echo "make test-postgres  run the suite on PostgreSQL ($(PG_URL))"
	@echo "make test-lowest    run the suite on the lowest version of every dependency (tox)"
	@echo "make check          ruff, migrations up to date, translations complete, docs build"
	@echo "make messages       update the de/fr/it catalogues from the code"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or later is needed")'
	@echo "==> [1/2] Creating the virtual environment $(VENV) (once)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar on --upgrade pip
	@echo "==> [2/2] Installing wagtail-atelier and its dependencies (a few minutes the first time)"
	$(BIN)/python -m pip install --progress-bar on -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@echo "==> Migrating the demo database (example_site/db.sqlite3)"
	$(DEMO_ENV) $(DEMO) migrate --no-input
	@echo "==> Loading the demo content (only what is missing)"
	$(DEMO_ENV) $(DEMO) load_demo
	@echo "==> Creating the demo admin"
	$(DEMO_ENV) $(DEMO) ensure_demo_admin
	@echo "==> Serving the demo on port $(PORT)"
	$(DEMO_ENV) $(DEMO) serve_demo

serve: $(STAMP)
	$(DEMO_ENV) $(DEMO) serve_demo

demo-reset:
	rm -f example_site/db.sqlite3 example_site/db.sqlite3-wal example_site/db.sqlite3-shm
	$(MAKE) demo

screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

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
