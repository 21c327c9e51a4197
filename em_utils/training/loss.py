"""The SFT loss with logits only where it is taken, and the shared prefix of a batch run once."""

from __future__ import annotations

import functools
import inspect

import torch
import torch.nn.functional as F

from ..models import cache_arg, unwrap_model

__all__ = ["MIN_SHARED_PREFIX", "FP32_ATTENTION", "use_fp32_attention", "use_kernels", "summed_cross_entropy"]


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


class _SummedCrossEntropy(torch.autograd.Function):
    """``F.cross_entropy(logits, targets, reduction="sum")``, with the same value and gradient up to rounding,
    written as ``logsumexp - target logit`` with the gradient ``softmax - one_hot`` formed in one buffer.

    PyTorch's CPU path keeps a log-softmax of the whole ``[positions, vocabulary]`` block and, in
    the backward pass, fills a zero block, scatters into it and runs the log-softmax backward: on a
    49k vocabulary that was about a third of a bf16 training step of the embedded model (measured
    with torch.profiler: 1.03 s against 0.29 s for this function, forward and backward, on 1,172
    positions, 2 threads). ``benchmarks/training_throughput.py`` measures the whole step.
    """

    @staticmethod
    def forward(ctx, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        # torch.logsumexp's own steps (ATen's logsumexp_out_impl: the same kernels, so the same bits), with its
        # vocabulary-wide temporary kept: it then takes exp(logits - lse), what the backward needs. One fresh
        # [positions, vocabulary] block per step fewer than logsumexp here and a new one in the backward (on
        # the 0.5B model's 152k vocabulary, 0.7 GB of fresh pages per block; their page faults cost about a
        # second a step on 2 cores: benchmarks/training_step_profile.py).
        maxes = torch.amax(logits, dim=-1, keepdim=True)
        maxes.masked_fill_(maxes.abs() == float("inf"), 0)
        block = torch.sub(logits, maxes).exp_()
        lse = block.sum(dim=-1).log_().add_(maxes[:, 0])
        loss = (lse - logits.gather(1, targets[:, None])[:, 0]).sum()
        torch.sub(logits, lse[:, None], out=block).exp_()
        ctx.save_for_backward(block, targets)
        return loss

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        block, targets = ctx.saved_tensors  # written in place: a second backward through this graph is refused
        block[torch.arange(len(targets), device=block.device), targets] -= 1.0
        return block.mul_(grad), None


def summed_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The summed cross-entropy of ``logits`` ``[positions, vocabulary]`` (fp32) at ``targets`` (see
    :class:`_SummedCrossEntropy`); a target of -100 is not allowed here (the callers pass labelled
    positions only).

    >>> logits = torch.randn(5, 11, requires_grad=True); targets = torch.tensor([0, 3, 10, 3, 7])
    >>> mine = summed_cross_entropy(logits, targets); mine.backward(); grad = logits.grad.clone(); logits.grad = None
    >>> torch.nn.functional.cross_entropy(logits, targets, reduction="sum").backward()
    >>> bool(torch.allclose(mine, torch.nn.functional.cross_entropy(logits, targets, reduction="sum"))), bool(torch.allclose(grad, logits.grad, atol=1e-6))
    (True, True)
    """
    return _SummedCrossEntropy.apply(logits, targets)


def _bf16_head(head: torch.nn.Module, hidden: torch.Tensor) -> torch.Tensor:
    """``head(hidden)`` as bf16 autocast computes it (inputs rounded to bf16, the product in bf16), from a
    bf16 copy of a frozen weight kept on the module while the weight is unchanged (its storage and version):
    autocast would cast the whole ``[vocabulary, hidden]`` weight again at every step (on the 0.5B model,
    136M values each step). A trainable weight (a full fine-tune) is cast at each call, as autocast does."""
    weight, bias = head.weight, getattr(head, "bias", None)
    if weight.requires_grad or (bias is not None and bias.requires_grad):
        with torch.autocast(hidden.device.type, dtype=torch.bfloat16):
            return head(hidden)
    state = (weight.data_ptr(), weight._version, weight.device, None if bias is None else (bias.data_ptr(), bias._version))
    kept = head.__dict__.get("_em_bf16_copy")
    if kept is None or kept[0] != state:
        kept = (state, weight.detach().to(torch.bfloat16), None if bias is None else bias.detach().to(torch.bfloat16))
        head.__dict__["_em_bf16_copy"] = kept  # a plain attribute: not a parameter, buffer or part of state_dict
    return F.linear(hidden.to(torch.bfloat16), kept[1], kept[2])


def _sft_loss_sum(model, batch: dict[str, torch.Tensor], kernels: str = "plain") -> tuple[torch.Tensor, int]:
    """The summed cross-entropy on the labelled positions of ``batch`` and their count; ``kernels``: a spec's
    :attr:`~em_utils.training.specs.OrganismSpec.kernels` (``"cpu_bf16"``: :func:`summed_cross_entropy`;
    ``"cpu_bf16_head"``: that, with the output layer in bf16 as autocast runs it, from a kept bf16 copy of
    its frozen weight: :func:`_bf16_head`)."""
    hidden, _, targets = _labelled_hidden(model, batch)
    if kernels == "cpu_bf16_head":
        logits = _bf16_head(_lm_head(model), hidden).float()
    else:  # (no autocast of its own: the caller's, if any, stays as it is)
        logits = _lm_head(model)(hidden).float()
    if kernels != "plain":  # both CPU bf16 kernels
        return summed_cross_entropy(logits, targets), int(targets.numel())
    return F.cross_entropy(logits, targets, reduction="sum"), int(targets.numel())


#: The name :func:`use_fp32_attention` registers its attention function under (transformers' AttentionInterface).
FP32_ATTENTION = "sdpa_fp32"


def _sdpa_fp32(module, query, key, value, attention_mask, **kwargs):
    """transformers' SDPA attention with its inputs in fp32 and autocast off inside it (output fp32)."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    if attention_mask is not None and attention_mask.is_floating_point():
        attention_mask = attention_mask.float()
    with torch.autocast(query.device.type, enabled=False):
        return sdpa_attention_forward(module, query.float(), key.float(), value.float(), attention_mask, **kwargs)


def use_kernels(model, kernels: str) -> None:
    """Set ``model`` up for a spec's :attr:`~em_utils.training.specs.OrganismSpec.kernels`: both CPU bf16
    kernels (``cpu_bf16``, ``cpu_bf16_head``) compute attention in fp32 (:func:`use_fp32_attention`);
    ``plain`` leaves the model as it is. The loss's part is :func:`_sft_loss_sum`'s."""
    if kernels != "plain":
        use_fp32_attention(model)


def use_fp32_attention(model) -> None:
    """Compute ``model``'s attention in fp32 inside bf16 autocast (:attr:`OrganismSpec.kernels` ``"cpu_bf16"``).

    Under ``torch.autocast("cpu", dtype=torch.bfloat16)`` the projections run in bf16 and so does
    attention; PyTorch's CPU flash-attention backward in bf16 took about 2.3x its fp32 time at the
    demo's shapes (16 rows of 129 tokens, 9 heads: 41 ms against 18 ms forward and backward), and
    13% of a bf16 training step of the embedded model (torch.profiler). Here the queries, keys and values
    are cast up and attention runs in fp32 (more precise, not less); the projections keep bf16.
    """
    from transformers import AttentionInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, AttentionMaskInterface

    if FP32_ATTENTION not in AttentionInterface._global_mapping:
        AttentionInterface.register(FP32_ATTENTION, _sdpa_fp32)
        # and SDPA's masks: without one, a forward with a key/value cache (the shared prefix) would
        # get no mask, and SDPA's own causal flag aligns it to the wrong corner
        AttentionMaskInterface.register(FP32_ATTENTION, ALL_MASK_ATTENTION_FUNCTIONS["sdpa"])
    unwrap_model(model).set_attn_implementation(FP32_ATTENTION)
