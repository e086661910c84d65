# Garde: `make run` starts it with demo data, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint i18n docs bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/garde demo --if-empty
	$(BIN)/garde serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k Np_:1,2 --no-location --sort-output \
		--project=garde --no-wrap -o locales/garde.pot bot core
	$(BIN)/pybabel update -i locales/garde.pot -d locales -D garde --no-fuzzy-matching --no-wrap
	$(BIN)/pybabel compile -d locales -D garde --statistics

docs: $(STAMP)
	$(BIN)/garde docs > docs/commands.md

# The benchmarks that read BENCH_DATABASE_URL: run on SQLite, then again on PostgreSQL
# when BENCH_DATABASE_URL is set (that database is emptied). bench.dispatch runs both
# itself; bench.slack and bench.recordings are SQLite only.
DB_BENCHES := oncall importing alerts delivery telegram escalation stats messages ingest calls documents

bench: $(STAMP)
	$(BIN)/python -m bench.dispatch
	$(BIN)/python -m bench.slack --gc-freeze
	$(BIN)/python -m bench.recordings
	set -e; for name in $(DB_BENCHES); do \
		echo "== bench.$$name, SQLite"; env -u BENCH_DATABASE_URL $(BIN)/python -m bench.$$name; \
		if [ -n "$$BENCH_DATABASE_URL" ]; then \
			echo "== bench.$$name, PostgreSQL"; $(BIN)/python -m bench.$$name; fi; \
	done
	$(BIN)/python -m bench.oncall --scale 10

clean:
	rm -rf $(VENV) garde.db garde.db-wal garde.db-shm recordings
