# Portail famille: `make run` serves the demo, `make test` runs every check. Both are idempotent.
# Needs only Python 3.11+, make and git (and the package registry for the first install).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Tests run on every core (pytest-xdist; worksteal: an idle worker takes tests queued for the other, so the
# browser journeys do not end the run on one core); `make test PYTEST_ARGS="tests/home -x"` to narrow them.
PYTEST_ARGS ?= -n auto --dist worksteal
SIMULATOR_PORT ?= 8001
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help setup run test checks suite lint messages translations e2e-assets bench bench-quick test-multiserver bench-multiserver

help:
	@echo "make run    - install, migrate, load the demo and serve it on http://127.0.0.1:$(PORT)"
	@echo "make test   - install if needed, then lint, checks and the full test suite"
	@echo "make suite  - the full test suite alone (no lint or checks), e.g. on another database"
	@echo "make messages - extract translatable strings into the locale/ catalogues"
	@echo "make bench  - measure speed and scale against references (PostgreSQL, gunicorn); bench-quick: smoke run"
	@echo "make test-multiserver - two app servers behind HAProxy, a worker, PostgreSQL, Redis, S3 (as CI runs it)"
	@echo "make bench-multiserver - 200 families over 5 minutes through the balancer, one app server stopped mid-run"

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) translations

# Compile the French catalogues (.po -> .mo) with polib: no gettext tools needed.
translations: $(STAMP)
	@$(PY) -c 'import pathlib, polib; \
	  pos = [*pathlib.Path("locale").glob("*/LC_MESSAGES/*.po"), *pathlib.Path(".").glob("[a-z]*/locale/*/LC_MESSAGES/*.po")]; \
	  [polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo"))) for po in pos]; \
	  print(f"Compiled {len(pos)} translation catalogues.")'


run: setup
	$(PY) manage.py migrate --noinput
	PORT=$(PORT) $(PY) manage.py load_initial_data
	@echo
	@echo "API Particulier simulator on http://127.0.0.1:$(SIMULATOR_PORT) ; portal on http://127.0.0.1:$(PORT)/ and http://bellerive.localhost:$(PORT)/"
	@$(PY) -m connectors.api_particulier.simulator --host 127.0.0.1 --port $(SIMULATOR_PORT) & \
	  sim=$$!; trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	  API_PARTICULIER_BASE_URL=http://127.0.0.1:$(SIMULATOR_PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# axe-core for the accessibility audit of the browser journeys (skipped, loudly, without npm/Chromium).
# Installed again only when what is installed differs from tests/e2e/package-lock.json (versions compared,
# not file dates: a fresh checkout is newer than any node_modules, and npm ci first empties node_modules,
# also one shared through a symbolic link by several checkouts).
e2e-assets: $(STAMP)
	@if $(PY) -c 'import json, pathlib, sys; e2e = pathlib.Path("tests/e2e"); \
	  lock = json.loads((e2e / "package-lock.json").read_text())["packages"]; \
	  manifests = {path: e2e / path / "package.json" for path in lock if path}; \
	  sys.exit(any(not m.exists() or json.loads(m.read_text())["version"] != lock[p]["version"] for p, m in manifests.items()))'; then :; \
	 elif command -v npm >/dev/null 2>&1; then npm ci --prefix tests/e2e --no-audit --no-fund --silent; \
	 else echo "npm not found: the browser journeys will be skipped (they need axe-core)."; fi

test: checks suite

# What does not depend on the database: ruff, Django's checks, migrations in step with the models.
checks: setup lint
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# The test suite alone, on the database of DATABASE_URL (CI's second run, after `make test` on SQLite).
suite: setup e2e-assets
	$(PY) -m pytest $(PYTEST_ARGS)

messages: $(STAMP)
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=static-collected

# Speed and scale, as ratios against references measured in the same run (needs the local PostgreSQL).
bench: setup
	$(PY) -m bench

bench-quick: setup
	$(PY) -m bench --quick

# The portal on two app servers behind HAProxy (deploy/Procfile, deploy/haproxy.cfg), with PostgreSQL,
# Redis, a tasks worker and a local S3 server: the journeys across servers and a short load (~5 min).
test-multiserver: setup
	$(PY) -m pytest tests/multiserver -m multiserver -p no:xdist -s

# 200 families file a dossier with a file through the balancer over 5 minutes; web2 stops half-way.
bench-multiserver: setup
	$(PY) -m bench.multiserver load --families 200 --duration 300 --output bench/results/multiserver-$(shell date +%Y-%m-%d).json
