# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint fuzz bench demo-data clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m bizops_desktop --demo

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# The plugins' pure modules: everything but the Qt panel and the one-tab preview.
PURE_MODULES := $(filter-out %/panel.py %/__main__.py,$(wildcard plugins/*/*.py))
LINT_STAMP := $(VENV)/.lint-installed

$(LINT_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[test,lint]"
	@touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy bizops_desktop/core $(PURE_MODULES)
	$(VENV)/bin/lint-imports

# The fuzz targets at length (make test runs 40 examples each with a fixed seed).
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q --timeout 0 tests/test_fuzz.py

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[bench]"
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run_all.py

demo-data: $(STAMP)
	$(PY) -m bizops_desktop.core.demo --out resources/demo_shop
	$(PY) -m bizops_desktop.core.demo --lang zh_CN --out resources/demo_shop_zh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
