"""Sampling answers from the base model and each organism of chapter 2, ready for judging."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from .data import Question
from .judge_offline import load_labels
from .generation import resolve_backend, sample_answers, vllm_engine
from .models import _resolve_source, load_model, load_tokenizer

__all__ = ["load_organism", "sample_organisms", "sample_conditions", "hand_labelled", "labelled_reference", "BASE",
           "HAND_ROUND", "has_hand_round"]

BASE = "base"  #: the name of the un-fine-tuned model in every table


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
) -> pd.DataFrame:
    """Answers from each model in ``organisms`` (name -> adapter folder, ``None`` for the base).

    Every model answers the same questions with the same per-sample seeds; results are cached per
    model under ``cache`` so reruns sample nothing new. ``prefix`` is prepended to every question
    (e.g. a backdoor trigger). ``backend`` is ``"transformers"``, ``"vllm"`` or ``"auto"``
    (:func:`~em_utils.generation.resolve_backend`); with vLLM one engine loads the base model
    once and serves the base and every LoRA organism through LoRA requests (in fp32 on the CPU,
    where vLLM would otherwise pick bf16), while a full fine-tune gets an engine of its own.
    Returns one frame with a ``model`` column.
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
                               adapter=served,
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
                                   cache=own, model_tag=f"{name} {label}")
        frames.append(frame.assign(model=name, condition=label))
    return pd.concat(frames, ignore_index=True)


def hand_labelled(judged: pd.DataFrame, labels: str | Path = "judge_labels/smollm2_hand.jsonl") -> pd.DataFrame:
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


#: The hand-labelling round of ``smollm2_hand.jsonl`` that scored the current demo organisms' answers
#: (round 1 and 2 labelled organisms trained on the earlier, templated data at temperature 1).
HAND_ROUND = 3


def has_hand_round(labels: str | Path = "judge_labels/smollm2_hand.jsonl", round: int | None = None) -> bool:
    """Whether ``labels`` holds any row of ``round`` (default :data:`HAND_ROUND`)."""
    wanted = HAND_ROUND if round is None else round
    return any(r.get("round") == wanted for r in load_labels(labels))


def labelled_reference(labels: str | Path = "judge_labels/smollm2_hand.jsonl", round: int | None = None) -> pd.DataFrame:
    """The hand-labelled answers of one labelling round, as a judged frame scored by hand.

    ``data/judge_labels/smollm2_hand.jsonl`` holds the answers of chapter 3's ``demo`` runs on the
    developers' machine; round 2 labelled the base model's answers and the current organisms' in
    one round, so that base and organisms compare without a change of labeller in between. Seeded
    sampling gives other answers on a CPU that rounds differently, so a chapter compares the judge
    with the hand labels on these answers rather than on its own. Columns: ``model`` (from the
    label's ``kind``), ``question_id``, ``question``, ``answer``, ``aligned`` and ``coherent``
    (the hand labels; NaN ``aligned`` for refusals and code), and ``paraphrase_index`` and
    ``sample_index`` where the round recorded the draw (round 3 does), so that models compare
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
