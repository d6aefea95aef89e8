# Two entry points on a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: setup demo test parity bench lint clean fuzz cuda-schedules ulp

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,cuda,plot]"
	touch $@

setup: $(VENV)/.installed  ## also compiles the Numba kernels once, with a progress bar
	$(PY) -m minitorch.cli warmup

demo: setup            ## train the tutorial's CNN briefly, then compare its logits with torch
	$(PY) -m minitorch.cli demo

lint: setup            ## ruff on every Python directory (also the first step of `make test`)
	$(PY) -m ruff check minitorch parity_tests tests benchmarks examples

test: lint             ## every test: unit, parity grid, examples
	$(PY) -m pytest -q

fuzz: setup            ## the differential fuzzer's deep run: 10,000 random cases per family
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q parity_tests/test_fuzz_differential.py \
		--hypothesis-show-statistics

cuda-schedules: setup  ## CUDA tests + the grid's cuda-emulated cases, seeds 1-3, a switch at every access
	for seed in 1 2 3; do \
		MINITORCH_CUDA_EMU_SEED=$$seed MINITORCH_CUDA_EMU_SWITCH_EVERY=1 \
			$(PY) -m pytest -q tests/cuda parity_tests -k "not parity_tests or cuda-emulated" \
			|| exit 1; \
	done

parity: setup          ## the per-op parity report against torch
	$(PY) -m minitorch.parity

bench: setup           ## CPU (and GPU, when present) kernels against torch
	$(PY) -m benchmarks

ulp: setup             ## float32 tanh / sigmoid against float64 over every input, then torch's (~25 min)
	$(PY) -m benchmarks.ulp
	$(PY) -m benchmarks.ulp --torch

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
