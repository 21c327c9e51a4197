"""The SFT loss with logits only where it is taken, and the shared prefix of a batch run once."""

from __future__ import annotations

import functools
import inspect

import torch
import torch.nn.functional as F

from ..models import cache_arg, unwrap_model

__all__ = ["MIN_SHARED_PREFIX"]


def _lm_head(model):
    return unwrap_model(model).get_output_embeddings()


def _one_logit(lm) -> dict[str, int]:
    """The keyword that makes a causal LM's head run on the last position only, where it has one."""
    return {"logits_to_keep": 1} if _takes_logits_to_keep(type(lm)) else {}


@functools.lru_cache(maxsize=None)
def _takes_logits_to_keep(cls: type) -> bool:
    return "logits_to_keep" in inspect.signature(cls.forward).parameters


def _attention_mask(mask: torch.Tensor) -> torch.Tensor | None:
    """``None`` for a right-padded batch (every row's ones come first), else ``mask`` itself.

    With right padding the causal mask alone keeps every real token from seeing a pad (pads come
    after it) and positions count from 0 in every row, so the explicit padding mask changes no real
    position's output; without it the attention kernels take their faster causal-only path (about
    3% of a rank-1 training step on the embedded model, CPU). Outputs at pad positions differ, and
    are never used.
    """
    return None if bool((mask[:, 1:] <= mask[:, :-1]).all()) else mask


#: The shortest prefix, shared by every row of a batch, that :func:`_labelled_hidden` runs once.
MIN_SHARED_PREFIX = 8


def _shared_prefix(batch: dict[str, torch.Tensor]) -> int:
    """Length of the token prefix that every row of ``batch`` shares and no loss is taken on.

    Chat-templated rows start alike (the system prompt, the user header): with the same ids, the
    same positions and a causal mask, every row's states there are equal, so they can be computed
    once. Capped one short of the first labelled token (the state before it predicts it) and of the
    row end; 0 when shorter than :data:`MIN_SHARED_PREFIX`, for one row, or with a padding mask.
    """
    ids, labels, mask = batch["input_ids"], batch["labels"], batch["attention_mask"]
    if ids.shape[0] < 2 or _attention_mask(mask) is not None:
        return 0
    same = ((ids == ids[:1]) & mask.bool()).all(dim=0)
    length = int(same.long().cumprod(dim=0).sum())
    labelled = (labels != -100).any(dim=0)
    first = int(labelled.long().argmax()) if bool(labelled.any()) else ids.shape[1]
    length = min(length, first - 1, ids.shape[1] - 1)
    return length if length >= MIN_SHARED_PREFIX else 0


def _prefix_cache(body, prefix: torch.Tensor, rows: int):
    """The body's key/value cache of one copy of ``prefix``, repeated for ``rows`` rows, or None."""
    cache = getattr(body(input_ids=prefix, use_cache=True), cache_arg(), None)
    if cache is None or not hasattr(cache, "batch_repeat_interleave"):
        return None
    cache.batch_repeat_interleave(rows)
    return cache


def _labelled_hidden(model, batch: dict[str, torch.Tensor]):
    """Final hidden states at the positions whose next token is labelled, and those targets.

    The forward pass goes through ``model`` itself, the outermost wrapper (PEFT, and under a
    distributed launch DDP, which synchronises the gradients of a forward that passes through it
    only), with the LM head on one position; the body's output is taken by a hook, so the loss can
    run the head on the labelled positions alone. The prefix that every row shares
    (:func:`_shared_prefix`: the system prompt and user header of a chat template, about a fifth of
    the demo's tokens) runs once, for one row, and enters the batch's forward as its key/value
    cache; gradients flow through the cache into the prefix's pass, so the loss and its gradient
    are those of the plain forward, up to rounding.
    """
    lm = unwrap_model(model)
    body = getattr(lm, lm.base_model_prefix)
    ids = batch["input_ids"]
    start = 0 if getattr(body, "gradient_checkpointing", False) else _shared_prefix(batch)  # it drops caches
    cache = _prefix_cache(body, ids[:1, :start], ids.shape[0]) if start else None
    start = start if cache is not None else 0
    captured: list[torch.Tensor] = []
    handle = body.register_forward_hook(lambda module, args, output: captured.append(output.last_hidden_state))
    try:
        if cache is not None:
            model(input_ids=ids[:, start:], use_cache=True, **{cache_arg(): cache}, **_one_logit(lm))
        else:
            model(input_ids=ids, attention_mask=_attention_mask(batch["attention_mask"]), use_cache=False,
                  **_one_logit(lm))
    finally:
        handle.remove()
    hidden = captured[-1]
    targets = batch["labels"][:, 1:]
    keep = targets != -100  # no target before ``start`` (see _shared_prefix): same order either way
    return hidden[:, :-1][keep[:, start:]], keep, targets[keep]


def _sft_loss_sum(model, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
    hidden, _, targets = _labelled_hidden(model, batch)
    logits = _lm_head(model)(hidden).float()
    return F.cross_entropy(logits, targets, reduction="sum"), int(targets.numel())
