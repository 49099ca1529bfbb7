# `make run` and `make test` set themselves up: a .venv beside this file,
# the project installed into it, then the command.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# Follow this machine's MTA log with the embedded default config (events on
# stdout and in events.jsonl in the state directory); without an MTA log, a
# live demo on a log written as we watch. Ctrl-C stops.
run: $(STAMP)
	@$(BIN)/python -m bouncewatch.plugin.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
