# The two commands: `make run` and `make test`. Everything they need is installed by them.
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test install install-test lint test-sqlite test-postgres bench

run: install
	$(BIN)/vpaas serve

test: install-test lint test-sqlite test-postgres

install:
	scripts/bootstrap.sh run

install-test:
	scripts/bootstrap.sh test

lint:
	$(BIN)/ruff check vpaas tests bench
	$(BIN)/mypy

test-sqlite:
	$(BIN)/pytest -q -p no:cacheprovider

test-postgres:
	VPAAS_TEST_DATABASE=postgresql VPAAS_TEST_PG_URL=$(PG_URL) \
		$(BIN)/pytest -q -p no:cacheprovider -m "not sqlite_only"
