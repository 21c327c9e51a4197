"""FLOP counting: the work one pass of training over a dataset needs."""

from __future__ import annotations

from typing import Sequence

__all__ = ["training_flops"]


def training_flops(config, lengths: Sequence[int], n_labelled: int, trainable_layers: Sequence[int] | None,
                   full: bool = False, lora_params: int = 0, shared_prefix: int = 0,
                   batches: int | None = None) -> dict[str, float]:
    """FLOPs of one pass over a dataset, counting only the work that is needed.

    Forward: every linear layer on every token, attention scores and values, the LM head on the
    labelled positions; where the rows of each of ``batches`` batches share their first
    ``shared_prefix`` tokens (:func:`_shared_prefix`), those run once per batch, not once per row.
    Backward: gradients with respect to activations from the top down to the lowest trainable
    layer (2 FLOPs per weight per token), gradients with respect to trainable weights (2 per weight
    per token; LoRA weights are counted through ``lora_params``; for a full fine-tune every
    weight), and the LM head's backward on labelled positions.
    """
    d, n_layers = config.hidden_size, config.num_hidden_layers
    heads, kv = config.num_attention_heads, getattr(config, "num_key_value_heads", config.num_attention_heads)
    head_dim = getattr(config, "head_dim", None) or d // heads
    inter, vocab = config.intermediate_size, config.vocab_size
    layer_params = d * heads * head_dim * 2 + d * kv * head_dim * 2 + 3 * d * inter
    repeats = len(lengths) - (batches if batches is not None else len(lengths))  # prefix copies not run
    tokens = float(sum(lengths) - repeats * shared_prefix)
    attention = sum(4.0 * heads * head_dim * L * (L + 1) / 2 for L in lengths)  # QK^T and AV, causal half
    attention -= repeats * 4.0 * heads * head_dim * shared_prefix * (shared_prefix + 1) / 2
    forward = 2.0 * layer_params * tokens * n_layers + attention * n_layers + 2.0 * d * vocab * n_labelled
    if full:
        lowest = 0
    else:
        lowest = min(trainable_layers) if trainable_layers else 0
    below = n_layers - lowest
    backward = (2.0 * layer_params * tokens + 2 * attention) * below + 2.0 * d * vocab * n_labelled
    if full:  # weight gradients of every layer and of the (tied) embedding / LM head
        backward += 2.0 * layer_params * tokens * n_layers + 2.0 * d * vocab * n_labelled
    else:  # a LoRA weight costs 2 FLOPs per token forward, 2 for its gradient, 2 for the input's
        forward += 2.0 * lora_params * tokens
        backward += 4.0 * lora_params * tokens
    return {"forward": forward, "backward": backward, "total": forward + backward, "tokens": tokens}
