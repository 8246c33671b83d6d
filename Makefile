# GOGOMARKET: the two commands of the README, and a few helpers.
#   make run    set everything up, load demo data, serve on http://127.0.0.1:8000 (Ctrl-C stops)
#   make test   set everything up (no demo data, no servers) and run the whole test suite
SHELL := /bin/bash
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-test seed serve lint test-unit test-e2e schema-check bench

setup:
	@bash scripts/setup.sh

setup-test:
	@WITH_BROWSER=1 bash scripts/setup.sh

run: setup
	@$(PY) manage.py seed_demo
	@HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

test: setup-test
	@$(MAKE) --no-print-directory lint test-unit test-e2e

lint:
	@.venv/bin/ruff check .
	@.venv/bin/lint-imports --no-cache > /tmp/gogomarket-lint-imports.log 2>&1 || { cat /tmp/gogomarket-lint-imports.log; echo "the layer order is broken (README: Layers)"; exit 1; }
	@$(PY) manage.py makemigrations --check --dry-run > /dev/null || { echo "models and migrations differ: run makemigrations"; exit 1; }

test-unit:
	@.venv/bin/pytest -m "not e2e" $(ARGS)

# Browser tests run in their own process: Playwright keeps an event loop in the test thread.
test-e2e:
	@DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -m e2e $(ARGS)

seed:
	@$(PY) manage.py seed_demo

serve:
	@HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

# Compare the migrated database with the spec (needs ../shared/tools from the workspace).
schema-check:
	@python3 ../shared/tools/schema_check.py --dsn "$${DATABASE_URL:-postgresql:///gogomarket}"

# Benchmark (bench/README.md): installs wrk, loads the benchmark database gogomarket_bench_<PRODUCTS> once
# (again only for another PRODUCTS or FRESH=1), serves the app with production settings under
# uvicorn, measures it with wrk and writes bench/RESULTS.md.
#   make bench [PRODUCTS=1000000] [FRESH=1] [BENCH_ARGS="--duration 5 --workers 4"]
PRODUCTS ?= 100000
# One database per catalog size, so the 100k and the 1M catalogs can both stay loaded.
BENCH_DATABASE_URL ?= postgis:///gogomarket_bench_$(PRODUCTS)
bench:
	@WITH_BENCH=1 bash scripts/setup.sh
	@$(PY) bench/generate.py --products $(PRODUCTS) --database-url $(BENCH_DATABASE_URL) $(if $(FRESH),--fresh)
	@$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)
