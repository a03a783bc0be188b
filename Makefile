# Bridgeway's two commands, and a few more for working on it. The real work is in scripts/.
#
#   make demo    a running site with demonstration data, on SQLite under var/ (Ctrl+C stops it)
#   make test    ruff, mypy and the whole test suite on SQLite and on PostgreSQL (CI runs this)
#   make lint    ruff check, ruff format --check and mypy
#   make serve   the site on ADDRESS (default 127.0.0.1:8000) with whatever data it has
#   make clean   remove built files and caches (keeps .venv, node_modules and var/, which
#                holds your database and keys)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
BIN := .venv/bin
ADDRESS ?= 127.0.0.1:8000

.PHONY: demo test lint serve clean

demo:
	scripts/system-packages demo
	scripts/bootstrap demo
	$(BIN)/bridgeway migrate --noinput
	$(BIN)/bridgeway load-reference-data
	$(BIN)/bridgeway seed-demo --seed 1
# The worker beside the server runs the jobs (the first snapshot within a minute).
	$(BIN)/bridgeway worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(BIN)/bridgeway serve $(ADDRESS)

test:
	scripts/system-packages test
	scripts/bootstrap test
	scripts/test

lint:
	scripts/bootstrap test
	scripts/test lint

serve:
	scripts/bootstrap demo
	$(BIN)/bridgeway migrate --noinput
	$(BIN)/bridgeway worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(BIN)/bridgeway serve $(ADDRESS)

clean:
	rm -rf bridgeway/site/static/build var/static .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find bridgeway bench -name __pycache__ -type d -prune -exec rm -rf {} +
