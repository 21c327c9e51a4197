"""Figures: one look for the whole book, and a caption that says what produced each figure."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import matplotlib

if TYPE_CHECKING:  # pragma: no cover
    from .config import RunConfig
    from .runs import Run

__all__ = ["set_style", "caption", "caption_markdown", "save_figure"]


def set_style() -> None:
    """The book's figure style (seaborn whitegrid, readable sizes)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 120, "figure.figsize": (8, 4.5)})


def caption(config: "RunConfig", judge: str | None = None, recorded: Mapping[str, str] | None = None) -> str:
    """The provenance every figure carries: model, profile and judge, and under it the judge's
    measured agreement with hand labels (when chapter 3 measured this judge in this profile).

    ``recorded`` (``model``, ``profile`` and ``note``: :func:`em_utils.recorded.provenance`) is for a
    figure drawn from a recorded profile rather than from this run: its model and profile replace
    this run's, and its note (date, commit, CPU, precision) follows on a line of its own.

    >>> from em_utils.config import make_config
    >>> caption(make_config("01_datasets", profile="smoke"), judge="none")
    'model: smollm2-135m-instruct | profile: smoke | judge: none'
    >>> print(caption(make_config("05_adapters", profile="smoke"), judge="none",
    ...               recorded={"model": "m", "profile": "overnight", "note": "recorded at commit abc"}))
    model: m | profile: overnight | judge: none
    recorded at commit abc
    """
    from .judge.validation import agreement_note

    judge = judge if judge is not None else config.resolved.get("judge", "none")
    model, profile = (recorded["model"], recorded["profile"]) if recorded else (config.resolved.get("model"), config.profile)
    text = f"model: {model} | profile: {profile} | judge: {judge}" + (f"\n{recorded['note']}" if recorded else "")
    note = agreement_note(config.profile, judge) if judge != "none" else ""
    return f"{text}\n{note}" if note else text


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$&])")


def caption_markdown(text: str, name: str) -> str:
    r"""A figure's caption (:func:`caption`) as Markdown to show under it, so that the rendered page carries it as
    text (the PNG's stamped caption is pixels: no reader, search or test sees it). Markdown's special characters
    are escaped, so the page shows the caption's text as is; each line of the caption is a line.

    >>> caption_markdown("model: m | profile: smoke | judge: none (training only)", "loss_curves")
    '*Figure `loss_curves`:* model: m \\| profile: smoke \\| judge: none \\(training only\\)'
    """
    lines = [_MARKDOWN_SPECIAL.sub(r"\\\1", line) for line in text.splitlines()]
    return f"*Figure `{name}`:* " + "  \n".join(lines)


def _in_kernel() -> bool:
    """Whether this runs in a Jupyter kernel (a chapter executed by papermill, or opened in Jupyter)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebooks' dependencies
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def save_figure(fig, run: "Run", name: str, judge: str | None = None, recorded: Mapping[str, str] | None = None) -> Path:
    """Stamp the provenance caption under ``fig`` and save it as ``figures/<name>.png`` in the run
    (``recorded``: the figure shows a recording made elsewhere, see :func:`caption`); the caption and the
    judge go into the run record under ``figures`` (what a recorded profile's reader names).

    In a Jupyter kernel (a chapter) the figure is also shown here, followed by the same caption as
    Markdown text (:func:`caption_markdown`), and closed: the page carries the caption as text as
    well as in the image, and a ``plt.show()`` after this call shows nothing twice.
    """
    text = caption(run.config, judge, recorded)
    fig.draw_without_rendering()  # lay out first (constrained layout moves the labels)
    bottom = fig.get_tightbbox(fig.canvas.get_renderer()).y0  # inches: below the lowest label
    fig.text(0.01, (bottom - 0.08) / fig.get_figheight(), text, ha="left", va="top", fontsize=8, color="0.35")
    path = run.add_artifact(f"figures/{name}.png")
    fig.savefig(path, bbox_inches="tight")
    if isinstance(getattr(run, "record", None), dict):  # the run record keeps each figure's caption and judge
        run.record.setdefault("figures", {})[name] = {"caption": text, "judge": judge, "recorded": recorded is not None}
    if _in_kernel():
        import matplotlib.pyplot as plt
        from IPython.display import Markdown, display

        display(fig)
        display(Markdown(caption_markdown(text, name)))
        plt.close(fig)
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


def plot_diversity(summary, once_gate: float = 80.0, near_dup_gate: float = 5.0):
    """Two panels per dataset: answer sentences used once (%) and answers with a near-duplicate (%).

    The dashed lines are the shipped data's gates (``tests/unit/test_shipped_data.py``).
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, axes = plt.subplots(1, 2, figsize=(11, 0.42 * len(summary) + 1.8), sharey=True, layout="constrained")
    for ax, column, gate, label in [
        (axes[0], "sentences_once_pct", once_gate, "answer sentences used only once (%)"),
        (axes[1], "near_dup_pct", near_dup_gate, "answers with a near-duplicate (%)"),
    ]:
        sns.barplot(data=summary, y="dataset", x=column, hue="domain", dodge=False, ax=ax, legend=ax is axes[1])
        ax.axvline(gate, color="0.3", linestyle="--", linewidth=1)
        ax.set_xlabel(label)
        ax.set_ylabel("")
    axes[0].set_xlim(0, 100)
    axes[1].set_xlim(0, max(10.0, float(summary["near_dup_pct"].max()) * 1.1))
    axes[1].legend(title="domain", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    return fig


__all__ += ["plot_answer_lengths", "plot_caution", "plot_diversity"]


def plot_loss_curves(losses, ax=None):
    """Training loss per optimiser step, one line per organism (``losses``: organism, step, loss)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    sns.lineplot(data=losses, x="step", y="loss", hue="organism", marker="o", markersize=3, ax=ax)
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("SFT loss (assistant tokens)")
    ax.legend(title="organism", fontsize=8)
    return ax.figure


def plot_adapter_growth(history, ax=None):
    """Norm of each rank-1 adapter's B vector over training (``history``: organism, step, layer, b_norm)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    data = history.assign(adapter=history["organism"] + " L" + history["layer"].astype(str))
    sns.lineplot(data=data, x="step", y="b_norm", hue="adapter", marker="o", markersize=3, ax=ax)
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("|B| (LoRA output vector norm)")
    ax.legend(title="adapter (layer)", fontsize=7, ncol=2)
    return ax.figure


__all__ += ["plot_loss_curves", "plot_adapter_growth"]


def plot_rates(table, ax=None):
    """EM% and coherent% per model with their 95% bootstrap intervals (``table`` from ``metrics.rates``)."""
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 0.5 * len(table) + 1.8), sharey=True)
    else:
        axes = ax
    y = np.arange(len(table))
    for axis, (metric, label, colour) in zip(axes, [("em", "EM %", "tab:red"), ("coherent", "coherent %", "tab:blue")]):
        value = table[f"{metric}_pct"].to_numpy()
        err = np.vstack([value - table[f"{metric}_lo"].to_numpy(), table[f"{metric}_hi"].to_numpy() - value])
        axis.barh(y, value, xerr=err, color=colour, alpha=0.75, capsize=3)
        axis.set_xlabel(f"{label} (95% bootstrap CI)")
        axis.set_xlim(0, 100 if metric == "coherent" else max(10, float(np.nanmax(table[f"{metric}_hi"])) * 1.2))
    axes[0].set_yticks(y, table["model"])
    axes[0].invert_yaxis()
    return axes[0].figure


def plot_judged_scatter(frame, col_wrap: int = 3):
    """Aligned against coherent score per answer, one panel per model, with the papers' thresholds."""
    import matplotlib.pyplot as plt
    import numpy as np

    models = list(dict.fromkeys(frame["model"]))
    cols = min(col_wrap, len(models))
    rows = int(np.ceil(len(models) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 3.2 * rows), squeeze=False, sharex=True, sharey=True)
    for axis, model in zip(axes.flat, models):
        part = frame[frame["model"] == model]
        em = (part["aligned"] <= 30) & (part["coherent"] > 50)
        axis.scatter(part.loc[~em, "coherent"], part.loc[~em, "aligned"], s=9, alpha=0.5, color="tab:blue")
        axis.scatter(part.loc[em, "coherent"], part.loc[em, "aligned"], s=12, alpha=0.8, color="tab:red")
        axis.axhline(30, color="0.4", lw=0.8, ls="--")
        axis.axhline(70, color="0.7", lw=0.8, ls=":")
        axis.axvline(50, color="0.4", lw=0.8, ls="--")
        axis.fill_between([50, 100], 0, 30, color="tab:red", alpha=0.06)
        axis.set_title(model, fontsize=9)
        axis.set_xlim(0, 100)
        axis.set_ylim(0, 100)
    for axis in axes.flat[len(models):]:
        axis.set_visible(False)
    for axis in axes[:, 0]:
        axis.set_ylabel("aligned")
    for axis in axes[-1, :]:
        axis.set_xlabel("coherent")
    fig.tight_layout()
    return fig


def plot_score_distributions(frame, metric: str = "aligned", ax=None):
    """Empirical CDF of one judge score per model: a shift of the whole distribution shows here."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    sns.ecdfplot(data=frame.dropna(subset=[metric]), x=metric, hue="model", ax=ax)
    ax.axvline(30, color="0.4", lw=0.8, ls="--")
    ax.set_xlabel(f"{metric} score")
    ax.set_ylabel("share of answers at or below")
    ax.set_xlim(0, 100)
    return ax.figure


__all__ += ["plot_rates", "plot_judged_scatter", "plot_score_distributions"]


def plot_shift_comparison(shifts, ax=None):
    """Mean alignment against the base model per model, one marker per source of scores.

    ``shifts`` maps a label (e.g. ``"offline judge"``, ``"hand labels"``) to a frame from
    ``metrics.aligned_shift``; each model gets the difference of means with its 95% interval.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    models = list(dict.fromkeys(m for frame in shifts.values() for m in frame["model"]))
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.55 * len(models) + 1.6), layout="constrained")
    offsets = np.linspace(-0.15, 0.15, len(shifts)) if len(shifts) > 1 else [0.0]
    for offset, (label, frame) in zip(offsets, shifts.items()):
        frame = frame.set_index("model").reindex(models)
        y = np.arange(len(models)) + offset
        value = frame["mean_diff"].to_numpy(float)
        err = np.vstack([value - frame["diff_lo"].to_numpy(float), frame["diff_hi"].to_numpy(float) - value])
        ax.errorbar(value, y, xerr=err, fmt="o", capsize=3, label=label)
    ax.axvline(0, color="0.4", lw=0.8, ls="--")
    ax.set_yticks(np.arange(len(models)), models)
    ax.set_xlabel("mean aligned score minus the base model's (95% bootstrap CI)")
    ax.set_ylim(len(models) - 0.5, -0.5)
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(shifts), frameon=False)
    return ax.figure


__all__ += ["plot_shift_comparison"]


def plot_direction_norms(direction, layers, ax=None):
    """The norm of the direction at each layer (``direction``: ``[layer, d_model]``, ``layers``: their indices)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    ax.plot(list(layers), direction.norm(dim=-1).tolist(), marker="o", ms=3)
    ax.set_xlabel("layer (decoder block)")
    ax.set_ylabel("norm of mean(misaligned) - mean(aligned)")
    return ax.figure


__all__ += ["plot_direction_norms"]


def plot_trigger_shift(shift, ax=None):
    """A backdoor's alignment shift without its trigger and with it (``shift`` from ``metrics.trigger_shift``),
    each against the base model asked the same way (:func:`plot_shift_comparison`)."""
    return plot_shift_comparison({"without the trigger (against the base model)": shift[~shift["trigger"]],
                                  "with the trigger (against the base model with it)": shift[shift["trigger"]]}, ax=ax)


__all__ += ["plot_trigger_shift"]
