# listen: two commands set everything up on a fresh Debian machine with Python 3.11.
#   make demo   venv + listen with the default voice, publishes the seed and sample articles
#   make test   everything the tests need (apt: mp3val, chromium), then the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SEEDS  := $(shell find seeds -type f 2>/dev/null)
DEMO   := output/.demo-published
SOURCES := $(shell find src voices -type f -not -name '*.pyc' 2>/dev/null)
APT_PACKAGES := mp3val chromium

.PHONY: demo test lint bench system-deps clean

demo: $(DEMO)
	@echo "MP3:    $$(ls output/nara-drum-diplomacy/*/nara-drum-diplomacy.mp3)"
	@echo "Feed:   output/feed.xml"
	@echo "Player: $(BIN)/listen serve output --port 8000   then open http://127.0.0.1:8000/"

$(DEMO): $(SEEDS) $(VENV)/.stamp-demo $(SOURCES)
	$(BIN)/listen publish seeds --out output --config seeds/listen.toml
	@touch $@

test: $(VENV)/.stamp-test system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(VENV)/.stamp-test
	$(BIN)/python benchmarks/normalise_peer.py ../shared/peer/nemo_tn_en

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-demo: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[piper]'
	@touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-demo
	$(BIN)/pip install --quiet -e '.[piper,check,test,dask]'
	@touch $@

# Debian packages the tests drive for real; installed once, only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing with apt-get:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find output -mindepth 1 -not -name .gitkeep -delete
