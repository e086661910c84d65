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

bench: $(STAMP)
	$(BIN)/python -m bench.dispatch
	$(BIN)/python -m bench.oncall
	$(BIN)/python -m bench.oncall --scale 10
	$(BIN)/python -m bench.importing
	$(BIN)/python -m bench.alerts
	$(BIN)/python -m bench.delivery
	$(BIN)/python -m bench.telegram
	$(BIN)/python -m bench.slack
	$(BIN)/python -m bench.escalation
	$(BIN)/python -m bench.stats
	$(BIN)/python -m bench.messages
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.calls
	$(BIN)/python -m bench.recordings
	$(BIN)/python -m bench.documents

clean:
	rm -rf $(VENV) garde.db garde.db-wal garde.db-shm recordings
