# Two commands do all the set-up:  make run  and  make test.
# Both create .venv with the pinned environment (requirements.lock) the first
# time, and again whenever pyproject.toml or requirements.lock changes.

PYTHON ?= python3
VENV   ?= .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PIP    := $(VPY) -m pip --disable-pip-version-check -q
NBVAL  := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env
# Two test processes; nbval needs --dist loadfile (a notebook's cells stay in one worker).
# --no-loadscope-reorder: files are handed out in the order tests/conftest.py puts them (longest first).
# Expanded only where used ('='), so 'make run' does not start Python to count CPUs.
XDIST  = -n $(shell $(PYTHON) -c 'import os; print(min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))') --dist loadfile --no-loadscope-reorder

.PHONY: venv run site site-teacher slides test test-fast test-unit refresh lab bench validate datadict lock clean help

help:
	@echo "make venv     only create/update .venv (./sco does this when .venv is missing)"
	@echo "make run      execute every notebook into build/, refresh figures/, build the site build/site/"
	@echo "make site     the student site only (build/site/: no solutions, no keys); skipped when nothing it"
	@echo "              is built from has changed (./sco site --force builds anyway)"
	@echo "make site-teacher  the teacher's site with solutions and keys (build/site-teacher/)"
	@echo "make slides   render each chapter as reveal.js slides (build/site/slides/, offline)"
	@echo "make test     run the whole test suite (unit, data, nbval, papermill), two processes"
	@echo "make test-fast  a quick loop: lint and every test not marked slow (no kernel, browser, site"
	@echo "              build or chapter run); make test still runs everything, and CI runs make test"
	@echo "make test-unit  only the unit and data tests (CI runs them on the newest Python too)"
	@echo "make refresh  re-execute the committed notebooks in place (default parameters)"
	@echo "make lab      open JupyterLab on notebooks/"
	@echo "make bench    time the runner against plain papermill and the floor"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

venv: $(STAMP)

# Both steps are cached on their inputs: with nothing changed, make run takes well under a second.
run: $(STAMP)
	$(VPY) -m helpers run
	$(VPY) -m helpers site
	@echo "open build/site/index.html in a browser"

site: $(STAMP)
	$(VPY) -m helpers site

# The teacher's site: the student site plus the solutions and the chapter 5 key.
site-teacher: $(STAMP)
	$(VPY) -m helpers site --teacher

slides: $(STAMP)
	$(VPY) -m helpers slides

test: $(STAMP)
	$(VPY) -m ruff check src tests scripts
	$(VPY) -m ruff format --check src tests scripts
	$(VPY) -m pytest tests notebooks seminar/solutions $(NBVAL) $(XDIST)

# A contributor's quick loop, in addition to make test (which runs everything): the tests that
# start no kernel, browser, cluster or subprocess and run no chapter (the 'slow' marker, set in
# tests/conftest.py). Not a substitute for make test before a commit.
test-fast: $(STAMP)
	$(VPY) -m ruff check src tests scripts
	$(VPY) -m ruff format --check src tests scripts
	$(VPY) -m pytest tests -m "not slow" $(XDIST)

# Unit and data tests only (no nbval, no browser): CI runs them on the newest Python too.
test-unit: $(STAMP)
	$(VPY) -m pytest tests $(XDIST) --ignore=tests/test_site.py --ignore=tests/test_notebooks.py

refresh: $(STAMP)
	$(VPY) -m helpers refresh

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# BENCH_ARGS: e.g. --with-tests (also time make test once), --repeat 1, --profile
bench: $(STAMP)
	$(VPY) scripts/bench.py $(BENCH_ARGS)

validate: $(STAMP)
	$(VPY) -m helpers validate

datadict: $(STAMP)
	$(VPY) -m helpers datadict

# Re-pin the whole environment from the direct pins in pyproject.toml.
lock:
	rm -rf build/.lockenv
	$(PYTHON) -m venv build/.lockenv
	build/.lockenv/bin/pip --disable-pip-version-check -q install .
	( echo "# Full pinned environment for 'make run' / 'make test' (pip freeze of the direct pins in pyproject.toml)."; \
	  echo "# Regenerate with: make lock"; \
	  build/.lockenv/bin/pip freeze --exclude-editable | grep -v '^sco-central-asia-notebooks' ) > requirements.lock
	rm -rf build/.lockenv

clean:
	rm -rf build
