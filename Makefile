# Every command a person runs. `make site` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv validate site serve test test-content coverage new fields bench update-golden browser clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/' | expand -t 16

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)  ## create .venv and install the pinned dependencies

validate: venv  ## check content (schema, references, verbatim quotes); write nothing
	$(BIN)/python -m generator validate

site: venv  ## validate and build the site into site/ (a failed build leaves site/ as it was)
	$(BIN)/python -m generator build

ADDR ?= 127.0.0.1:8000
serve: venv  ## preview on http://127.0.0.1:8000 (or ADDR=127.0.0.1:8001); edits reload, problems show in the page
	$(BIN)/python -m generator serve --addr $(ADDR)

test: venv  ## the whole test suite (browser tests need `make browser` once)
	$(BIN)/python -m pytest

test-content: venv  ## the tests of the content alone: what every record must satisfy (what editors run)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_live_content.py -k "not editors"

coverage: venv  ## how much of each source the quotes cover; lists uncovered sentences
	$(BIN)/python -m generator coverage

new: venv  ## scaffold a document: make new JURISDICTION=jiangxi TITLE="..." DATE=2021
	$(BIN)/python -m generator new --jurisdiction "$(JURISDICTION)" --title "$(TITLE)" --date "$(or $(DATE),unknown)" \
	  $(if $(ID),--id "$(ID)") $(if $(SOURCE),--source "$(SOURCE)")

fields: venv  ## rewrite docs/fields.md, the field guide, from the schemas' descriptions
	$(BIN)/python -m generator fields

bench: venv  ## build synthetic corpora of 1,000 and 10,000 tasks; writes bench-report.json
	$(BIN)/python -m tests.bench

update-golden: venv  ## rewrite tests/golden/ from the fixture corpus (read the diff before committing)
	$(BIN)/python -m tests.golden --update

browser: venv  ## install a headless Chromium and java (Debian's chromium; on Ubuntu, Chrome or Playwright's), axe-core and vnu
	@sh .ci/browser

clean:  ## remove generated files
	rm -rf build site .site-* .pytest_cache
