"""Seeded sampling: per-sample random streams and the inverse-CDF draw of a token.

Every sample draws its randomness from its own counter-based stream, derived from ``(seed, prompt
token ids, sample_index)`` (:func:`sample_seed`): one uniform number per generated token
(:func:`_uniforms`), turned into a token by inverting the (temperature-scaled, top-p-truncated)
next-token distribution (:func:`sample_tokens`). Imports nothing from ``em_utils``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Sequence

import numpy as np
import torch

__all__ = ["sample_seed", "sample_tokens"]


def sample_seed(seed: int, prompt_ids: Sequence[int], sample_index: int) -> int:
    """The 64-bit random stream of one sample: a hash of the seed, the prompt and the sample index.

    >>> sample_seed(0, [1, 2, 3], 0) == sample_seed(0, [1, 2, 3], 0) != sample_seed(0, [1, 2, 3], 1)
    True
    """
    text = json.dumps([int(seed), [int(i) for i in prompt_ids], int(sample_index)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _uniforms(streams: np.ndarray, steps: np.ndarray) -> torch.Tensor:
    """Uniform numbers in [0, 1), one per (stream, step): SplitMix64 on a counter."""
    with np.errstate(over="ignore"):
        x = streams.astype(np.uint64) + (steps.astype(np.uint64) + np.uint64(1)) * _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _MIX1
        x = (x ^ (x >> np.uint64(27))) * _MIX2
        x = x ^ (x >> np.uint64(31))
    return torch.from_numpy((x >> np.uint64(11)).astype(np.float64) * 2.0**-53)



_BLOCK = 256


def _invert_cdf(weights: torch.Tensor, uniforms: torch.Tensor) -> torch.Tensor:
    """Per row, the first index where the cumulative sum of ``weights`` (>= 0) exceeds ``u * total``.

    Two levels, so that only one pass over the vocabulary is summed: float64 sums of blocks of 256
    weights locate the block, then a float64 cumulative sum inside that block locates the token.
    """
    rows, size = weights.shape
    if size % _BLOCK:
        weights = torch.nn.functional.pad(weights, (0, _BLOCK - size % _BLOCK))
    blocks = weights.view(rows, -1, _BLOCK)
    sums = blocks.sum(dim=-1, dtype=torch.float64)
    cdf = sums.cumsum(dim=-1)
    target = (uniforms.to(cdf.device) * cdf[:, -1]).unsqueeze(-1)
    block = torch.searchsorted(cdf, target, right=True).clamp_(max=cdf.shape[1] - 1)
    before = cdf.gather(1, block) - sums.gather(1, block)
    chosen = blocks[torch.arange(rows, device=weights.device), block.squeeze(1)]
    inner = torch.searchsorted(chosen.cumsum(dim=-1, dtype=torch.float64) + before, target, right=True)
    inner = inner.clamp_(max=_BLOCK - 1)
    # rounding can leave the target a hair past a block's last token: take its last non-zero weight
    last = _BLOCK - 1 - (chosen > 0).flip(-1).int().argmax(dim=-1, keepdim=True)
    inner = torch.where(chosen.gather(1, inner) > 0, inner, last)
    return (block * _BLOCK + inner).squeeze(1)


def sample_tokens(logits: torch.Tensor, uniforms: torch.Tensor, temperature: float = 1.0,
                  top_p: float = 1.0) -> torch.Tensor:
    """Draw one token per row of ``logits`` by inverting its cumulative distribution.

    The distribution is ``softmax(logits / temperature)``, cut to the smallest set of most likely
    tokens whose mass reaches ``top_p`` (as transformers' ``TopPLogitsWarper``); row ``i`` takes
    the token where the cumulative probability first exceeds ``uniforms[i]``. Exact categorical
    sampling, with one random number per token, so the draws can come from per-sample streams.

    Args:
        logits: ``[rows, vocab]``.
        uniforms: ``[rows]`` numbers in [0, 1).
        temperature: 0 takes the argmax (greedy decoding).
        top_p: nucleus mass in (0, 1]; 1 skips the sort.

    Returns:
        ``[rows]`` token ids.

    >>> logits = torch.tensor([[0.0, 2.0, 0.0]])  # probabilities 0.107, 0.787, 0.107
    >>> [sample_tokens(logits, torch.tensor([u])).item() for u in (0.05, 0.5, 0.95)]
    [0, 1, 2]
    """
    if temperature == 0:
        return logits.argmax(dim=-1)
    if top_p >= 1:  # unnormalised weights exp((x - max) / T): three passes over the vocabulary
        weights = logits.float() - logits.max(dim=-1, keepdim=True).values.float()
        if temperature != 1:
            weights.mul_(1.0 / temperature)
        return _invert_cdf(weights.exp_(), uniforms)
    ordered, order = (logits.float() / temperature).sort(dim=-1, descending=True)
    probs = torch.softmax(ordered, dim=-1)
    probs = probs * ((probs.cumsum(dim=-1) - probs) < top_p)
    return order.gather(-1, _invert_cdf(probs, uniforms).unsqueeze(-1)).squeeze(-1)
