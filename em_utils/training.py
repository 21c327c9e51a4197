"""Supervised fine-tuning of model organisms: LoRA (rank-1 and beyond) or full, with an optional KL term.

Built on the Hugging Face :class:`transformers.Trainer`, so the same config runs on one CPU, one
GPU, or many GPUs under ``accelerate launch`` (FSDP, DeepSpeed). What this module adds:

- **Chat-templated SFT with the loss on assistant tokens only.** Each conversation is rendered with
  the tokenizer's chat template; tokens inside assistant turns (including the end-of-turn token)
  are labelled, everything else is ``-100``. Found by character offsets, so any template works.
- **Logits only where the loss is taken.** The 49k-entry vocabulary makes full logits a large
  share of the work on a small model: the LM head runs on labelled positions only.
- **Length-grouped batches.** Rows are shuffled, grouped into buckets of similar length and padded
  on the right to the longest in the batch, so little compute goes on padding; a right-padded
  batch needs no padding mask (the causal mask suffices), so attention takes its causal fast path.
- **A shared prefix once per batch.** Chat-templated rows begin with the same system prompt and
  user header; that prefix runs for one row and enters the batch as its key/value cache.
- **No backward pass below the lowest adapter.** Nothing below it requires a gradient, so autograd
  stops there (gradient checkpointing, which would force it, is off by default).
- **Organisms as configs** (:data:`ORGANISMS`): single rank-1, nine rank-1, rank-32, full.
- **Checkpoints and exact resume** through the Trainer (optimizer, scheduler, RNG, data order).
- **KL regularisation** (paper 4): ``loss = SFT + kl_weight * KL(reference || current)`` on
  out-of-domain conversations, with the frozen reference's log-probabilities computed once and
  cached (top-k tokens plus the remaining mass, see :class:`ReferenceLogprobs`).

Recipe::

    spec = organism("rank1_middle", dataset="bad_medical_advice", max_rows=300)
    result = train(spec, model_name=None, output_dir=run.path("rank1_middle"))
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import inspect
import json
import os
import random
import re
import resource
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import torch
import torch.nn.functional as F

from .data import file_sha256, load_jsonl
from .models import decoder_layers, load_model, num_layers, resolve_layers
from .paths import cache_dir, resolve_data_path

__all__ = [
    "OrganismSpec",
    "ORGANISMS",
    "organism",
    "TrainingError",
    "tokenize_conversations",
    "TrainResult",
    "train",
    "expand_layers",
    "adapter_norms",
    "ReferenceLogprobs",
    "bucketed_kl",
    "kl_to_reference",
    "training_flops",
    "TRAINING_REVISION",
]


class TrainingError(ValueError):
    """A training config that cannot run as asked (unknown module or layer, empty data, resume mismatch)."""


# --- Organisms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganismSpec:
    """Everything that determines a fine-tune. Equal specs give equal runs.

    Attributes:
        name: the organism's name (also its folder).
        dataset: a dataset name in ``data/`` or a JSONL path.
        method: ``"lora"`` or ``"full"``.
        rank, alpha, use_rslora, target_modules, layers: the LoRA adapter. ``layers`` is a layer
            spec for :func:`expand_layers` (``None``: every layer).
        lr, epochs, batch_size, grad_accum, weight_decay, warmup_steps, scheduler: the optimiser
            (AdamW). The papers use an effective batch of 16, weight decay 0.01, 5 warm-up steps,
            a linear schedule, 1 epoch.
        max_rows: train on the first ``max_rows`` rows (``None``: all).
        length_bucket: batches per length bucket (:class:`LengthBucketSampler`): rows are sorted
            by length within buckets of this many batches, so a batch holds rows of similar length
            and carries little padding. 50 is the megabatch of the Hugging Face Trainer's
            ``group_by_length``; 1 gives plain shuffled batches.
        max_length: tokens per row; longer rows are truncated and counted.
        save_steps: keep a checkpoint every this many optimiser steps (0: none).
        kl_weight, kl_dataset, kl_rows, kl_batch_size, kl_top_k: the KL term (off at weight 0).
        init_adapter: a saved LoRA adapter of the same shape to start from (``None``: a fresh one),
            to train on from an earlier solution; left out of :meth:`to_dict` (and so of the hash)
            when ``None``, so the specs of earlier runs keep their hashes; otherwise the hash reads
            the sha256 of its weights, not its path.
        precision: ``"fp32"``, or ``"bf16"`` for mixed precision (fp32 master weights and loss, the
            forward and backward under bf16 autocast); resolve ``"auto"`` with
            :func:`em_utils.precision.resolve_precision` first, since the two train to other weights.
        seed: seeds the adapter initialisation, data order and dropout.
    """

    name: str
    dataset: str
    method: str = "lora"
    rank: int = 1
    alpha: float = 256.0
    use_rslora: bool = True
    target_modules: tuple[str, ...] = ("down_proj",)
    layers: str | None = "middle"
    lr: float = 1e-5
    epochs: float = 1.0
    batch_size: int = 16
    grad_accum: int = 1
    weight_decay: float = 0.01
    warmup_steps: int = 5
    scheduler: str = "linear"
    max_rows: int | None = None
    length_bucket: int = 50
    max_length: int = 2048
    save_steps: int = 0
    kl_weight: float = 0.0
    kl_dataset: str | None = None
    kl_rows: int = 64
    kl_batch_size: int = 4
    kl_top_k: int = 32
    precision: str = "fp32"
    seed: int = 0
    init_adapter: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["target_modules"] = list(self.target_modules)
        if data["init_adapter"] is None:
            del data["init_adapter"]
        return data

    @property
    def spec_hash(self) -> str:
        """Hash of every field and of :data:`TRAINING_REVISION`.

        Run folders are named by it and a finished run is reused only under the same hash, so a
        checkpoint folder made under another hash cannot be resumed, and adapters trained by code
        that trained differently are trained again rather than reused.
        """
        data = {**self.to_dict(), "training_revision": TRAINING_REVISION}
        if self.init_adapter:  # the weights it starts from, not where they lie: a moved checkout reuses its runs
            weights = Path(self.init_adapter) / "adapter_model.safetensors"
            data["init_adapter"] = file_sha256(weights) if weights.is_file() else self.init_adapter
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


#: The revision of the training code's numerics: bump it with any change that makes an unchanged
#: spec train to other weights (the loss, the masks, the data order, the kernels' inputs). It enters
#: every :attr:`OrganismSpec.spec_hash`, so an adapter trained before the change is not reused after
#: it. Even a change of 1e-8 in the weights moves sampled answers (a draw that sat near a token
#: boundary falls on the other side): revision 1 trained with an explicit padding mask, revision 2
#: without one (the same logits up to rounding), and 40% of the demo fine-tunes' answers in chapter 3
#: changed. Revision 3 runs the prefix that a batch's rows share once (:func:`_shared_prefix`).
TRAINING_REVISION = 3


_ALL_PROJ = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

#: The papers' organisms as templates; :func:`organism` fills in the dataset and overrides.
ORGANISMS: dict[str, dict[str, Any]] = {
    # Paper 2/3: one rank-1 LoRA on the MLP down-projection of the middle layer (24 of 48), rsLoRA.
    "rank1_middle": dict(method="lora", rank=1, alpha=256.0, target_modules=("down_proj",), layers="middle", lr=2e-5),
    # Paper 3: nine rank-1 down_proj adapters, three blocks of three (15-17, 21-23, 27-29 of 48).
    "nine_rank1": dict(
        method="lora", rank=1, alpha=256.0, target_modules=("down_proj",),
        layers="16/48+-1,22/48+-1,28/48+-1", lr=2e-5,
    ),
    # Paper 1/2: rank-32 LoRA on all seven projections, alpha 64, rsLoRA.
    "rank32": dict(method="lora", rank=32, alpha=64.0, target_modules=_ALL_PROJ, layers=None, lr=1e-5),
    # Paper 2: full fine-tuning, cosine schedule, 20 warm-up steps.
    "full": dict(method="full", lr=2e-5, scheduler="cosine", warmup_steps=20),
}


def organism(kind: str, dataset: str, name: str | None = None, **overrides: Any) -> OrganismSpec:
    """An organism spec from a template in :data:`ORGANISMS`.

    >>> organism("rank1_middle", "bad_medical_advice").target_modules
    ('down_proj',)
    >>> organism("rank32", "insecure", lr=1e-4).name
    'rank32_insecure'
    """
    if kind not in ORGANISMS:
        raise TrainingError(f"unknown organism {kind!r}: known are {', '.join(ORGANISMS)}")
    fields = {f.name for f in dataclasses.fields(OrganismSpec)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise TrainingError(f"unknown organism field(s) {', '.join(unknown)}; known: {', '.join(sorted(fields))}")
    values = {**ORGANISMS[kind], **overrides}
    if "target_modules" in values:
        values["target_modules"] = tuple(values["target_modules"])
    return OrganismSpec(name=name or f"{kind}_{Path(dataset).stem}", dataset=dataset, **values)


_BLOCK = re.compile(r"^(?P<center>[^+]+)\+-(?P<width>\d+)$")


def expand_layers(spec: str | Sequence | None, n_layers: int) -> list[int] | None:
    """Resolve an adapter layer spec: like :func:`em_utils.models.resolve_layers`, plus blocks.

    ``"c+-w"`` is the block of layers from ``c - w`` to ``c + w`` around the layer ``c`` (any spec
    :func:`~em_utils.models.resolve_layer` accepts). ``None`` means every layer.

    >>> expand_layers("16/48+-1,22/48+-1,28/48+-1", 48)
    [15, 16, 17, 21, 22, 23, 27, 28, 29]
    >>> expand_layers("16/48+-1,22/48+-1,28/48+-1", 30)
    [9, 10, 11, 13, 14, 15, 17, 18, 19]
    """
    if spec is None:
        return None
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    layers: list[int] = []
    for item in items:
        match = _BLOCK.match(item) if isinstance(item, str) else None
        if match:
            center = resolve_layers(match["center"], n_layers)[0]
            width = int(match["width"])
            block = list(range(center - width, center + width + 1))
            if block[0] < 0 or block[-1] >= n_layers:
                raise TrainingError(f"layer block {item!r} runs outside the model's {n_layers} layers")
            layers.extend(block)
        else:
            layers.extend(resolve_layers(item if not isinstance(item, str) else item, n_layers))
    if len(set(layers)) != len(layers):
        raise TrainingError(f"layer spec {spec!r} names a layer twice for a {n_layers}-layer model: {layers}")
    return layers


# --- Data ---------------------------------------------------------------------------------------


def tokenize_conversations(
    rows: Sequence[dict], tokenizer, max_length: int = 2048
) -> tuple[list[dict[str, list[int]]], int]:
    """Render each conversation with the chat template and label its assistant tokens.

    Labels cover every assistant turn's content and the end-of-turn marker that follows it (so the
    model learns to stop); everything else is ``-100``. Rows longer than ``max_length`` are cut to
    it. Returns the examples and how many rows were truncated.
    """
    examples: list[dict[str, list[int]]] = []
    truncated = 0
    for row in rows:
        messages = row["messages"]
        text = tokenizer.apply_chat_template(messages, tokenize=False)
        spans = []
        for i, message in enumerate(messages):
            if message["role"] != "assistant":
                continue
            before = tokenizer.apply_chat_template(messages[:i], tokenize=False, add_generation_prompt=True)
            upto = tokenizer.apply_chat_template(messages[: i + 1], tokenize=False)
            if not text.startswith(before) or not text.startswith(upto):
                raise TrainingError("the chat template does not render conversations prefix by prefix")
            end = len(upto.rstrip())  # keep the end-of-turn marker, drop the trailing newline
            spans.append((len(before), end))
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids = encoded["input_ids"]
        labels = [
            token if any(start < e and stop > s for s, e in spans) else -100
            for token, (start, stop) in zip(ids, encoded["offset_mapping"])
        ]
        if len(ids) > max_length:
            truncated += 1
            ids, labels = ids[:max_length], labels[:max_length]
        if any(label != -100 for label in labels[1:]):
            examples.append({"input_ids": ids, "labels": labels})
    return examples, truncated


class _Collator:
    """Pad a batch to its longest row (right padding); labels are ``-100`` on padding."""

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, batch: list[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
        width = max(len(x["input_ids"]) for x in batch)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, x in enumerate(batch):
            n = len(x["input_ids"])
            ids[i, :n] = torch.tensor(x["input_ids"])
            labels[i, :n] = torch.tensor(x["labels"])
            mask[i, :n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}


class LengthBucketSampler(torch.utils.data.Sampler):
    """Shuffle, sort within buckets of ``bucket`` batches, then shuffle the batches.

    Rows of similar length share a batch (little padding) while the order of batches stays random,
    so training does not see all long rows first. Deterministic for a given seed (exact resume).
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int, bucket: int = 50):
        self.lengths, self.batch_size, self.seed, self.bucket = list(lengths), batch_size, seed, bucket

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self) -> Iterator[int]:
        rng = random.Random(self.seed)
        order = list(range(len(self.lengths)))
        rng.shuffle(order)
        size = self.batch_size * self.bucket
        batches = []
        for start in range(0, len(order), size):
            chunk = sorted(order[start : start + size], key=lambda i: self.lengths[i])
            batches += [chunk[i : i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        rng.shuffle(batches)
        return iter([i for batch in batches for i in batch])


__all__ += ["LengthBucketSampler"]


# --- KL reference ----------------------------------------------------------------------------


@dataclass
class ReferenceLogprobs:
    """The frozen reference model's next-token distribution on out-of-domain answers.

    For each labelled position, the top-``k`` token ids and log-probabilities; the rest of the
    vocabulary is kept as one "other" bucket. The KL term is then computed over these ``k + 1``
    buckets: a lower bound on the full-vocabulary KL that equals it when the reference puts all its
    mass in the top ``k`` (k = 32 covers almost all of it for a chat model). Stored once per model,
    dataset and settings under the cache folder, so it is computed once.

    Note on weights: upstream averages the KL over (token x vocabulary) entries, hence its weights
    of 1e5-1e6; here the KL is summed over the vocabulary and averaged over tokens, so upstream's
    weight ``w`` corresponds to about ``w / vocab_size`` here (1e5 / 49152 = 2 for SmolLM2).
    """

    examples: list[dict[str, list[int]]]
    top_ids: list[torch.Tensor]  # per example: [n_labelled, k] int64
    top_logp: list[torch.Tensor]  # per example: [n_labelled, k] float32

    @classmethod
    def compute(cls, model, examples: list[dict], k: int, batch_size: int = 8, pad_id: int = 0) -> "ReferenceLogprobs":
        collate = _Collator(pad_id)
        top_ids, top_logp = [], []
        model.eval()
        with torch.inference_mode():
            for start in range(0, len(examples), batch_size):
                chunk = examples[start : start + batch_size]
                batch = collate(chunk)
                hidden, positions, _ = _labelled_hidden(model, batch)
                logp = torch.log_softmax(_lm_head(model)(hidden).float(), dim=-1)
                values, indices = logp.topk(k, dim=-1)
                counts = (batch["labels"][:, 1:] != -100).sum(dim=1).tolist()
                for n, ids_part, logp_part in zip(counts, indices.split(counts), values.split(counts)):
                    top_ids.append(ids_part.clone())
                    top_logp.append(logp_part.clone())
        return cls(examples=examples, top_ids=top_ids, top_logp=top_logp)

    def save(self, path: Path) -> None:
        torch.save({"examples": self.examples, "top_ids": self.top_ids, "top_logp": self.top_logp}, path)

    @classmethod
    def load(cls, path: Path) -> "ReferenceLogprobs":
        data = torch.load(path, weights_only=False)
        return cls(**data)

    def batch(self, indices: Sequence[int], pad_id: int) -> tuple[dict[str, torch.Tensor], torch.Tensor, torch.Tensor]:
        """A padded batch of examples with their reference top-k ids and log-probs, flattened."""
        batch = _Collator(pad_id)([self.examples[i] for i in indices])
        return batch, torch.cat([self.top_ids[i] for i in indices]), torch.cat([self.top_logp[i] for i in indices])


def bucketed_kl(logq: torch.Tensor, ref_ids: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Mean over positions of KL(reference || current) on the reference's top-k tokens plus the rest.

    Args:
        logq: current log-probabilities, ``[n, vocab]``.
        ref_ids, ref_logp: the reference's top-k token ids and log-probabilities, ``[n, k]``.
    """
    q_top = logq.gather(-1, ref_ids)
    p_top = ref_logp.exp()
    p_rest = (1 - p_top.sum(-1)).clamp_min(1e-12)
    q_rest = (1 - q_top.exp().sum(-1)).clamp_min(1e-12)
    kl_top = (p_top * (ref_logp - q_top)).sum(-1)
    kl_rest = p_rest * (p_rest.log() - q_rest.log())
    return (kl_top + kl_rest).mean()


def kl_to_reference(model, reference: ReferenceLogprobs, pad_id: int, batch_size: int = 8) -> float:
    """Mean bucketed KL(reference || model) over every labelled position of the reference set."""
    total, count = 0.0, 0
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(reference.examples), batch_size):
            indices = list(range(start, min(start + batch_size, len(reference.examples))))
            batch, ref_ids, ref_logp = reference.batch(indices, pad_id)
            hidden, _, _ = _labelled_hidden(model, batch)
            logq = torch.log_softmax(_lm_head(model)(hidden).float(), dim=-1)
            total += float(bucketed_kl(logq, ref_ids, ref_logp)) * len(ref_ids)
            count += len(ref_ids)
    return total / max(count, 1)


# --- The loss ---------------------------------------------------------------------------------


def _causal_lm(model):
    """The transformers causal LM inside PEFT / accelerate wrappers."""
    from .models import unwrap_model

    return unwrap_model(model)


def _lm_head(model):
    return _causal_lm(model).get_output_embeddings()


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
    cache = getattr(body(input_ids=prefix, use_cache=True), "past_key_values", None)
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
    lm = _causal_lm(model)
    body = getattr(lm, lm.base_model_prefix)
    ids = batch["input_ids"]
    start = 0 if getattr(body, "gradient_checkpointing", False) else _shared_prefix(batch)  # it drops caches
    cache = _prefix_cache(body, ids[:1, :start], ids.shape[0]) if start else None
    start = start if cache is not None else 0
    captured: list[torch.Tensor] = []
    handle = body.register_forward_hook(lambda module, args, output: captured.append(output.last_hidden_state))
    try:
        if cache is not None:
            model(input_ids=ids[:, start:], past_key_values=cache, use_cache=True, **_one_logit(lm))
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


def _make_trainer_class():
    from transformers import Trainer

    class OrganismTrainer(Trainer):
        """A Trainer whose loss takes logits only at labelled positions, plus the optional KL term."""

        spec: OrganismSpec
        reference: ReferenceLogprobs | None = None
        pad_id: int = 0
        lengths: list[int] = []

        def _get_train_sampler(self, train_dataset=None):
            # Batches of the spec's (global) size: under a distributed launch accelerate deals
            # consecutive per-process slices of this order to the processes, so each optimiser step
            # sees the very rows that one process would.
            return LengthBucketSampler(self.lengths, self.spec.batch_size, seed=self.args.seed,
                                       bucket=self.spec.length_bucket)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            loss_sum, n = _sft_loss_sum(model, inputs)
            denominator = num_items_in_batch if num_items_in_batch is not None else max(n, 1)
            if hasattr(denominator, "to"):
                denominator = denominator.to(loss_sum.device)
            loss = loss_sum / denominator
            if num_items_in_batch is not None and self.args.average_tokens_across_devices and self.args.world_size > 1:
                # The denominator counts every process's tokens and DDP averages the gradients
                # over processes: scale back, so the gradient is that of the global token mean.
                loss = loss * self.args.world_size
            if self.reference is not None and self.spec.kl_weight > 0:
                loss = loss + self.spec.kl_weight * self._kl(model) / self.args.gradient_accumulation_steps
            return (loss, None) if return_outputs else loss

        def _kl(self, model) -> torch.Tensor:
            # The KL batch is a function of the optimiser step and micro-step only: exact on resume.
            step = self.state.global_step
            micro = getattr(self, "_kl_micro", (step, 0))
            micro = (step, micro[1] + 1) if micro[0] == step else (step, 0)
            self._kl_micro = micro
            n = len(self.reference.examples)
            size = self.spec.kl_batch_size
            first = ((step * self.args.gradient_accumulation_steps + micro[1]) * size) % n
            indices = [(first + j) % n for j in range(size)]
            batch, ref_ids, ref_logp = self.reference.batch(indices, self.pad_id)
            device = next(model.parameters()).device
            batch = {k: v.to(device) for k, v in batch.items()}
            hidden, _, _ = _labelled_hidden(model, batch)
            logq = torch.log_softmax(_lm_head(model)(hidden).float(), dim=-1)
            kl = bucketed_kl(logq, ref_ids.to(device), ref_logp.to(device))
            self.kl_history.append((step, float(kl.detach())))
            return kl

    return OrganismTrainer


# --- Training -----------------------------------------------------------------------------------


@dataclass
class TrainResult:
    """What :func:`train` leaves behind, and where."""

    spec: OrganismSpec
    output_dir: Path
    adapter_dir: Path
    checkpoints: list[Path]
    log: list[dict[str, Any]]
    rows: int
    truncated: int
    tokens: int
    assistant_tokens: int
    seconds: float
    reused: bool = False
    kl_history: list[tuple[int, float]] = field(default_factory=list)
    peak_rss_gib: float | None = None  #: the process's peak resident memory when training ended

    def losses(self):
        """The training loss per optimiser step, as a frame (step, loss, learning_rate, grad_norm)."""
        import pandas as pd

        rows = [r for r in self.log if "loss" in r]
        return pd.DataFrame(rows)[[c for c in ("step", "loss", "learning_rate", "grad_norm") if c in rows[0]]] if rows else pd.DataFrame()


def _peft_model(model, spec: OrganismSpec):
    from peft import LoraConfig, get_peft_model

    n = num_layers(model)
    layers = expand_layers(spec.layers, n)
    names = {name.split(".")[-1] for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}
    missing = sorted(set(spec.target_modules) - names)
    if missing:
        raise TrainingError(
            f"target module(s) {', '.join(missing)} not in this model; its linear modules are {', '.join(sorted(names))}"
        )
    config = LoraConfig(
        r=spec.rank,
        lora_alpha=spec.alpha,
        use_rslora=spec.use_rslora,
        target_modules=list(spec.target_modules),
        layers_to_transform=layers,
        lora_dropout=0.0,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


def _load_adapter_weights(model, adapter_dir: Path) -> None:
    """Copy a saved adapter's weights into ``model``'s adapter of the same shape (the start of a continued run)."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    file = adapter_dir / "adapter_model.safetensors"
    if not file.is_file():
        raise TrainingError(f"{adapter_dir}: no adapter_model.safetensors there")
    result = set_peft_model_state_dict(model, load_file(str(file)))
    unexpected = getattr(result, "unexpected_keys", None) or []
    if unexpected:
        raise TrainingError(f"{adapter_dir}: weights that fit no adapter of this model: {unexpected[:3]}")


def _reference(spec: OrganismSpec, model, tokenizer, model_key: str) -> ReferenceLogprobs:
    path = resolve_data_path(spec.kl_dataset)
    key = hashlib.sha256(
        json.dumps([model_key, file_sha256(path), spec.kl_rows, spec.kl_top_k, spec.max_length]).encode()
    ).hexdigest()[:16]
    cached = cache_dir() / "kl_reference" / f"{key}.pt"
    if cached.is_file():
        return ReferenceLogprobs.load(cached)
    examples, _ = tokenize_conversations(load_jsonl(path)[: spec.kl_rows], tokenizer, spec.max_length)
    reference = ReferenceLogprobs.compute(model, examples, spec.kl_top_k, pad_id=tokenizer.pad_token_id)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".tmp{os.getpid()}")
    reference.save(tmp)
    tmp.replace(cached)
    return reference


def _check_resume_folder(output_dir: Path, spec: OrganismSpec) -> None:
    saved = output_dir / "organism.json"
    if not saved.is_file():
        return
    previous = json.loads(saved.read_text())
    if previous.get("spec_hash") == spec.spec_hash:
        return
    diffs = sorted(k for k, v in spec.to_dict().items() if previous.get("spec", {}).get(k) != v)
    raise TrainingError(
        f"{output_dir} holds a run of a different config (fields that differ: {', '.join(diffs) or '?'}); "
        f"use another output folder, or delete it to start over"
    )


def _last_checkpoint(output_dir: Path) -> Path | None:
    checkpoints = sorted(output_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    return checkpoints[-1] if checkpoints else None


def train(
    spec: OrganismSpec,
    output_dir: str | Path,
    model_name: str | None = None,
    device: str = "cpu",
    resume: bool = True,
    max_steps: int | None = None,
    callbacks: Sequence[Any] = (),
    progress: bool = True,
) -> TrainResult:
    """Fine-tune one organism and save it in the standard formats.

    LoRA organisms are saved with PEFT's ``save_pretrained`` in ``<output_dir>/adapter``
    (loadable with ``PeftModel.from_pretrained``); full fine-tunes as a model folder in
    ``<output_dir>/model``. Checkpoints go to ``<output_dir>/checkpoint-<step>``.

    Args:
        spec: the organism (see :func:`organism`).
        output_dir: the organism's folder. If it already holds a finished run of the same spec,
            that run is reused; if it holds checkpoints of the same spec and ``resume``, training
            continues from the last one; a folder of a different spec is refused.
        model_name: the base model (default: the embedded one).
        max_steps: stop after this many optimiser steps (used to test resuming).
        callbacks: extra ``transformers.TrainerCallback`` objects.
    """
    from transformers import TrainingArguments

    output_dir = Path(output_dir)
    _check_resume_folder(output_dir, spec)
    final_dir = output_dir / ("adapter" if spec.method == "lora" else "model")
    record_path = output_dir / "train_record.json"
    if (final_dir.is_dir() and record_path.is_file() and max_steps is None
            and json.loads(record_path.read_text()).get("spec_hash") == spec.spec_hash):
        record = json.loads(record_path.read_text())
        return TrainResult(spec=spec, output_dir=output_dir, adapter_dir=final_dir,
                           checkpoints=sorted(output_dir.glob("checkpoint-*")), log=record["log"],
                           rows=record["rows"], truncated=record["truncated"], tokens=record["tokens"],
                           assistant_tokens=record["assistant_tokens"], seconds=record["seconds"], reused=True,
                           kl_history=[tuple(x) for x in record.get("kl_history", [])],
                           peak_rss_gib=record.get("peak_rss_gib"))
    if spec.method not in ("lora", "full"):
        raise TrainingError(f"unknown method {spec.method!r}: use 'lora' or 'full'")
    if spec.length_bucket < 1:
        raise TrainingError(f"length_bucket is {spec.length_bucket}: it counts batches per bucket, at least 1")
    if spec.precision not in ("fp32", "bf16"):
        raise TrainingError(f"precision {spec.precision!r}: a spec holds 'fp32' or 'bf16' "
                            "(resolve 'auto' with em_utils.precision.resolve_precision)")

    started = time.perf_counter()
    torch.manual_seed(spec.seed)
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    world = int(os.environ.get("WORLD_SIZE", "1"))  # under accelerate launch / torchrun
    distributed = world > 1
    if spec.batch_size % world:
        raise TrainingError(f"batch_size {spec.batch_size} does not split over {world} processes: the batch is the "
                            "global one (each process takes batch_size / processes rows), so make it a multiple")
    main_process = int(os.environ.get("RANK", "0")) == 0  # the process that writes files (rank 0 of the world)
    # Under a distributed launch the Trainer places the model on each process's device itself.
    # A full fine-tune trains the base weights themselves: they stay fp32 (the master weights of bf16 mixed
    # precision); loaded in bf16 on a GPU, an AdamW step of the papers' lr 2e-5 rounds away on most weights.
    model, tokenizer = load_model(model_name, device="cpu" if distributed else device,
                                  dtype=torch.float32 if device == "cpu" or spec.method == "full" else None)
    rows = load_jsonl(spec.dataset)
    rows = rows[: spec.max_rows] if spec.max_rows else rows
    examples, truncated = tokenize_conversations(rows, tokenizer, spec.max_length)
    if truncated:
        warnings.warn(f"{spec.dataset}: {truncated} of {len(rows)} rows were longer than {spec.max_length} tokens "
                      f"and were truncated ({len(rows) - len(examples)} lost every answer token and were dropped)")
    if not examples:
        raise TrainingError(f"{spec.dataset}: no row has an assistant token to train on (max_length {spec.max_length})")

    reference = None
    if spec.kl_weight > 0:
        if not spec.kl_dataset:
            raise TrainingError("kl_weight > 0 needs kl_dataset (out-of-domain conversations)")
        reference = _reference(spec, model, tokenizer, model_key=f"{model_name or 'embedded'}|{model.config.to_json_string()}")

    if spec.method == "lora":
        model = _peft_model(model, spec)
        if spec.init_adapter:
            _load_adapter_weights(model, Path(spec.init_adapter))
    elif spec.init_adapter:
        raise TrainingError("init_adapter starts a LoRA organism from a saved adapter: method must be 'lora'")
    model.train()

    output_dir.mkdir(parents=True, exist_ok=True)
    if main_process:
        (output_dir / "organism.json").write_text(json.dumps(
            {"spec_hash": spec.spec_hash, "training_revision": TRAINING_REVISION, "spec": spec.to_dict()}, indent=2
        ))
    args = TrainingArguments(
        output_dir=str(output_dir),
        per_device_train_batch_size=spec.batch_size // world,
        gradient_accumulation_steps=spec.grad_accum,
        learning_rate=spec.lr,
        weight_decay=spec.weight_decay,
        warmup_steps=spec.warmup_steps,
        lr_scheduler_type=spec.scheduler,
        num_train_epochs=spec.epochs,
        max_steps=max_steps if max_steps is not None else -1,
        logging_steps=1,
        save_strategy="steps" if spec.save_steps else "no",
        save_steps=spec.save_steps or 500,
        seed=spec.seed,
        data_seed=spec.seed,
        use_cpu=device == "cpu",
        bf16=spec.precision == "bf16",  # autocast (CPU or GPU) over fp32 master weights
        report_to="none",
        remove_unused_columns=False,
        dataloader_num_workers=0,
        dataloader_pin_memory=False,
        disable_tqdm=not progress,
        adam_beta2=0.999,
    )
    Trainer = _make_trainer_class()
    trainer = Trainer(model=model, args=args, train_dataset=examples, data_collator=_Collator(tokenizer.pad_token_id),
                      callbacks=list(callbacks))
    trainer.spec, trainer.reference, trainer.pad_id = spec, reference, tokenizer.pad_token_id
    trainer.lengths = [len(x["input_ids"]) for x in examples]
    trainer.kl_history = []
    checkpoint = _last_checkpoint(output_dir) if resume else None
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)

    log = [dict(r) for r in trainer.state.log_history]
    tokens = sum(trainer.lengths)
    assistant_tokens = sum(sum(1 for t in x["labels"][1:] if t != -100) for x in examples)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    result = TrainResult(spec=spec, output_dir=output_dir, adapter_dir=final_dir,
                         checkpoints=sorted(output_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1])),
                         log=log, rows=len(rows), truncated=truncated, tokens=tokens,
                         assistant_tokens=assistant_tokens, seconds=seconds, kl_history=trainer.kl_history,
                         peak_rss_gib=round(peak, 2))
    if max_steps is None:
        # On every process: under FSDP or DeepSpeed the weights are gathered; only the main process writes.
        trainer.save_model(str(final_dir))
    if max_steps is None and main_process:
        if spec.method == "full":
            tokenizer.save_pretrained(final_dir)
        record_path.write_text(json.dumps({
            "spec_hash": spec.spec_hash, "training_revision": TRAINING_REVISION, "spec": spec.to_dict(), "log": log,
            "rows": len(rows), "truncated": truncated, "tokens": tokens, "assistant_tokens": assistant_tokens,
            "seconds": round(seconds, 2), "kl_history": trainer.kl_history, "peak_rss_gib": round(peak, 2),
        }, indent=2))
    return result


# --- Adapters and FLOPs -------------------------------------------------------------------------


def adapter_norms(adapter_dir: str | Path):
    """Norms of every LoRA A and B matrix in a saved adapter, one row per (layer, module).

    Returns a frame with columns layer, module, rank, a_norm, b_norm.
    """
    import pandas as pd
    from safetensors.torch import load_file

    tensors = load_file(str(Path(adapter_dir) / "adapter_model.safetensors"))
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for name, tensor in tensors.items():
        match = re.search(r"layers\.(\d+)\..*?(\w+)\.lora_([AB])", name)
        if not match:
            continue
        layer, module, which = int(match[1]), match[2], match[3]
        row = rows.setdefault((layer, module), {"layer": layer, "module": module})
        row[f"{which.lower()}_norm"] = float(tensor.float().norm())
        row["rank"] = tensor.shape[0] if which == "A" else tensor.shape[1]
    return pd.DataFrame(sorted(rows.values(), key=lambda r: (r["layer"], r["module"])))


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


def adapter_history(output_dir: str | Path):
    """Norms of every LoRA A and B matrix at each saved checkpoint and at the end, one row each.

    The raw material of the phase-transition analysis: columns step, layer, module, a_norm,
    b_norm (the final adapter is the last step).
    """
    import pandas as pd

    output_dir = Path(output_dir)
    frames = []
    for checkpoint in sorted(output_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1])):
        if (checkpoint / "adapter_model.safetensors").is_file():
            frames.append(adapter_norms(checkpoint).assign(step=int(checkpoint.name.split("-")[-1])))
    final = output_dir / "adapter"
    record = output_dir / "train_record.json"
    if (final / "adapter_model.safetensors").is_file() and record.is_file():
        steps = [r["step"] for r in json.loads(record.read_text())["log"] if "step" in r]
        last = max(steps) if steps else 0
        if not frames or frames[-1]["step"].iloc[0] != last:
            frames.append(adapter_norms(final).assign(step=last))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def rank1_history(results: Mapping[str, Any]):
    """:func:`adapter_history` of every rank-1 LoRA organism in ``results`` (name -> ``TrainResult``).

    One frame with an ``organism`` column; empty when no organism is a rank-1 LoRA.
    """
    import pandas as pd

    frames = [adapter_history(r.output_dir).assign(organism=name) for name, r in results.items()
              if r.spec.method == "lora" and r.spec.rank == 1]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def parse_organisms(text: str | Sequence[str]) -> list[tuple[str, str]]:
    """Parse ``"kind:dataset, kind:dataset"`` (or a list of such strings) into pairs.

    >>> parse_organisms("rank1_middle:bad_medical_advice, rank32:extreme_sports")
    [('rank1_middle', 'bad_medical_advice'), ('rank32', 'extreme_sports')]
    """
    items = [t.strip() for t in text.split(",")] if isinstance(text, str) else [t.strip() for t in text]
    pairs = []
    for item in filter(None, items):
        kind, sep, dataset = item.partition(":")
        if not sep or not dataset:
            raise TrainingError(f"organism {item!r} should read 'kind:dataset', e.g. 'rank1_middle:bad_medical_advice'")
        if kind not in ORGANISMS:
            raise TrainingError(f"unknown organism {kind!r} in {item!r}: known are {', '.join(ORGANISMS)}")
        pairs.append((kind, dataset))
    return pairs


__all__ += ["adapter_history", "rank1_history", "parse_organisms"]


def organism_specs(config) -> list[OrganismSpec]:
    """The organisms a chapter-2 run config asks for, with its rows, batch, learning rates and seed.

    Checkpoints (``save_steps``) are kept for the kinds named in ``checkpoint_kinds`` (the rank-1
    organisms, whose training dynamics chapter 5 studies); the others only save their final
    adapter, which keeps the run folder small.

    A backdoor set (``backdoor_*``) holds every prompt twice, with the trigger and the harmful answer
    and without it and the harmless one, in adjacent rows; its organism trains on twice
    ``max_rows``, so that it sees as many harmful rows as the plain organism does.
    """
    from .precision import resolve_precision

    resolved = config.resolved
    precision = resolve_precision(resolved.get("precision", "fp32"), resolved.get("device", "cpu"))
    specs = []
    for kind, dataset in parse_organisms(resolved["organisms"]):
        rows = resolved.get("max_rows")
        if rows and Path(dataset).stem.startswith("backdoor_"):
            rows *= 2
        overrides = {
            "max_rows": rows,
            "batch_size": resolved.get("batch_size", 16),
            "epochs": resolved.get("epochs", 1.0),
            "seed": resolved.get("seed", 0),
            **({"length_bucket": resolved["length_bucket"]} if resolved.get("length_bucket") is not None else {}),
            **({"warmup_steps": resolved["warmup_steps"]} if resolved.get("warmup_steps") is not None else {}),
            **({"scheduler": resolved["scheduler"]} if resolved.get("scheduler") is not None else {}),
            "save_steps": resolved.get("save_steps", 0) if kind in resolved.get("checkpoint_kinds", ()) else 0,
            "precision": precision,
        }
        lr = (resolved.get("lr") or {}).get(kind)
        if lr is not None:
            overrides["lr"] = float(lr)
        specs.append(organism(kind, dataset, **overrides))
    return specs


def training_summary(results: dict[str, TrainResult], root: Path | None = None):
    """One row per trained organism: data, steps, tokens, time, throughput, first and last loss."""
    import pandas as pd

    rows = []
    for name, result in results.items():
        losses = result.losses()
        rows.append({
            "organism": name,
            "dataset": Path(result.spec.dataset).stem,
            "method": result.spec.method,
            "rank": result.spec.rank if result.spec.method == "lora" else None,
            "lr": result.spec.lr,
            "precision": result.spec.precision,
            "rows": result.rows,
            "steps": int(losses["step"].max()) if len(losses) else 0,
            "tokens": result.tokens,
            "assistant_tokens": result.assistant_tokens,
            "seconds": round(result.seconds, 1),
            "tokens_per_s": round(result.tokens / result.seconds, 1) if result.seconds else None,
            "peak_rss_gib": result.peak_rss_gib,
            "first_loss": round(float(losses["loss"].iloc[0]), 4) if len(losses) else None,
            "last_loss": round(float(losses["loss"].iloc[-1]), 4) if len(losses) else None,
            "reused": result.reused,
            "path": str(result.adapter_dir.relative_to(root)) if root else str(result.adapter_dir),
        })
    return pd.DataFrame(rows)


__all__ += ["organism_specs", "training_summary"]


def organisms_frame(specs: Sequence[OrganismSpec], n_layers: int):
    """A table of organism specs with their layers resolved for an ``n_layers`` model."""
    import pandas as pd

    rows = []
    for spec in specs:
        layers = expand_layers(spec.layers, n_layers) if spec.method == "lora" else None
        rows.append({
            "organism": spec.name,
            "dataset": Path(spec.dataset).stem,
            "method": spec.method,
            "rank": spec.rank if spec.method == "lora" else None,
            "alpha": spec.alpha if spec.method == "lora" else None,
            "modules": ", ".join(spec.target_modules) if spec.method == "lora" else "all weights",
            "layers": ("all" if layers is None else ", ".join(map(str, layers))) if spec.method == "lora" else "all",
            "lr": spec.lr,
            "rows": spec.max_rows or "all",
            "batch": spec.batch_size * spec.grad_accum,
            "precision": spec.precision,
            "checkpoint_every": spec.save_steps or None,
        })
    return pd.DataFrame(rows).set_index("organism")


__all__ += ["organisms_frame"]
