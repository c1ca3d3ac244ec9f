PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_CONFIG := examples/voorbeeldstad/aigrip.yaml

.PHONY: demo test setup setup-dev setup-spark lint bench clean lock

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 not found as '$(PY)'; set PY=/path/to/python3.11"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

LOCK := requirements.lock

$(VENV)/.installed: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed

# the optional Spark backend of the national picture (docs/national.md); Java 17+ must be installed
setup-spark: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[dev,spark]"

setup-dev: $(VENV)/.installed-dev

demo: setup
	@$(BIN)/python -m transforms.monitor.pdf >/dev/null || exit 1
	$(BIN)/aigrip run --config $(DEMO_CONFIG) --history 6
	$(BIN)/aigrip export --config $(DEMO_CONFIG) --format national-json
	$(BIN)/aigrip export --config $(DEMO_CONFIG) --format inventory
	$(BIN)/aigrip report --config $(DEMO_CONFIG)
	@echo
	@echo "Demo done. Open:"
	@echo "  register export (standaard 1.0): $(CURDIR)/var/voorbeeldstad/export/national-json/register.json"
	@echo "  inventory:                       $(CURDIR)/var/voorbeeldstad/export/inventory/inventory.csv"
	@echo "  public site:                     $(CURDIR)/var/voorbeeldstad/site/index.html"
	@echo "  monitoring report:               $$(ls -d $(CURDIR)/var/voorbeeldstad/reports/*/ | tail -1)report.html"
	@echo "Next: '$(BIN)/aigrip status --config $(DEMO_CONFIG)', or review candidates (README, 'Reviewing candidates')."

test: setup-dev
	$(BIN)/python -m pytest

lint: setup-dev
	$(BIN)/ruff check .

# Regenerate the lock from the newest versions pyproject.toml allows, in a scratch venv; run the tests after.
lock:
	rm -rf .venv-lock
	$(PY) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e ".[dev,spark]"
	{ echo "# aigrip's tested dependency set: 'make lock' regenerates it (see README, 'Updating dependencies')."; \
	  echo "# Installed with 'pip install -c requirements.lock', so every machine gets these exact versions."; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v '^-e'; } > $(LOCK)
	rm -rf .venv-lock
	@echo "requirements.lock updated: run 'make test', then commit it."

clean:
	rm -rf var $(VENV)
