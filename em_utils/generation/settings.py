"""Sampler settings: how answers are sampled, and when a sample ends.

The lowest module of :mod:`em_utils.generation`: it imports nothing from ``em_utils``, so any
module may use these names without closing an import loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["BACKENDS", "SamplingSettings", "OnFinish"]

BACKENDS = ("transformers", "vllm")


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


#: ``on_finish(job, tokens, finished)``: called by a decode loop the moment a job ends.
OnFinish = Callable[[int, list[int], bool], None]


def _done(token: int, count: int, eos: set[int], settings: SamplingSettings) -> bool | None:
    """``True``: ended with EOS; ``False``: hit max_new_tokens; ``None``: goes on."""
    if token in eos:
        return True
    return False if count >= settings.max_new_tokens else None
