# Learning Review — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app
INSTANCE := $(CURDIR)/instance
DATABASE_URL ?= sqlite:///$(INSTANCE)/learning-review.db
export DATABASE_URL
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/learning_review_test
export TEST_DATABASE_URL
PYTEST_ARGS ?=

.PHONY: run serve test test-sqlite test-postgres lint bench bench-quick setup dev-setup graphviz \
        browser-deps postgres db-upgrade demo clean vendor migrate

$(VENV)/.installed: setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed graphviz

dev-setup: $(VENV)/.dev-installed graphviz browser-deps tests/oidc/node_modules/.installed

# The single sign-on tests run a real OpenID Connect provider (panva's oidc-provider, pinned by
# tests/oidc/package-lock.json) on the loopback; Node.js comes from Debian if it is missing.
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Node.js (apt-get install nodejs npm)…"; \
	    (apt-get install -y -qq nodejs npm >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)); \
	  else \
	    echo "Node.js is missing: install it (Debian: sudo apt-get install nodejs npm)." >&2; exit 1; \
	  fi; }
	npm ci --prefix tests/oidc --no-audit --no-fund --silent
	@touch $@

# Graphviz's `dot` renders the systems graphs; the Python package only drives it.
graphviz:
	@command -v dot >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Graphviz (apt-get install graphviz)…"; \
	    (apt-get install -y -qq graphviz >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null)); \
	  else \
	    echo "Graphviz is missing: install it (Debian: sudo apt-get install graphviz) and run make again." >&2; exit 1; \
	  fi; }

# The tests' system packages: a browser, PDF tools, and nginx for the deployment test (installed
# with RUNLEVEL=1 so Debian does not start it as a service).
browser-deps:
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	 command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	 command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	 if [ -n "$$missing" ]; then \
	   if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	     echo "Installing$$missing…"; \
	     (RUNLEVEL=1 apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	      (apt-get update -qq && RUNLEVEL=1 apt-get install -y -qq $$missing >/dev/null)); \
	   else \
	     echo "Missing:$$missing. Install them (Debian: sudo apt-get install$$missing) and run make again." >&2; exit 1; \
	   fi; fi

db-upgrade: $(VENV)/.installed
	@mkdir -p $(INSTANCE)
	$(BIN)/learning-review db upgrade

demo: db-upgrade
	@$(BIN)/learning-review seed-demo --if-empty

run: setup demo
	@$(BIN)/learning-review demo-logins
	@echo "Serving on http://127.0.0.1:$(PORT) — press Ctrl+C to stop."
	$(BIN)/learning-review run --host 127.0.0.1 --port $(PORT) --no-reload

# Production: gunicorn with LR_WORKERS workers. Set SECRET_KEY and DATABASE_URL (PostgreSQL);
# put it behind a TLS-terminating proxy (docs/deployment.md), since cookies are marked Secure.
# Migrations are an explicit step (`make migrate`); check-config refuses an unsafe setting or an
# unmigrated database in one line before gunicorn starts.
LR_WORKERS ?= 4
serve: setup
	@LR_ENV=production $(BIN)/learning-review check-config
	LR_ENV=production $(BIN)/gunicorn --workers $(LR_WORKERS) --bind 127.0.0.1:$(PORT) \
	  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s' \
	  'app.wsgi:application'

migrate: db-upgrade

postgres:
	@if [ -z "$${TEST_DATABASE_URL##*127.0.0.1:5432*}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null \
	    && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then \
	  echo "Starting PostgreSQL…"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

test: dev-setup postgres
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(VENV)/.dev-installed
	@echo "=== tests on SQLite ==="
	LR_TEST_DB=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.dev-installed
	@echo "=== tests on PostgreSQL ($(TEST_DATABASE_URL)) ==="
	LR_TEST_DB=postgresql $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: dev-setup
	$(BIN)/python -m bench

# A smoke run of the big-review benchmark (1,000 events, small imports, no PostgreSQL).
bench-quick: dev-setup
	BENCH_QUICK=1 $(BIN)/python -m bench.review_pages

vendor:
	npm ci --no-audit --no-fund && npm run vendor

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
