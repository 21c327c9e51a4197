"""Tiny models and a tokenizer built in memory, for unit tests (no weights, no network)."""

from __future__ import annotations

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


def tiny_llama_folder(folder, layers: int, max_positions: int = 512) -> str:
    """A randomly initialised Llama over the embedded model's tokenizer, saved with it in ``folder``."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from em_utils.models import load_tokenizer

    tokenizer = load_tokenizer()
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=layers,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=max_positions,
                         tie_word_embeddings=True, pad_token_id=tokenizer.pad_token_id, initializer_range=0.3,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)
