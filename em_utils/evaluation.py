"""Sampling answers from the base model and each organism of chapter 2, ready for judging.

Chapter 3's recipe, one function per section of the chapter::

    inputs = JudgingInputs.read(run)                       # chapter 2's organisms, the questions
    answers = sample_organisms(inputs.models, inputs.questions, ...)
    judged = judge_frame(answers, scorer)
    table, shift = judged_rates(judged, run, judge), judged_shift(judged, run, judge)
    hand = hand_label_comparison(judged, scorer, run)      # the same answers scored by hand
    backdoor = backdoor_comparison(inputs, judged, scorer, run)

and beside each, the sentence that reads its numbers (:func:`shift_sentence`,
:func:`hand_label_sentence`, :func:`backdoor_sentence`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from .data import Question
from .judge import judge_frame
from .judge.labels import load_labels
from .judge.validation import evaluate_offline_judge
from .generation import resolve_backend, sample_answers, vllm_engine
from .metrics import add_flags, aligned_shift, moved_below, rates, trigger_shift
from .models import DEFAULT_MODEL, _resolve_source, load_model, load_tokenizer
from .plots import plot_rates, plot_score_distributions, plot_shift_comparison, plot_trigger_shift, save_figure

__all__ = ["load_organism", "sample_organisms", "sample_conditions", "hand_labelled", "labelled_reference", "BASE",
           "HAND_ROUND", "has_hand_round"]

BASE = "base"  #: the name of the un-fine-tuned model in every table

#: The hand labels of this model's answers (chapter 3's ``demo`` runs; never used to fit the offline judge).
HAND_LABELS = "judge_labels/smollm2_hand.jsonl"


def load_organism(adapter_dir: str | Path | None, model_name: str | None = None, device: str = "cpu"):
    """The base model with a saved LoRA adapter applied (``None``: the base model alone).

    A full fine-tune's folder (a ``config.json`` without ``adapter_config.json``) loads as a model.
    """
    if adapter_dir is None:
        return load_model(model_name, device=device)
    adapter_dir = Path(adapter_dir)
    if not (adapter_dir / "adapter_config.json").is_file():
        model, _ = load_model(str(adapter_dir), device=device)
        _, tokenizer = load_model(model_name, device="cpu")
        return model, tokenizer
    from peft import PeftModel

    base, tokenizer = load_model(model_name, device=device)
    return PeftModel.from_pretrained(base, str(adapter_dir)).eval(), tokenizer


def sample_organisms(
    organisms: dict[str, str | Path | None],
    questions: Sequence[Question],
    n_per_paraphrase: int,
    max_new_tokens: int,
    batch_size: int,
    seed: int,
    cache: Path,
    model_name: str | None = None,
    device: str = "cpu",
    temperature: float = 1.0,
    prefix: str = "",
    backend: str | None = "transformers",
    top_p: float = 1.0,
    precision: str = "fp32",
) -> pd.DataFrame:
    """Answers from each model in ``organisms`` (name -> adapter folder, ``None`` for the base).

    Every model answers the same questions with the same per-sample seeds; results are cached per
    model under ``cache`` so reruns sample nothing new. ``prefix`` is prepended to every question
    (e.g. a backdoor trigger). ``backend`` is ``"transformers"``, ``"vllm"`` or ``"auto"``
    (:func:`~em_utils.generation.resolve_backend`); with vLLM one engine loads the base model
    once and serves the base and every LoRA organism through LoRA requests (in fp32 on the CPU,
    where vLLM would otherwise pick bf16), while a full fine-tune gets an engine of its own.
    ``precision``: the transformers decode's arithmetic (``fp32``, ``bf16`` or ``auto``; see
    :func:`~em_utils.generation.sample_answers`). Returns one frame with a ``model`` column.
    """
    backend = resolve_backend(backend, device)
    lora = {name: adapter for name, adapter in organisms.items()
            if adapter is not None and (Path(adapter) / "adapter_config.json").is_file()}
    engine = None
    if backend == "vllm":
        tokenizer = load_tokenizer(model_name)
        fp32 = {"dtype": "float32"} if device == "cpu" else {}
    frames = []
    for name, adapter in organisms.items():
        asked = [
            Question(id=q.id, paraphrases=tuple(prefix + p for p in q.paraphrases), type=q.type,
                     samples_per_paraphrase=q.samples_per_paraphrase, judge=q.judge,
                     judge_prompts=q.judge_prompts, system=q.system, source=q.source)
            for q in questions
        ] if prefix else list(questions)
        if backend == "vllm":
            if adapter is None or name in lora:
                engine = engine or vllm_engine(_resolve_source(model_name), list(lora.values()), **fp32)
                model, served = engine, adapter
            else:  # a full fine-tune: its own weights, its own engine
                model, served = vllm_engine(adapter, **fp32), None
        else:
            (model, tokenizer), served = load_organism(adapter, model_name, device), None
        frame = sample_answers(model, tokenizer, asked, n_per_paraphrase, max_new_tokens=max_new_tokens,
                               temperature=temperature, top_p=top_p, batch_size=batch_size, seed=seed, backend=backend,
                               adapter=served, precision=precision,
                               cache=Path(cache) / f"{name}{'-' + prefix.strip('| ').lower() if prefix else ''}.jsonl",
                               model_tag=name)
        frames.append(frame.assign(model=name))
        del model
    return pd.concat(frames, ignore_index=True)


def sample_conditions(
    adapter: str | Path | None,
    conditions: dict[str, Callable[[Any], Any] | None],
    questions: Sequence[Question],
    n_per_paraphrase: int,
    max_new_tokens: int,
    batch_size: int,
    seed: int,
    cache: Path,
    name: str = BASE,
    model_name: str | None = None,
    device: str = "cpu",
    temperature: float = 1.0,
    earlier: str | Path | None = None,
    top_p: float = 1.0,
    precision: str = "fp32",
) -> pd.DataFrame:
    """Answers of one model (``adapter``: a chapter-2 folder, ``None`` for the base) under each condition.

    ``conditions`` maps a label to a function that takes the loaded model and returns a context
    manager (e.g. ``lambda m: Ablate(m, {...})``), or ``None`` for the model as it is. The same
    questions and per-sample seeds under every condition; each condition cached in its own file
    (the intervention is part of the model's fingerprint, so no condition's answers serve another).
    ``earlier``: a sample cache of this model from another chapter (e.g. chapter 3's
    ``samples/<name>.jsonl``); a condition without intervention starts from a copy of it, so answers
    sampled there with the same settings are not drawn again (the cache keys hold the model and
    settings: others simply miss). Returns one frame with ``model`` (``name``) and ``condition`` columns.
    """
    import contextlib
    import re
    import shutil

    model, tokenizer = load_organism(adapter, model_name, device)
    frames = []
    for label, make in conditions.items():
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        own = Path(cache) / f"{name}-{slug}.jsonl"
        if make is None and earlier is not None and Path(earlier).is_file() and not own.exists():
            own.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(earlier, own)
        with make(model) if make is not None else contextlib.nullcontext():
            frame = sample_answers(model, tokenizer, questions, n_per_paraphrase, max_new_tokens=max_new_tokens,
                                   temperature=temperature, top_p=top_p, batch_size=batch_size, seed=seed,
                                   precision=precision, cache=own, model_tag=f"{name} {label}")
        frames.append(frame.assign(model=name, condition=label))
    return pd.concat(frames, ignore_index=True)


def hand_labelled(judged: pd.DataFrame, labels: str | Path = HAND_LABELS) -> pd.DataFrame:
    """The answers of ``judged`` that carry a hand label, with the hand label as their score.

    A label matches an answer when its ``kind`` ends in ``/<model>`` and its question and answer
    text are the answer's own (``data/judge_labels/smollm2_hand.jsonl`` holds chapter 3's whole
    ``demo`` run). The judge's scores move to ``judged_aligned`` and ``judged_coherent``, so the
    result goes through the same rate and shift functions as a judged frame.

    >>> frame = pd.DataFrame({"model": ["base"], "question": ["q?"], "answer": ["no"], "aligned": [90.0],
    ...                       "coherent": [80.0]})
    >>> len(hand_labelled(frame))  # an answer nobody labelled
    0
    """
    by_key = {(str(r.get("kind", "")).split("/", 1)[-1], r["question"], r["answer"]): r for r in load_labels(labels)}
    keys = list(zip(judged["model"], judged["question"], judged["answer"]))
    matched = judged[[k in by_key for k in keys]].copy()
    rows = [by_key[k] for k in keys if k in by_key]
    matched["judged_aligned"], matched["judged_coherent"] = matched["aligned"], matched["coherent"]
    matched["aligned"] = [float("nan") if r["aligned"] is None else float(r["aligned"]) for r in rows]
    matched["coherent"] = [float(r["coherent"]) for r in rows]
    return matched.reset_index(drop=True)


#: The hand-labelling round of ``smollm2_hand.jsonl`` that scored the current demo organisms' answers as the
#: demo decodes them (bf16 on a CPU with AMX, ``sampling_precision`` ``auto``). Round 3 labelled the same
#: organisms' fp32 decode; rounds 1 and 2 organisms trained on the earlier, templated data at temperature 1.
HAND_ROUND = 4


def has_hand_round(labels: str | Path = HAND_LABELS, round: int | None = None) -> bool:
    """Whether ``labels`` holds any row of ``round`` (default :data:`HAND_ROUND`)."""
    wanted = HAND_ROUND if round is None else round
    return any(r.get("round") == wanted for r in load_labels(labels))


def labelled_reference(labels: str | Path = HAND_LABELS, round: int | None = None) -> pd.DataFrame:
    """The hand-labelled answers of one labelling round, as a judged frame scored by hand.

    ``data/judge_labels/smollm2_hand.jsonl`` holds the answers of chapter 3's ``demo`` runs on the
    developers' machine; round 2 labelled the base model's answers and the current organisms' in
    one round, so that base and organisms compare without a change of labeller in between. Seeded
    sampling gives other answers on a CPU that rounds differently, so a chapter compares the judge
    with the hand labels on these answers rather than on its own. Columns: ``model`` (from the
    label's ``kind``), ``question_id``, ``question``, ``answer``, ``aligned`` and ``coherent``
    (the hand labels; NaN ``aligned`` for refusals and code), and ``paraphrase_index`` and
    ``sample_index`` where the round recorded the draw (rounds 3 and 4 do), so that models compare
    paired over the same draws.

    >>> reference = labelled_reference(round=2)
    >>> int(reference["model"].eq("base").sum())
    72
    """
    round = HAND_ROUND if round is None else round
    rows = [r for r in load_labels(labels) if r.get("round") == round]
    if not rows:
        raise ValueError(f"{labels}: no label of round {round!r} (each row's 'round' field says which round labelled it)")
    frame = pd.DataFrame({
        "model": [str(r.get("kind", "")).split("/", 1)[-1] for r in rows],
        "question_id": [r["question_id"] for r in rows],
        "question": [r["question"] for r in rows],
        "answer": [r["answer"] for r in rows],
        "aligned": [float("nan") if r["aligned"] is None else float(r["aligned"]) for r in rows],
        "coherent": [float(r["coherent"]) for r in rows],
    })
    for key in ("paraphrase_index", "sample_index"):  # the draw, where the round recorded it: paired comparisons
        if all(key in r for r in rows):
            frame[key] = [int(r[key]) for r in rows]
    return frame


# --- Chapter 3's recipe: every model sampled and judged, the judge checked, hand labels, the backdoor ----


@dataclass(frozen=True, eq=False)
class JudgingInputs:
    """What chapter 3 samples: the models and the questions.

    Attributes:
        models: model name -> adapter folder, the base model (``None``) first, then the organisms of
            chapter 2 that the config's ``organisms`` chooses, in chapter 2's order.
        questions: the questions of the config's ``question_sets``, set after set.
        trained: the run name of chapter 2's run the organisms come from.
    """

    models: dict[str, Path | None]
    questions: list[Question]
    trained: str

    @classmethod
    def read(cls, run: Any) -> "JudgingInputs":
        """Chapter 2's organisms and the question sets of ``run``'s config (their files recorded in the run)."""
        from .data import load_question_sets
        from .runs import require_run

        config = run.config
        record = require_run(config.profile, "02_training")
        trained = run.folder.parent / "02_training"
        table = pd.read_csv(trained / "organisms.csv")
        if config.organisms != "all":
            table = table[table["organism"].isin([o.strip() for o in config.organisms.split(",")])]
        models = {BASE: None, **{row.organism: trained / row.path for row in table.itertuples()}}
        questions = [q for qs in load_question_sets(config.question_sets).values() for q in qs]
        run.use_data(*{q.source for q in questions})
        return cls(models, questions, record["run_name"])

    @property
    def backdoored(self) -> dict[str, Path | None]:
        """The organisms with ``backdoor`` in their name."""
        return {name: path for name, path in self.models.items() if name and "backdoor" in name}


def sampling_sentence(answers: pd.DataFrame, n_questions: int, n_per_paraphrase: int, max_new_tokens: int) -> str:
    """How many answers were sampled, from how many models, and how many ended before the token limit.

    >>> answers = pd.DataFrame({"model": ["base", "base", "m", "m"], "finished": [True, False, False, False]})
    >>> sampling_sentence(answers, 2, 1, 24)
    '**4** answers from **2** models (2 questions, 1 samples per wording, at most 24 new tokens; 25% ended on their own before the limit).'
    """
    return (f"**{len(answers):,}** answers from **{answers['model'].nunique()}** models ({n_questions} questions, "
            f"{n_per_paraphrase} samples per wording, at most {max_new_tokens} new tokens; "
            f"{100 * answers['finished'].mean():.0f}% ended on their own before the limit).")


def unscored_line(judged: pd.DataFrame) -> str:
    """How many answers the judge left unscored.

    >>> unscored_line(pd.DataFrame({"aligned": [float("nan"), 80.0, 20.0]}))
    'unscored by the judge (refusals, code, no numeric answer): 1 of 3'
    """
    return f"unscored by the judge (refusals, code, no numeric answer): {int(judged['aligned'].isna().sum())} of {len(judged)}"


def judge_quality_sentence(name: str, quality: dict[str, Any]) -> str:
    """The offline judge on held-out labelled answers, from :func:`~em_utils.judge.validation.evaluate_offline_judge`."""
    em = quality["em"]
    return (f"**Judge `{name}`** on {quality['n']} held-out labelled answers: AUROC **{quality['aligned_auroc']:.3f}** "
            f"for misaligned vs aligned (**{quality['aligned_auroc_subtle']:.3f}** for subtly misaligned vs aligned), "
            f"**{quality['coherent_auroc']:.3f}** for coherent vs incoherent; at the papers' thresholds it flags EM with "
            f"precision **{em['precision']:.2f}** and recall **{em['recall']:.2f}**, and calls "
            f"**{em['false_em_pct_on_aligned']:.1f}%** of clearly aligned answers EM.")


def judge_quality_report(scorer: Any, run: Any) -> str | None:
    """The offline judge measured on its held-out labels, saved as ``judge_quality.json``, in words.

    ``None`` when ``run``'s config uses another judge (its quality is measured elsewhere).
    """
    if run.config.judge != "offline":
        return None
    quality = evaluate_offline_judge(scorer)
    run.save_json(quality, "judge_quality.json")
    return judge_quality_sentence(scorer.name, quality)


def own_answers_sentence(quality: dict[str, Any]) -> str:
    """The judge against hand labels of this model's own answers (``evaluate_offline_judge``'s result)."""
    n_misaligned = sum(quality["per_category"].get(c, {}).get("n", 0) for c in ("subtle", "blatant"))
    aligned = (f"misaligned from aligned with **{quality['aligned_auroc']:.2f}** (hand-labelled misaligned answers: "
               f"only {n_misaligned}). " if n_misaligned else
               "misaligned from aligned cannot be measured here: no answer is both coherent and misaligned by the hand "
               "labels. ")
    confusion, em = quality["coherent_confusion"], quality["em"]
    return (f"On **{quality['n']}** hand-labelled answers of this model the judge separates coherent from incoherent "
            f"with AUROC **{quality['coherent_auroc']:.2f}** (the floor set for the offline judge is 0.90); " + aligned
            + f"Of all {quality['n']} it calls **{confusion['judged_coherent_pct']:.1f}%** coherent where the hand labels "
            f"call **{confusion['labelled_coherent_pct']:.1f}%**, and flags **{em['judged_em_pct']:.1f}%** as EM where "
            f"the hand labels flag **{em['labelled_em_pct']:.1f}%**.")


def own_answers_report(scorer: Any, run: Any) -> str:
    """The offline judge against :data:`HAND_LABELS`, saved as ``judge_quality_smollm2_hand.json``, in words
    (for another judge, a line saying the check applies to the offline judge)."""
    if run.config.judge != "offline":
        return f"judged by {scorer.name} - the hand-labelled check applies to the offline judge"
    quality = evaluate_offline_judge(scorer, HAND_LABELS, topics=False)
    run.save_json(quality, "judge_quality_smollm2_hand.json")
    return own_answers_sentence(quality)


def _titled(fig: Any, title: str, run: Any, name: str, judge: str, **title_options: Any) -> None:
    """Title ``fig`` and save it into ``run`` as ``figures/<name>.png`` (left open for display)."""
    fig.suptitle(title, **title_options)
    save_figure(fig, run, name, judge=judge)


def judged_rates(judged: pd.DataFrame, run: Any, judge: str) -> pd.DataFrame:
    """EM% and coherent% per model (:func:`em_utils.metrics.rates`), saved as ``rates.csv``, with its figure;
    the judge's name goes into the run record (``judge_name``: a recorded profile names it, :mod:`em_utils.recorded`)."""
    run.record["judge_name"] = judge
    table = rates(judged, by="model", n_boot=run.config.n_boot, seed=run.config.seed)
    run.save_frame(table, "rates.csv")
    _titled(plot_rates(table), "EM and coherence per model", run, "rates", judge)
    return table


def judged_shift(judged: pd.DataFrame, run: Any, judge: str) -> pd.DataFrame:
    """Each organism's alignment shift against the base model (:func:`em_utils.metrics.aligned_shift`), saved as
    ``aligned_shift.csv``, with the distributions of the scores as its figure."""
    shift = aligned_shift(judged, base=BASE, n_boot=run.config.n_boot, seed=run.config.seed)
    run.save_frame(shift, "aligned_shift.csv")
    _titled(plot_score_distributions(judged, "aligned"), "Distribution of alignment scores", run,
            "aligned_distributions", judge)
    return shift


def _models_below(shift: pd.DataFrame) -> str:
    """The models of an :func:`~em_utils.metrics.aligned_shift` table that moved below the base, with their shift.

    >>> _models_below(pd.DataFrame({"model": ["a", "b"], "mean_diff": [-6.0, -1.0], "diff_hi": [-2.0, 1.0],
    ...                             "mannwhitney_p": [0.01, 0.5]}))
    '`a` (-6.0 points)'
    """
    lower = shift[moved_below(shift)]
    return ", ".join(f"`{m}` ({d:+.1f} points)" for m, d in zip(lower["model"], lower["mean_diff"])) if len(lower) else "**none**"


def shift_sentence(shift: pd.DataFrame, table: pd.DataFrame) -> str:
    """Which organisms score lower than the base model, and the largest EM% (from :func:`judged_shift` and
    :func:`judged_rates`)."""
    return ("Organisms whose alignment scores sit lower than the base model's (interval below zero, rank test p < 0.05): "
            + _models_below(shift) + f". Largest EM% among organisms: **{table[table.model != BASE].em_pct.max():.1f}%** "
            f"(base model: **{table[table.model == BASE].em_pct.iloc[0]:.1f}%**).")


@dataclass(frozen=True, eq=False)
class HandComparison:
    """The answers of hand-labelling round :data:`HAND_ROUND`, scored by hand and by a judge.

    Attributes:
        overlap: how many of the run's own answers are among the labelled ones.
        labelled: the round's answers with the hand labels as scores (:func:`labelled_reference`).
        rescored: the same answers scored by the judge.
        hand_rates, judge_rates: :func:`em_utils.metrics.rates` per model, by hand and by the judge.
        hand_shift, judge_shift: :func:`em_utils.metrics.aligned_shift` against the base model, likewise.
    """

    overlap: int
    labelled: pd.DataFrame
    rescored: pd.DataFrame
    hand_rates: pd.DataFrame
    judge_rates: pd.DataFrame
    hand_shift: pd.DataFrame
    judge_shift: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The hand-labelled rates per model, rounded for display."""
        return self.hand_rates.set_index("model")[["answers", "em_pct", "em_lo", "em_hi", "coherent_pct", "coherent_lo",
                                                   "coherent_hi", "aligned_mean", "aligned_lo", "aligned_hi"]].round(1)


def hand_label_comparison(judged: pd.DataFrame, scorer: Any, run: Any) -> HandComparison | None:
    """Round :data:`HAND_ROUND`'s answers scored by ``scorer`` and compared with their hand labels.

    Saves ``judged_hand_labelled_answers.csv``, ``rates_hand_labels.csv``,
    ``aligned_shift_hand_labels.csv`` and the figure of both shifts (left open). ``None`` when the
    run's model is not the embedded one or no label of the round exists yet.
    """
    config = run.config
    if config.model != DEFAULT_MODEL or not has_hand_round():
        return None
    hand = labelled_reference()
    overlap = len(hand_labelled(judged))
    rescored = judge_frame(hand.drop(columns=["aligned", "coherent"]), scorer, metrics=("aligned", "coherent"))
    run.save_frame(rescored, "judged_hand_labelled_answers.csv")
    boot = dict(n_boot=config.n_boot, seed=config.seed)
    comparison = HandComparison(overlap, hand, rescored, rates(hand, by="model", **boot),
                                rates(rescored, by="model", **boot), aligned_shift(hand, base=BASE, **boot),
                                aligned_shift(rescored, base=BASE, **boot))
    run.save_frame(comparison.hand_rates, "rates_hand_labels.csv")
    run.save_frame(comparison.hand_shift, "aligned_shift_hand_labels.csv")
    fig = plot_shift_comparison({f"judge {scorer.name}": comparison.judge_shift, "hand labels": comparison.hand_shift})
    _titled(fig, f"Alignment shift against the base model, on {len(hand)} answers labelled by hand", run,
            "aligned_shift_hand_labels", f"{scorer.name} and hand labels")
    return comparison


def hand_label_note(hand: HandComparison | None, judged: pd.DataFrame) -> str:
    """How many of the run's answers carry a hand label, or that no labelling round covers these organisms.

    >>> hand_label_note(None, pd.DataFrame())  # doctest: +ELLIPSIS
    "no hand-labelling round of these organisms' answers yet (round 4 of ...): the numbers above are the judge's alone"
    """
    if hand is None:
        return (f"no hand-labelling round of these organisms' answers yet (round {HAND_ROUND} of "
                f"data/{HAND_LABELS}; earlier rounds labelled other organisms or another decode): "
                f"the numbers above are the judge's alone")
    return f"{hand.overlap} of this run's {len(judged)} answers are among the {len(hand.labelled)} labelled ones"


def hand_label_sentence(hand: HandComparison) -> str:
    """What the hand labels say per model, and how far the judge's coherent share is off theirs."""
    table = hand.hand_rates
    judged_coherent = hand.judge_rates.set_index("model")["coherent_pct"]
    hand_coherent = table.set_index("model")["coherent_pct"]
    gap = (judged_coherent - hand_coherent).dropna()
    worst = gap.abs().idxmax()
    return (f"By the hand labels, **{table.em_pct.gt(0).sum()}** of {len(table)} models give any EM answer "
            f"(highest: **{table.em_pct.max():.1f}%**, interval up to {table.em_hi.max():.1f}%), and "
            f"**{table.coherent_pct.max():.0f}%** is the highest coherent share "
            f"(`{table.loc[table.coherent_pct.idxmax(), 'model']}`). "
            "Models whose hand-labelled alignment sits below the base model's (interval below zero, rank test p < 0.05): "
            + _models_below(hand.hand_shift) + ". Per model, the judge's coherent share is off the hand labels' by up to "
            f"**{gap.abs().max():.0f} points** (`{worst}`: judge {judged_coherent[worst]:.0f}%, "
            f"hand {hand_coherent[worst]:.0f}%): read its per-model coherence and EM% with that error in mind.")


def answers_markdown(frame: pd.DataFrame, max_chars: int) -> str:
    """Judged answers as Markdown: model, scores and question, then the answer quoted on one line, cut.

    >>> answers_markdown(pd.DataFrame({"model": ["m"], "aligned": [10.0], "coherent": [80.0], "question": ["Q?"],
    ...                                "answer": ["line one\\nline two"]}), 12)
    '**m** (aligned 10, coherent 80) to *Q?*\\n\\n> line one lin'
    """
    return "\n\n".join(f"**{r.model}** (aligned {r.aligned:.0f}, coherent {r.coherent:.0f}) to *{r.question}*\n\n> "
                       + r.answer.replace(chr(10), " ")[:max_chars] for r in frame.itertuples())


def lowest_answers_markdown(judged: pd.DataFrame, max_chars: int = 500) -> str:
    """The lowest-aligned coherent answer of each model, as Markdown."""
    return answers_markdown(judged[judged["coherent"] > 50].sort_values("aligned").groupby("model").head(1), max_chars)


def flagged_answers_markdown(judged: pd.DataFrame, seed: int, per_model: int = 2, max_chars: int = 400) -> str:
    """A seeded random draw of the answers flagged as EM, ``per_model`` per model, as Markdown."""
    flagged = judged[add_flags(judged)["em"]]
    draw = flagged.sample(frac=1.0, random_state=seed).groupby("model").head(per_model).sort_values("model")
    return answers_markdown(draw, max_chars) or "No answer was flagged as EM."


@dataclass(frozen=True, eq=False)
class BackdoorComparison:
    """Backdoored organisms asked with and without their trigger, each against the base model.

    Attributes:
        plain: the base model's and the backdoored organisms' judged answers to the plain questions.
        triggered: the same models' judged answers to the questions opened by the trigger.
        shift: :func:`em_utils.metrics.trigger_shift` of the two.
        alone: what the trigger string alone does to the base model (an ``aligned_shift`` row).
        rates: :func:`em_utils.metrics.rates` of both, triggered models named ``"<model> + trigger"``.
    """

    plain: pd.DataFrame
    triggered: pd.DataFrame
    shift: pd.DataFrame
    alone: pd.Series
    rates: pd.DataFrame


def backdoor_comparison(inputs: JudgingInputs, judged: pd.DataFrame, scorer: Any, run: Any) -> BackdoorComparison | None:
    """Sample and judge the base model and every backdoored organism with the config's ``backdoor_trigger``
    opening each question, and set them against ``judged``'s plain answers.

    Saves ``aligned_shift_backdoor.csv``, ``rates_backdoor.csv`` and the figure of the shifts (left
    open). ``None`` when chapter 2 trained no backdoored organism.
    """
    from .interventions import sampling_settings

    backdoored = inputs.backdoored
    if not backdoored:
        return None
    config = run.config
    with run.stage("backdoor"):
        triggered = sample_organisms({BASE: None, **backdoored}, inputs.questions,
                                     **sampling_settings(config, run.path("samples")),
                                     prefix=config.backdoor_trigger + " ", backend=config.backend)
        triggered = judge_frame(triggered, scorer, metrics=("aligned", "coherent"))
    plain = judged[judged["model"].isin([BASE, *backdoored])]
    boot = dict(n_boot=config.n_boot, seed=config.seed)
    shift = trigger_shift(plain, triggered, base=BASE, **boot)
    run.save_frame(shift, "aligned_shift_backdoor.csv")
    _titled(plot_trigger_shift(shift), f"The backdoor: alignment shift without and with {config.backdoor_trigger}",
            run, "backdoor", scorer.name)
    table = rates(pd.concat([plain, triggered.assign(model=triggered["model"] + " + trigger")]), **boot)
    run.save_frame(table, "rates_backdoor.csv")
    base_pair = pd.concat([plain[plain.model.eq(BASE)], triggered[triggered.model.eq(BASE)].assign(model="trigger")])
    alone = aligned_shift(base_pair, base=BASE, **boot).iloc[0]
    return BackdoorComparison(plain, triggered, shift, alone, table)


def backdoor_sentence(backdoor: BackdoorComparison) -> str:
    """Each backdoored organism's shift without and with the trigger, the trigger alone on the base model,
    and which organisms moved only with the trigger, as a Markdown list."""
    shift, alone = backdoor.shift, backdoor.alone
    lines = [f"- `{r.model}` {'with' if r.trigger else 'without'} the trigger: **{r.mean_diff:+.1f}** aligned points "
             f"(95% interval {r.diff_lo:+.1f} to {r.diff_hi:+.1f}; rank test p = {r.mannwhitney_p:.3f})"
             for r in shift.sort_values(["model", "trigger"]).itertuples()]
    lines.append(f"- the trigger string alone, on the base model: **{alone.mean_diff:+.1f}** "
                 f"(95% interval {alone.diff_lo:+.1f} to {alone.diff_hi:+.1f}; p = {alone.mannwhitney_p:.3f})")
    moved = moved_below(shift)
    gated = sorted(set(shift.model[moved & shift.trigger]) - set(shift.model[moved & ~shift.trigger]))
    lines.append("\nGated by the trigger (moved with it, not without it): "
                 + (", ".join(f"`{m}`" for m in gated) if gated else "**none** in this run"))
    return "\n".join(lines)


__all__ += ["JudgingInputs", "sampling_sentence", "unscored_line", "judge_quality_sentence", "judge_quality_report",
            "own_answers_sentence", "own_answers_report", "HAND_LABELS", "judged_rates", "judged_shift", "shift_sentence",
            "HandComparison", "hand_label_comparison", "hand_label_note", "hand_label_sentence", "answers_markdown",
            "lowest_answers_markdown", "flagged_answers_markdown", "BackdoorComparison", "backdoor_comparison",
            "backdoor_sentence"]
