# xinyong — make help lists the targets.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/xinyong: pyproject.toml requirements/dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements/dev.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(BIN)/xinyong

install: $(BIN)/xinyong ## create .venv with the package and its development tools
	@bash scripts/pdf.sh || echo "credit reports need fonts-wqy-microhei (see scripts/pdf.sh)" >&2

run: install ## fresh machine → SQLite with demo data, served at http://127.0.0.1:8000
	$(BIN)/xinyong init
	$(BIN)/xinyong demo
	$(BIN)/xinyong evaluate  # grades as of today for every organisation (joint check, /admin/evaluation)
	$(BIN)/xinyong jobs run dashboard  # the stored dashboard and wall screen (cron keeps them fresh)
	$(BIN)/xinyong serve --port $(PORT)

test: install ## the whole suite on SQLite and PostgreSQL in a random order; SEED=n replays one
	$(if $(SEED),XINYONG_TEST_SEED=$(SEED)) bash scripts/test.sh

lint: install ## ruff, ruff format --check, mypy, import-linter, catalog check
	$(BIN)/ruff check xinyong tests bench tools
	$(BIN)/ruff format --check xinyong tests bench tools
	$(BIN)/mypy xinyong tests tools
	$(BIN)/lint-imports
	$(BIN)/xinyong catalog check

fmt: install ## format and autofix
	$(BIN)/ruff format xinyong tests bench tools
	$(BIN)/ruff check --fix xinyong tests bench tools

migrate: install ## apply migrations to XINYONG_DATABASE_URL (default var/xinyong.db)
	$(BIN)/xinyong db upgrade

revision: install ## new migration: make revision m="add x"
	$(BIN)/xinyong db revision -m "$(m)"

bench: install ## benchmarks (see bench/RESULTS.md)
	bash scripts/bench.sh

lock: ## re-pin requirements/{runtime,dev,spark,bench}.txt (hashed) from pyproject.toml; UPGRADE=1 moves pins
	bash scripts/lock.sh

.PHONY: help install run test lint fmt migrate revision bench lock
