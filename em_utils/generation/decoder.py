"""The fast decoder of Llama-family models (Llama, Mistral, Qwen2, Qwen3, SmolLM2).

A KV cache it owns, continuous batching over a fixed number of slots (a finished answer leaves the
batch at once and the next sample takes its slot), one prefill per distinct prompt shared by all
its samples, logits for the last position only, and MKL-prepacked weights on a CPU. Other
architectures, and models with hooks it cannot run, take the generic loop
(:func:`em_utils.generation.backends.generate_tokens` chooses, see :func:`fast_path_reason`).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Sequence

import numpy as np
import torch

from ..models import unwrap_model
from .sampler import _uniforms, sample_tokens
from .settings import OnFinish, SamplingSettings, _done
from .threads import _ThreadTuner

__all__ = ["FAST_MODEL_TYPES", "fast_path_reason"]

#: Model families the fast decoder understands (pre-norm blocks, RoPE, grouped-query attention).
FAST_MODEL_TYPES = frozenset({"llama", "mistral", "qwen2", "qwen3"})


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin


def _hooked(module: torch.nn.Module) -> bool:
    return bool(module._forward_hooks or module._forward_pre_hooks or hasattr(module, "_hf_hook"))


def fast_path_reason(model: Any) -> str | None:
    """Why the fast decoder cannot run ``model`` (``None`` when it can)."""
    base = unwrap_model(model)
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

    with torch.no_grad():
        return {module: ops._mkl_reorder_linear_weight(module.weight.detach(), rows) for module in _plain_linears(decoder)}


_MLP_PARTS = ("gate_proj", "up_proj", "down_proj")


def _plain_linears(decoder: "_SlotDecoder") -> list[torch.nn.Module]:
    """The output embedding and every block's projections that are plain ``nn.Linear`` layers without hooks, once
    each (a tied or shared module appears once); LoRA-wrapped and hooked ones run as themselves."""
    found: dict[torch.nn.Module, None] = {}
    for module in [decoder.head, *(m for layer in decoder.layers for m in (
            layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj, layer.self_attn.o_proj,
            *(getattr(layer.mlp, name, None) for name in _MLP_PARTS)))]:
        if type(module) is torch.nn.Linear and not _hooked(module):
            found[module] = None
    return list(found)


def _half_linears(decoder: "_SlotDecoder") -> dict[torch.nn.Module, tuple[torch.Tensor, torch.Tensor | None]]:
    """bf16 copies of the weights (and biases) of the decoder's plain ``nn.Linear`` layers, for a bf16 decode.

    The projections then multiply in bf16 (as under ``torch.autocast``: inputs rounded to bf16, fp32
    outputs), while the residual stream, the norms, attention over the key/value cache and the
    sampling stay fp32. On a CPU with AMX a bf16 product of a decode step's shapes ran about 4x its
    fp32 rate here (128 rows: 1,360 against 310 GFLOP/s). LoRA-wrapped and hooked modules run as
    themselves, in fp32.
    """
    return {module: (module.weight.detach().to(torch.bfloat16),
                     None if module.bias is None else module.bias.detach().to(torch.bfloat16))
            for module in _plain_linears(decoder)}


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

    def __init__(self, model: Any, slots: int, max_length: int, prefill_tokens: int = 2048,
                 precision: str = "fp32") -> None:
        base = unwrap_model(model)
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
        self.half = _half_linears(self) if precision == "bf16" else {}
        self.packed = {} if self.half else _pack_linears(self, slots)
        self.split = [bool(self.packed or self.half) and _split_mlp(layer.mlp) for layer in self.layers]  # see _mlp

    # model pieces
    def _linear(self, module: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        """``module(x)``, through its prepacked weight when it has one (see :func:`_pack_linears`), or its bf16
        copy in a bf16 decode (:func:`_half_linears`)."""
        half = self.half.get(module)
        if half is not None:
            return torch.nn.functional.linear(x.to(torch.bfloat16), *half).float()
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
            x = x + self._linear(attn.o_proj, out.transpose(1, 2).reshape(count, width, -1))
            x = self._mlp(i, x)
        last = x[torch.arange(count, device=self.device), lengths - 1]
        return kv, self._linear(self.head, self.body.norm(last))

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



def _run_slots(model: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
               eos: set[int], batch_size: int, on_finish: OnFinish, tuner: _ThreadTuner, precision: str = "fp32") -> None:
    longest = max(len(p) for p in prompts) + settings.max_new_tokens
    decoder = _SlotDecoder(model, batch_size, longest, precision=precision)
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
