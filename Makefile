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

# Until the follower lands: classify what the machine's mail log holds so far.
run: $(STAMP)
	@log=$$(ls /var/log/mail.log /var/log/maillog /var/log/exim4/mainlog 2>/dev/null | head -n1); \
	if [ -z "$$log" ]; then echo "no MTA log found (looked for /var/log/mail.log, /var/log/maillog, /var/log/exim4/mainlog); try: $(BIN)/bouncewatch parse FILE" >&2; exit 1; fi; \
	echo "classifying $$log" >&2; $(BIN)/bouncewatch parse "$$log"

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
