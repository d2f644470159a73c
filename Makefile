# Civic Panel: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers: `auto` is one per CPU core; `make test JOBS=0` runs in one process. The
# browser tests come last; each worker that reaches them starts its own server and Chromium.
JOBS ?= auto
PYTEST_PARALLEL := -n $(JOBS) --dist loadgroup

.PHONY: install run migrate demo test test-fast bench clean frontend messages

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("Civic Panel needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/civicpanel migrate

demo: migrate
	$(BIN)/civicpanel load-demo

run: demo
	@echo "Civic Panel is starting on http://$(HOST):$(PORT) (demo staff sign-ins are listed above)"
	$(BIN)/civicpanel serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL)

test-fast: install
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) -m "not browser and not slow"

bench: install
	$(BIN)/python bench/run.py $(SECTION)

# GOV.UK Frontend with the council's font and colour (frontend/src/_council.scss) into server/static/govuk/.
# Needs Node.js 20+; the built files are committed, so serving the site does not.
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

# The English catalogue of every translatable string (Python and templates, see babel.cfg), and the
# resident-facing part every shipped language must translate in full (babel-resident.cfg).
messages: install
	$(BIN)/pybabel extract --mapping-file=babel.cfg --no-location --sort-output --omit-header --keywords=lazy_gettext \
		--output-file=server/translations/messages.pot .
	$(BIN)/pybabel extract --mapping-file=babel-resident.cfg --no-location --sort-output --omit-header --keywords=lazy_gettext \
		--output-file=server/translations/resident.pot .

clean:
	rm -rf $(VENV) .e2e .bench-venv .pytest_cache .hypothesis
