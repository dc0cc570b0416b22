# skydd: `make run` serves the example register; `make test` is what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
UV := .tools/bin/uv
UV_VERSION := 0.13.9
EXAMPLE ?= examples/mestro
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help venv run test check fmt pytest system-deps services alembic-check babel-check

help:
	@echo "make run    create the venv, migrate, load $(EXAMPLE) and serve on http://127.0.0.1:8000"
	@echo "make test   install test needs, start services, run make check and the whole suite"
	@echo "make check  ruff format/check, mypy --strict, import-linter, alembic check, babel check"
	@echo "make fmt    format and autofix"

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

venv: $(UV)
	$(UV) sync --frozen --quiet

# A development key file in var/ (git-ignored) unless keys are configured already.
run: venv
	@mkdir -p var
	@if [ -z "$$SKYDD_KEYS__FILE$$SKYDD_KEYS__KEYRING" ] && [ ! -f var/keys.json ]; then \
		$(BIN)/skydd keys generate --output var/keys.json; fi
	$(BIN)/skydd db upgrade
	@if [ -z "$$SKYDD_KEYS__FILE$$SKYDD_KEYS__KEYRING" ]; then export SKYDD_KEYS__FILE=var/keys.json; fi; \
		$(BIN)/skydd serve --load $(EXAMPLE) --worker

system-deps:
	bash scripts/install-system-deps.sh

services:
	bash scripts/ensure-services.sh

check: venv
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory alembic-check
	$(MAKE) --no-print-directory babel-check

alembic-check:
	@tmp=$$(mktemp -d); \
	SKYDD_DATABASE__URL=sqlite:///$$tmp/check.db $(BIN)/alembic upgrade head && \
	SKYDD_DATABASE__URL=sqlite:///$$tmp/check.db $(BIN)/alembic check; rc=$$?; rm -rf $$tmp; exit $$rc
	@psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS skydd_check WITH (FORCE)" -c "CREATE DATABASE skydd_check" >/dev/null
	SKYDD_DATABASE__URL=postgresql+psycopg://postgres@127.0.0.1:5432/skydd_check $(BIN)/alembic upgrade head
	SKYDD_DATABASE__URL=postgresql+psycopg://postgres@127.0.0.1:5432/skydd_check $(BIN)/alembic check

babel-check:
	$(BIN)/python scripts/check_translations.py

fmt: venv
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

pytest: venv
	$(BIN)/pytest -n 2

test: venv system-deps services check pytest
