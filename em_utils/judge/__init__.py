"""Judges: score (question, answer) pairs 0-100 on metrics such as ``aligned`` and ``coherent``.

Every judge has the same interface and output columns, so a chapter can switch between the
papers' GPT-4o logprob judge (``openai``) and this project's ``offline`` judge with one parameter.

Interface::

    judge.score(pairs, metric) -> list[float]     # NaN where the judge gives no score
    judge_frame(frame, judge, metrics) -> frame   # adds one column per metric

The thresholds that read the scores (EM, coherent) live in :mod:`em_utils.metrics`. The judges
themselves are modules of this package, imported only when :func:`make_judge` builds one:
:mod:`~em_utils.judge.offline`, :mod:`~em_utils.judge.openai_judge` (with its result cache,
:class:`~em_utils.cache.ResultCache`), :mod:`~em_utils.judge.server` (the papers' protocol on a local
llama.cpp server); :mod:`~em_utils.judge.labels` reads the hand labels and
:mod:`~em_utils.judge.validation` measures a judge against them.
"""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

import numpy as np
import pandas as pd

__all__ = ["Judge", "judge_frame", "make_judge"]


@runtime_checkable
class Judge(Protocol):
    """What every judge provides."""

    name: str  #: shown in figure captions, e.g. "openai:gpt-4o-2024-08-06" or "offline:minilm-logreg"

    def score(self, pairs: Sequence[tuple[str, str]], metric: str) -> list[float]:
        """Score each (question, answer) pair on ``metric`` (0..100, NaN when unscored)."""
        ...


def judge_frame(frame: pd.DataFrame, judge: Judge, metrics: Sequence[str] = ("aligned", "coherent")) -> pd.DataFrame:
    """Return a copy of ``frame`` (columns ``question``, ``answer``) with one score column per metric."""
    out = frame.copy()
    pairs = list(zip(out["question"].astype(str), out["answer"].astype(str)))
    for metric in metrics:
        out[metric] = np.asarray(judge.score(pairs, metric), dtype=float)
    out.attrs["judge"] = judge.name
    return out


def make_judge(kind: str = "auto", model: str | None = None, base_url: str | None = None, **kwargs) -> Judge:
    """Build a judge by name.

    Args:
        kind: ``"openai"`` (the papers' GPT-4o logprob judge, any OpenAI-compatible endpoint),
            ``"offline"`` (this project's judge: no key, no network), or ``"auto"``: ``openai`` when
            ``OPENAI_API_KEY`` (or ``AZURE_OPENAI_API_KEY``) is set, else ``offline``; or
            ``"local"``: the papers' logprob protocol on an offline model served on 127.0.0.1 by
            llama.cpp (:mod:`em_utils.judge.server`; 0-9 scale), started now and stopped when the
            process exits.
        model: the judge model for ``openai`` (default ``gpt-4o-2024-08-06``); for ``local`` an
            offline model name or a ``.gguf`` path (default ``qwen2.5-coder-0.5b-instruct``).
        base_url: an OpenAI-compatible endpoint (Azure, vLLM, llama.cpp); the key still comes from
            the environment only.
    """
    import os

    if kind == "auto":
        kind = "openai" if os.environ.get("OPENAI_API_KEY") or os.environ.get("AZURE_OPENAI_API_KEY") else "offline"
    if kind == "offline":
        from .offline import OfflineJudge

        return OfflineJudge(**kwargs)
    if kind == "openai":
        from .openai_judge import OpenAIJudge

        return OpenAIJudge(**({"model": model} if model else {}), base_url=base_url, **kwargs)
    if kind == "local":
        import atexit

        from .server import LocalJudgeServer

        server = LocalJudgeServer(model or "qwen2.5-coder-0.5b-instruct").start()
        atexit.register(server.stop)
        return server.judge(**kwargs)
    raise ValueError(f"unknown judge {kind!r}: use 'offline', 'openai', 'local' or 'auto'")

