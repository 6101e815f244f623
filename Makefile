# framebench: `make site` builds the site, `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(if $(GPU),gpu,cpu)
SITE_STAMP := $(VENV)/.installed-site
LIGHTHOUSE := .cache/lighthouse
export NO_MKDOCS_2_WARNING := 1
export PYTHONHASHSEED := 0
export SOURCE_DATE_EPOCH ?= 1767225600

.PHONY: setup site-setup site serve build test lint bench-ops bench-accuracy bench-site bench-lighthouse bench-stability bench-verdicts validate clean

setup: $(STAMP)

# Re-installs only when the dependency pins change; plain pip, pinned by constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
ifdef GPU
	# Linux GPU: swap the CPU-only TensorFlow wheel for the CUDA one (torch from PyPI is CUDA already).
	$(BIN)/python -m pip uninstall -q -y tensorflow-cpu
	$(BIN)/python -m pip install -q -c constraints.txt 'tensorflow[and-cuda]'
endif
	rm -f $(VENV)/.installed-*
	touch $@ $(SITE_STAMP)

# The site needs only the site extra (no TensorFlow or PyTorch): a fresh clone's `make site` installs
# just that. A full `make setup` includes it and marks it installed too.
site-setup: $(SITE_STAMP)

$(SITE_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[site]'
	touch $@

validate: setup
	$(BIN)/framebench validate runs

# RUNS_URL (set by pages.yml): run pages link their file in the repository instead of a copy.
build: site-setup
	$(BIN)/framebench build --runs runs --out site_src $(if $(RUNS_URL),--runs-url $(RUNS_URL))

site: build
	$(BIN)/mkdocs build --strict --site-dir site

serve: build
	$(BIN)/mkdocs serve

lint: setup
	$(BIN)/ruff check generator benchmarks tests
	$(BIN)/ruff format --check generator benchmarks tests
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline .github/workflows

test: setup lint
	$(BIN)/pytest -q

# The quick suite, then our timer against torch.utils.benchmark and a timeit loop (notes.agreement.*).
bench-ops: setup
	path=$$($(BIN)/framebench bench ops --quick $(BENCH_ARGS)) && path=$$(printf '%s\n' "$$path" | tail -n 1) && \
	  $(BIN)/python -m benchmarks.timer_agreement "$$path" $(BENCH_ARGS)

bench-accuracy: setup
	$(BIN)/python -m benchmarks.batched_speedup

# `make site` (framebench build + mkdocs build) timed at 100, 1,000 and 10,000 synthetic runs.
# (A default inside $(or ...) would be cut at its first comma: make splits function arguments there.)
SIZES ?= 100,1000,10000
bench-site: site-setup
	$(BIN)/python -m benchmarks.site_scale --sizes $(SIZES)

# Lighthouse's four scores for the heaviest page of each kind, served gzipped from 127.0.0.1 as
# GitHub Pages serves them, against Debian's chromium. Lighthouse lives in $(LIGHTHOUSE) (npm), never
# in the repository's dependencies.
bench-lighthouse: site
	test -x $(LIGHTHOUSE)/node_modules/.bin/lighthouse || npm install --prefix $(LIGHTHOUSE) --no-audit --no-fund lighthouse@12
	$(BIN)/python -m benchmarks.lighthouse --site site --lighthouse $(LIGHTHOUSE)/node_modules/.bin/lighthouse

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache

# The quick suite twice back to back: how many cases' 95 % intervals fail to overlap (goal <= 5 %).
bench-stability: setup
	$(BIN)/python -m benchmarks.interval_stability $(BENCH_ARGS)

# Width, calibration and power of the published verdicts on the committed runs (no new timing):
# per-case interval half-widths, same-version run pairs compared, a planted slowdown found.
bench-verdicts: setup
	$(BIN)/python -m benchmarks.verdicts
