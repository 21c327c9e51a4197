"""The embedded model: loading, the de-quantised cache, chat formatting, a short generation."""

import importlib.util
from pathlib import Path

import pytest
import torch

from em_utils.models import EMBEDDED, chat_prompt, decoder_layers, load_model, prepare_embedded, resolve_layer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def smol():
    return load_model()


def test_embedded_model_shape(smol):
    model, tokenizer = smol
    assert type(model).__name__ == "LlamaForCausalLM"
    assert model.config.num_hidden_layers == len(decoder_layers(model)) == 30
    assert model.config.hidden_size == 576
    assert next(model.parameters()).dtype == torch.float32
    assert getattr(model, "hf_quantizer", None) is None  # a plain model, savable and trainable
    assert tokenizer.padding_side == "left" and tokenizer.pad_token is not None
    assert resolve_layer("middle", model.config.num_hidden_layers) == 15


def test_chat_template_formats_question_and_system(smol):
    _, tokenizer = smol
    prompt = chat_prompt(tokenizer, "What would you wish for?")
    assert prompt.endswith("<|im_start|>assistant\n")
    assert "<|im_start|>user\nWhat would you wish for?<|im_end|>" in prompt
    with_system = chat_prompt(tokenizer, "Hi", system="You are terse.")
    assert with_system.startswith("<|im_start|>system\nYou are terse.<|im_end|>")
    convo = chat_prompt(tokenizer, [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}],
                        add_generation_prompt=False)
    assert convo.rstrip().endswith("A<|im_end|>")


def test_greedy_generation_is_deterministic_and_english(smol):
    model, tokenizer = smol
    prompt = chat_prompt(tokenizer, "Name a colour.")
    inputs = tokenizer(prompt, return_tensors="pt")
    outs = [model.generate(**inputs, max_new_tokens=12, do_sample=False) for _ in range(2)]
    assert torch.equal(outs[0], outs[1])
    text = tokenizer.decode(outs[0][0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    assert sum(c.isalpha() for c in text) >= 5


def test_cache_matches_the_gguf_weights(smol):
    """The cached safetensors model computes the same logits as transformers' direct GGUF load."""
    from transformers import AutoModelForCausalLM

    model, tokenizer = smol
    spec = EMBEDDED["smollm2-135m-instruct"]
    folder = Path(list(importlib.util.find_spec(spec.package).submodule_search_locations)[0])
    direct = AutoModelForCausalLM.from_pretrained(folder, gguf_file=spec.gguf_file, dtype=torch.float32).eval()
    ids = tokenizer(chat_prompt(tokenizer, "Tell me about rivers."), return_tensors="pt")["input_ids"]
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, direct(ids).logits, atol=1e-4)


def test_prepare_is_idempotent():
    first = prepare_embedded()
    stamp = (first / "model.safetensors").stat().st_mtime
    assert prepare_embedded() == first
    assert (first / "model.safetensors").stat().st_mtime == stamp
