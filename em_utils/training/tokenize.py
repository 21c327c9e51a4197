"""Chat-templated SFT data: tokenising with assistant-only labels, padding, length-grouped batches."""

from __future__ import annotations

import random
from typing import Iterator, Sequence

import torch

from .specs import TrainingError

__all__ = ["tokenize_conversations", "LengthBucketSampler"]


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
