# Two commands on a fresh machine: `make demo` and `make test`.
# Both create their own virtualenv in .venv; nothing is installed outside it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# A plain .pth path entry instead of an import-hook finder: the finder costs ~25 ms at every
# `steward` start, and CLI reads have a 150 ms budget.
EDITABLE := --config-settings editable_mode=compat

.PHONY: demo test lint bench bench-sync bench-tui bench-incidents compile demo-catalog screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e . $(EDITABLE)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]' $(EDITABLE)
	touch $@ $(VENV)/.installed

# Byte-compile our own sources: where PYTHONDONTWRITEBYTECODE is set (this CI, many images)
# Python never caches them itself, and compiling them at every start costs `steward` ~50 ms.
compile: $(VENV)/.installed
	$(BIN)/python -m compileall -q store tui playbooks

demo: $(VENV)/.installed compile
	$(BIN)/steward demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed compile
	$(BIN)/python bench/store_bench.py

# Against a real MLflow server with 2,000 models x 5 versions. Seeding takes ~30 min the first
# time on 2 cores; the seeded database is kept in bench/out/ and reused.
bench-sync: $(VENV)/.installed-test compile
	$(BIN)/python bench/sync_bench.py

# The TUI's figures: cold start in tmux against a minimal Textual app, search keystroke latency
# and memory at 100k artifacts, bytes to the terminal under `script`. ~2 min; the replica is cached.
bench-tui: $(VENV)/.installed-test compile
	$(BIN)/python bench/tui_bench.py

# The incident record: append latency, four concurrent writers on one incident, lists. ~30 s.
bench-incidents: $(VENV)/.installed compile
	$(BIN)/python bench/incident_bench.py

# Regenerate the bundled demo catalog from its generator (a test checks they agree).
demo-catalog: $(VENV)/.installed
	$(BIN)/python -m store.demo > store/data/demo-catalog.json

clean:
	rm -rf $(VENV) .pytest_cache

# Regenerate screenshots/ from the app, on the demo catalog with a pinned clock.
screenshots: $(VENV)/.installed
	$(BIN)/python -m tui.screenshots screenshots
