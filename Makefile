# Socle — every set-up step lives here, so a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SOCLE_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-fast lint typecheck bench soak clean venv system-deps

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	bash scripts/system-deps

demo: $(STAMP)
	bash scripts/demo

test: $(STAMP) system-deps
	bash scripts/test

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not browser and not slow" --ignore=tests/scale

lint: $(STAMP)
	$(BIN)/ruff check src tests pronotesim bench
	$(BIN)/ruff format --check src tests pronotesim bench

typecheck: $(STAMP)
	SOCLE_SECRET_KEY=typecheck-only-$$(printf 'x%.0s' $$(seq 50)) $(BIN)/mypy src

bench: $(STAMP) system-deps
	bash bench/run

soak: $(STAMP) system-deps
	bash bench/run --soak

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
