"""Test tiers (see DESIGN.md, "Tests").

- ``tests/unit``: no model weights, no network; tiny random models built from configs.
- ``tests/integration``: the embedded model (SmolLM2-135M-Instruct), small counts.
- ``tests/notebooks``: chapters executed by papermill in the ``smoke`` profile, the book built
  and opened in headless Chromium.

Opt-in markers for what CI cannot run: ``slow`` (--runslow), ``gpu`` (--rungpu), ``api``
(--runapi, needs a real key in the environment).
"""

from __future__ import annotations

import os

import pytest

FAKE_KEY = "sk-test-FAKEKEY0123456789abcdefNEVERSHOWN"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="run tests marked slow")
    parser.addoption("--rungpu", action="store_true", help="run tests marked gpu")
    parser.addoption("--runapi", action="store_true", help="run tests marked api (needs a real key)")


def pytest_collection_modifyitems(config, items):
    for marker, option in (("slow", "--runslow"), ("gpu", "--rungpu"), ("api", "--runapi")):
        if config.getoption(option):
            continue
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
