# The front door. Every target works on a fresh clone.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8501

.PHONY: run check test lint typecheck bench bench-smoke sample system-deps clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

## make run: start the board on http://localhost:$(PORT) with data/tasks.xlsx
run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.port $(PORT)

## make check: the fast edit–test loop: ruff, mypy, unit tests and AppTests; no browser, no system packages
check: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q -m "not e2e and not slow" --ignore=tests/e2e

## make test: install everything the tests need (Chromium and CJK fonts included) and run them all, as CI does
# (the benchmark smoke runs before pytest, so that pytest's summary is the last line CI reads)
test: $(VENV)/.dev-installed system-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m scripts.bench --smoke
	$(PY) -m pytest -q

# Browser tests use Debian's chromium; slides are checked through LibreOffice and pdftoppm.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libreoffice-impress libreoffice-writer poppler-utils
system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .

# Checks lib/ (see [tool.mypy] in pyproject.toml).
typecheck: $(VENV)/.dev-installed
	$(PY) -m mypy

## make bench: time what people wait for, bundled to 300k reports (long); writes benchmarks/results.json and README.md
bench: $(VENV)/.dev-installed system-deps
	$(PY) -m scripts.bench

## make bench-smoke: the benchmark on the bundled workbook only (under 90 s); fails on a crash, never on a target
bench-smoke: $(VENV)/.dev-installed system-deps
	$(PY) -m scripts.bench --smoke

## make sample: rebuild data/tasks.xlsx from the notice (deterministic)
sample: $(VENV)/.installed
	$(PY) scripts/build_sample.py

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache .mypy_cache
