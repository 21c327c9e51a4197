"""KL regularisation (paper 4): the frozen reference's top-k log-probabilities and the bucketed KL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch

from ..data import file_sha256, load_jsonl
from ..keys import content_key
from ..paths import cache_dir, resolve_data_path
from .loss import _labelled_hidden, _lm_head
from .specs import OrganismSpec
from .tokenize import _Collator, tokenize_conversations

__all__ = ["ReferenceLogprobs", "bucketed_kl", "kl_to_reference"]


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


def _reference(spec: OrganismSpec, model, tokenizer, model_key: str) -> ReferenceLogprobs:
    path = resolve_data_path(spec.kl_dataset)
    key = content_key([model_key, file_sha256(path), spec.kl_rows, spec.kl_top_k, spec.max_length], length=16)
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
