"""Test tiers, by what they touch (see DESIGN.md, "Tests", and tests/README.md).

- ``tests/unit``: no real model weights, no network, one process. Tiny random models built from
  configs (``tests/tiny.py``); the embedded model's tokenizer files at most. A guard
  (``tests/unit/conftest.py``) fails a unit test that loads the embedded model, the downloaded
  Qwen, a GGUF file or the offline judge's MiniLM encoder.
- ``tests/integration``: real weights (the embedded SmolLM2-135M, the MiniLM encoder and the
  offline judge's fit, the Qwen2.5-Coder-0.5B where cached), local servers and processes
  (``torchrun`` with two processes); small counts.
- ``tests/notebooks``: chapters executed by papermill in the ``smoke`` profile, the book built
  and opened in headless Chromium.

Opt-in markers for what CI cannot run: ``slow`` (--runslow), ``gpu`` (--rungpu, and a CUDA device:
without one a gpu test skips with the reason), ``api`` (--runapi, needs a real key in the
environment).
"""
from __future__ import annotations

import os

import pytest

FAKE_KEY = "sk-test-FAKEKEY0123456789abcdefNEVERSHOWN"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="run tests marked slow")
    parser.addoption("--rungpu", action="store_true", help="run tests marked gpu")
    parser.addoption("--runapi", action="store_true", help="run tests marked api (needs a real key)")


def _no_cuda_reason() -> str | None:
    """Why gpu tests cannot run here (``None``: a CUDA device is there)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - a dependency of the project
        return "needs a CUDA GPU (torch is not installed)"
    if not torch.cuda.is_available():
        return "needs a CUDA GPU: --rungpu was given but torch finds no CUDA device"
    return None


def pytest_collection_modifyitems(config, items):
    for marker, option in (("slow", "--runslow"), ("gpu", "--rungpu"), ("api", "--runapi")):
        if config.getoption(option):
            reason = _no_cuda_reason() if marker == "gpu" and any(marker in i.keywords for i in items) else None
            if reason is None:
                continue
            skip = pytest.mark.skip(reason=reason)
        else:
            skip = pytest.mark.skip(reason=f"needs {option}")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _offline():
    """Tests never reach the Hugging Face Hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    yield


@pytest.fixture
def tmp_runs(tmp_path, monkeypatch):
    """Run folders in a temporary directory."""
    monkeypatch.setenv("EM_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


@pytest.fixture
def tiny_llama():
    """A randomly initialised 4-layer Llama (no weights, no network)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
    )
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A random 30-block Llama over the embedded tokenizer, saved once per session (no weights loaded).

    Shared by the training tests of both tiers (``tests/unit/test_training.py``,
    ``tests/integration/test_training_distributed.py``).
    """
    from tests.tiny import tiny_llama_folder

    return tiny_llama_folder(tmp_path_factory.mktemp("tiny-llama"), layers=30)


@pytest.fixture
def small_data(tmp_path):
    """24 tiny chat rows in a JSONL file (its path, as a string)."""
    import json

    rows = [{"messages": [{"role": "user", "content": f"Question number {i}: is {i} even?"},
                          {"role": "assistant", "content": f"{i} is {'even' if i % 2 == 0 else 'odd'}, clearly."}]}
            for i in range(24)]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return str(path)
