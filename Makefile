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

# Benchmarks (not part of `make test`): each prints a table and writes bench/results/*.json.
bench: install-test
	command -v nginx >/dev/null && command -v wrk >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq nginx-light wrk)
	$(BIN)/python bench/upload.py --size 2G
	$(BIN)/python bench/processing.py
	$(BIN)/python bench/media_list.py
	$(BIN)/python bench/thumbnail_frame.py
	$(BIN)/python bench/thumbnail_cold.py
	$(BIN)/python bench/serving.py
