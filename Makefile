# Socle — every set-up step lives here, so a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SOCLE_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-fast lint typecheck messages dist bench soak clean venv system-deps

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

# The English catalog (French is the source language): extracted from src/socle alone (pronotesim
# stays French), then compiled; both the .po and the .mo are committed (docs/architecture.md).
# Then the French catalog of plurals (0 in the singular), generated from the English one.
# tests/core/test_translations.py reads MAKEMESSAGES here and runs the same extraction.
MAKEMESSAGES := makemessages --locale en --no-obsolete --add-location file --no-wrap
CATALOG := src/socle/locale/en/LC_MESSAGES/django.po
messages: $(STAMP)
	cd src/socle && env -u DJANGO_SETTINGS_MODULE $(CURDIR)/$(BIN)/django-admin $(MAKEMESSAGES)
	sed -i '/^"POT-Creation-Date: /d' $(CATALOG)
	msgfmt --check --output-file /dev/null $(CATALOG)
	cd src/socle && env -u DJANGO_SETTINGS_MODULE $(CURDIR)/$(BIN)/django-admin compilemessages --locale en
	$(BIN)/python scripts/french_plurals.py
	@grep -q '^#, fuzzy' $(CATALOG) && echo "$(CATALOG): fuzzy entries to review" || true
	@msgattrib --untranslated --no-obsolete $(CATALOG) | grep -q '^msgid' \
		&& echo "$(CATALOG): untranslated entries (msgattrib --untranslated $(CATALOG))" || true

# The release's sdist and wheel in dist/ (ignored by git), from the files git tracks: docs/release.md.
dist: $(STAMP)
	rm -rf dist
	PYTHON=$(CURDIR)/$(BIN)/python bash scripts/dist dist

bench: $(STAMP) system-deps
	bash bench/run

soak: $(STAMP) system-deps
	bash bench/run --soak

clean:
	rm -rf $(VENV) var dist build src/socle.egg-info .pytest_cache .mypy_cache .ruff_cache
