# The two commands: `make run` (the bot on embedded defaults with the demo corpus) and `make test`.
# Each creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test chat ingest e2e bench teams-package clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)  ## start the bot on http://127.0.0.1:3978/api/messages
	$(BIN)/rakel serve

test: $(INSTALLED)  ## run every test (PostgreSQL variants need initdb/pg_ctl; skipped with a notice otherwise)
	$(BIN)/pytest

chat: $(INSTALLED)  ## chat with the bot in this terminal
	$(BIN)/rakel chat

ingest: $(INSTALLED)  ## (re)build the knowledge index from the configured sources
	$(BIN)/rakel ingest

e2e: $(INSTALLED)  ## the bot in the Microsoft 365 Agents Playground with headless Chromium
	bash e2e/run.sh

bench: $(INSTALLED)  ## print the benchmark figures
	$(BIN)/python bench/turns.py
	$(BIN)/python bench/intents.py
	$(BIN)/python bench/knowledge.py
	$(BIN)/python bench/campaign.py
	$(BIN)/python bench/tickets.py
	$(BIN)/python bench/handoff.py
	$(BIN)/python bench/report.py

teams-package: $(INSTALLED)  ## infra/teams/rakel-teams.zip (needs RAKEL_APP_ID and RAKEL_PUBLIC_HOST)
	$(BIN)/python infra/teams/package.py

clean:
	rm -rf $(VENV) var .pytest_cache
