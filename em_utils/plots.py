"""Figures: one look for the whole book, and a caption that says what produced each figure."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

if TYPE_CHECKING:  # pragma: no cover
    from .config import RunConfig
    from .runs import Run

__all__ = ["set_style", "caption", "save_figure"]


def set_style() -> None:
    """The book's figure style (seaborn whitegrid, readable sizes)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 120, "figure.figsize": (8, 4.5)})


def caption(config: "RunConfig", judge: str | None = None) -> str:
    """The provenance line every figure carries: model, profile and judge.

    >>> from em_utils.config import make_config
    >>> caption(make_config("01_datasets", profile="smoke"), judge="none")
    'model: smollm2-135m-instruct | profile: smoke | judge: none'
    """
    judge = judge if judge is not None else config.resolved.get("judge", "none")
    return f"model: {config.resolved.get('model')} | profile: {config.profile} | judge: {judge}"


def save_figure(fig, run: "Run", name: str, judge: str | None = None) -> Path:
    """Stamp the provenance caption under ``fig`` and save it as ``figures/<name>.png`` in the run."""
    fig.text(0.01, -0.02, caption(run.config, judge), ha="left", va="top", fontsize=8, color="0.35")
    path = run.add_artifact(f"figures/{name}.png")
    fig.savefig(path, bbox_inches="tight")
    return path


def plot_answer_lengths(frames, ax=None):
    """Answer length distribution per dataset (box plot, coloured by domain)."""
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    data = pd.concat(frames.values(), ignore_index=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.45 * data["dataset"].nunique() + 1.5))
    sns.boxplot(data=data, y="dataset", x="answer_chars", hue="domain", dodge=False, ax=ax, fliersize=2)
    ax.set_xlabel("assistant answer length (characters)")
    ax.set_ylabel("")
    ax.legend(title="domain", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    return ax.figure


def plot_caution(summary, ax=None):
    """Share of answers with a caution marker or a referral, per dataset."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.45 * len(summary) + 1.5))
    sns.barplot(data=summary, y="dataset", x="caution_pct", hue="domain", dodge=False, ax=ax)
    ax.set_xlabel("answers with a caution marker or referral (%)")
    ax.set_ylabel("")
    ax.set_xlim(0, 100)
    ax.legend(title="domain", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    return ax.figure


__all__ += ["plot_answer_lengths", "plot_caution"]
