"""A long profile's runs, recorded in the repository for the book to read.

The ``overnight`` profile (the 0.5B model near the papers' budgets) takes hours on a laptop; the
demo book and its tests must not. Once it has run, ``em-companion record overnight`` copies what
its chapters wrote and later readers need from ``runs/overnight/`` to
``benchmarks/results/recorded/overnight/``, committed like a benchmark result:

- every chapter folder with a complete ``run.json`` (its record: parameters as passed and resolved,
  commit, packages, hardware), its tables and figures, its judged answers, and the rank-1 adapters
  with their checkpoints' adapter weights and trainer states (kilobytes each);
- left out, and listed as such in ``record.json``: optimiser, scheduler and RNG states, the sample
  caches (``judged.csv`` holds every answer), and any file over :data:`MAX_FILE_BYTES` (a rank-32
  adapter);
- at the top, the chapter 3 answers in the form of a recorded dose-response (``answers.csv``: one row
  per answer with its organism's kind, data set, learning rate and rows; ``record.json``: model,
  seed, profile, commit, the CPU the chapters ran on, precision and judge), so that the hand labels of a blind round
  (``hand_labels.jsonl``, written by ``tools/blind_pool.py collect``) join them exactly as they join
  a dose-response's, and chapter 3's "EM across sizes" reads the overnight organisms beside the
  recorded dose-responses (:func:`em_utils.dose.recorded_models` lists ``recorded/<profile>``).

Recording again replaces the copied files and keeps the hand labels.

>>> MAX_FILE_BYTES // 1024
2048
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from .paths import project_root, runs_dir

__all__ = ["MAX_FILE_BYTES", "recorded_dir", "record_profile", "recorded_answers", "recorded_organism", "rerun_first_steps",
           "organism_dir", "recorded_chapter", "chapter_judge", "provenance", "caption"]

#: Files larger than this stay in ``runs/`` (a rank-32 adapter of the 0.5B model is ~35 MB; a rank-1 one 23 KB).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: What a later chapter never reads: the Trainer's states for resuming, the live progress file, PEFT's model cards.
_LEFT_OUT = frozenset({"optimizer.pt", "rng_state.pth", "scheduler.pt", "training_args.bin", "progress.json", "README.md"})
#: Folders that are caches of what a table already holds (the samples behind ``judged.csv``).
_CACHES = frozenset({"samples"})
#: The hand labels of the recorded answers, kept when a profile is recorded again.
HAND_LABELS = "hand_labels.jsonl"


def recorded_dir(profile: str | None = None) -> Path:
    """``benchmarks/results/recorded`` (or the folder of one ``profile`` in it)."""
    root = project_root() / "benchmarks" / "results" / "recorded"
    return root / profile if profile else root


def _chapter_records(source: Path) -> dict[str, dict[str, Any]]:
    records = {}
    for folder in sorted(p for p in source.iterdir() if (p / "run.json").is_file()):
        records[folder.name] = json.loads((folder / "run.json").read_text())
    return records


def _copy_chapter(folder: Path, target: Path, left_out: list[str]) -> int:
    if target.is_dir():
        shutil.rmtree(target)
    copied = 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or path.name in _LEFT_OUT or _CACHES & set(relative.parts[:-1]):
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            left_out.append(f"{folder.name}/{relative} ({size:,} bytes, over {MAX_FILE_BYTES:,})")
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
        copied += 1
    return copied


def recorded_answers(folder: str | Path) -> pd.DataFrame:
    """Chapter 3's judged answers of a recorded (or live) profile folder, in a dose-response's columns.

    ``folder`` holds ``02_training/organisms.csv`` and ``03_judging/judged.csv`` and ``run.json``. One row
    per answer of the base model and of each organism chapter 2 trained (a backdoor's triggered
    answers are left out): ``run`` (the model's name in chapter 3), ``kind`` (``base`` or the organism's
    template), ``dataset``, ``lr``, ``rows``, ``temperature`` (chapter 3's, resolved), the draw's
    question, paraphrase and sample, the answer and the judge's ``aligned`` and ``coherent``.
    """
    folder = Path(folder)
    judged = pd.read_csv(folder / "03_judging" / "judged.csv")
    organisms = pd.read_csv(folder / "02_training" / "organisms.csv")
    resolved = json.loads((folder / "03_judging" / "run.json").read_text())["resolved"]
    about = {"base": {"kind": "base", "dataset": "", "lr": 0.0, "rows": 0}}
    for row in organisms.itertuples():
        about[row.organism] = {"kind": row.organism[: -len(row.dataset) - 1], "dataset": row.dataset,
                               "lr": float(row.lr), "rows": int(row.rows)}
    mine = judged[judged["model"].isin(list(about)) & (judged["model_tag"] == judged["model"])]
    extra = pd.DataFrame([about[m] for m in mine["model"]], index=mine.index)
    answers = pd.concat([mine.rename(columns={"model": "run"}), extra], axis=1)
    answers["temperature"] = float(resolved["temperature"])
    columns = ["run", "kind", "dataset", "lr", "rows", "temperature", "question_id", "paraphrase_index",
               "sample_index", "question", "answer", "n_new_tokens", "finished", "aligned", "coherent"]
    return answers[columns].reset_index(drop=True)


def _dose_record(records: dict[str, dict[str, Any]], organisms: pd.DataFrame, host: dict[str, Any]) -> dict[str, Any]:
    """The top ``record.json``: what :func:`em_utils.dose.sizes_table` reads, with the profile's provenance."""
    training, judging = records["02_training"], records["03_judging"]
    precision = sorted(set(organisms["precision"].astype(str)))
    ran_on = {r["hardware"]["cpu"] for r in records.values() if r.get("hardware", {}).get("cpu")}
    if ran_on:  # the chapters' own records name the CPU they ran on (records written before they did: the recording host's)
        host = {**host, "cpu": " / ".join(sorted(ran_on))}
    return {
        "spec": {"profile": training["profile"], "model": judging["resolved"]["model"], "seed": judging["seed"],
                 "training": {k: training["resolved"][k] for k in ("organisms", "max_rows", "batch_size", "epochs",
                                                                   "lr", "warmup_steps", "scheduler", "save_steps")},
                 "sampling": {k: judging["resolved"][k] for k in ("temperature", "top_p", "n_per_paraphrase",
                                                                  "max_new_tokens", "question_sets")}},
        "judge": judging.get("judge_name") or judging["resolved"]["judge"],
        "precision": {"precision": "/".join(precision), **host},
        "date": judging["finished_utc"][:10],
        "commit": {name: record["git"] for name, record in records.items()},
    }


def record_profile(profile: str = "overnight", dest: str | Path | None = None) -> dict[str, Any]:
    """Copy ``runs/<profile>/`` into ``benchmarks/results/recorded/<profile>/`` (see the module's docstring).

    Returns the top record (also written as ``record.json``). Raises ``FileNotFoundError`` naming the
    command to run when the profile has no complete chapter 2 and 3.
    """
    from .precision import cpu_info

    source = runs_dir() / profile
    records = _chapter_records(source) if source.is_dir() else {}
    complete = {name: r for name, r in records.items() if r.get("status") == "complete"}
    missing = [c for c in ("02_training", "03_judging") if c not in complete]
    if missing:
        raise FileNotFoundError(f"{source}: no complete {' or '.join(missing)} in profile {profile!r}; run "
                                f"`em-companion run {missing[0]} --profile {profile}` (or `make book PROFILE={profile}`) first")
    dest = Path(dest) if dest else recorded_dir(profile)
    dest.mkdir(parents=True, exist_ok=True)
    left_out = [f"{name}/ (run {r.get('status')})" for name, r in records.items() if name not in complete]
    files = {name: _copy_chapter(source / name, dest / name, left_out) for name in complete}
    organisms = pd.read_csv(source / "02_training" / "organisms.csv")
    recorded_answers(source).to_csv(dest / "answers.csv", index=False)
    record = {**_dose_record(complete, organisms, cpu_info()), "recorded_utc": datetime.now(timezone.utc).isoformat(
        timespec="seconds"), "files": files, "left_out": left_out}
    (dest / "record.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def _organism_folders(training: Path) -> dict[str, Path]:
    """``{organism name: its folder}`` for every organism with an ``organism.json`` under chapter 2's folder."""
    paths = sorted(training.glob("*/organism.json")) if training.is_dir() else []
    return {json.loads(p.read_text())["spec"]["name"]: p.parent for p in paths}


def recorded_organism(folder: str | Path, name: str):
    """The :class:`~em_utils.training.OrganismSpec` of organism ``name`` in a recorded (or live) profile folder,
    rebuilt from its ``organism.json`` and checked against the spec hash it was trained under, and its folder.

    Raises ``KeyError`` naming the organisms there are, ``ValueError`` when this code builds another hash
    (the organism templates or the training code changed since it was recorded).
    """
    from .training.specs import OrganismSpec

    training = Path(folder) / "02_training"
    found = _organism_folders(training)
    if name not in found:
        raise KeyError(f"{training}: no organism {name!r} (organisms: {sorted(found)})")
    saved = json.loads((found[name] / "organism.json").read_text())
    fields = {**saved["spec"], "target_modules": tuple(saved["spec"]["target_modules"])}
    spec = OrganismSpec(**fields)
    if spec.spec_hash != saved["spec_hash"]:
        raise ValueError(f"{found[name] / 'organism.json'}: trained under spec hash {saved['spec_hash']}, this code "
                         f"builds {spec.spec_hash}: the training code changed since it was recorded")
    return spec, found[name]


def rerun_first_steps(folder: str | Path, name: str, steps: int = 3, device: str = "cpu",
                      workdir: str | Path | None = None) -> pd.DataFrame:
    """Retrain the first ``steps`` optimiser steps of organism ``name`` of a recorded profile from its record
    alone (:func:`recorded_organism`, the profile's model, the precision it resolved) and set the losses
    beside the recorded ones (:func:`em_utils.dose.rerun_losses`)."""
    from .dose import rerun_losses

    spec, _ = recorded_organism(folder, name)
    training = Path(folder) / "02_training"
    model = json.loads((training / "run.json").read_text())["resolved"]["model"]
    losses = pd.read_csv(training / "losses.csv")  # chapter 2's loss per step and organism
    recorded = losses.loc[losses["organism"] == name, ["step", "loss"]].rename(columns={"loss": "recorded"})
    return rerun_losses(spec, model, recorded, steps, device, workdir)


def organism_dir(profile: str, name: str) -> Path | None:
    """The recorded folder of organism ``name`` of ``profile`` (its checkpoints, adapter and records), or
    ``None`` when the profile is not recorded or did not train it."""
    return _organism_folders(recorded_dir(profile) / "02_training").get(name)


def recorded_chapter(run: Any, profile: str, chapter: str) -> Path | str:
    """The recorded folder of ``chapter`` (``"06_narrow"``) in ``profile``, or the line a chapter's "(recorded)"
    section shows instead: that this is the profile's own run (``run.config.profile == profile``), or the commands
    that would record it."""
    if getattr(getattr(run, "config", None), "profile", None) == profile:
        return f"This is the `{profile}` profile's own run: the sections above are its numbers."
    folder = recorded_dir(profile) / chapter
    if not (folder / "run.json").is_file():
        return (f"No `{profile}` run of chapter {int(chapter[:2])} is recorded: `em-companion run {chapter} --profile "
                f"{profile}`, then `em-companion record {profile}`.")
    return folder


def chapter_judge(chapter: Path) -> str:
    """The judge a recorded (or live) chapter folder's numbers came from: as its own figures name it
    (``run.json`` ``figures``, leaving out judge-free and recorded ones), else its profile's chapter 3 judge when
    both chapters asked for the same kind, else the kind it asked for."""
    record = json.loads((chapter / "run.json").read_text())
    named = {f.get("judge") for f in record.get("figures", {}).values() if not f.get("recorded")} - {None}
    named = {j for j in named if not j.startswith("none")}
    if len(named) == 1:
        return named.pop()
    folder, kind = chapter.parent, record["resolved"]["judge"]
    judging = folder / "03_judging" / "run.json"
    if judging.is_file() and (folder / "record.json").is_file() and json.loads(judging.read_text())["resolved"]["judge"] == kind:
        return json.loads((folder / "record.json").read_text()).get("judge") or str(kind)
    return str(kind)


def provenance(profile: str) -> dict[str, str]:
    """Where a recorded profile's numbers come from: ``model``, ``profile`` and a ``note`` with the date, the
    chapters' commits (``dirty`` when the tree had uncommitted changes as one ran), the CPU and the precision
    (what :func:`em_utils.plots.save_figure` stamps under a figure drawn from it)."""
    record = json.loads((recorded_dir(profile) / "record.json").read_text())
    commits = sorted({c["commit"][:7] + (" dirty" if c.get("dirty") else "") for c in record.get("commit", {}).values()})
    host = record.get("precision", {})
    return {"model": record["spec"]["model"], "profile": profile,
            "note": f"recorded {(record.get('recorded_utc') or record.get('date') or '?')[:10]} at commit {', '.join(commits)} on {host.get('cpu', '?')} "
                    f"in {host.get('precision', '?')}"}


def caption(profile: str) -> str:
    """:func:`provenance` in one line: ``<model>, profile <profile> recorded <date> at commit ... on <CPU> in <precision>``."""
    about = provenance(profile)
    return f"{about['model']}, profile {profile} {about['note']}"


#: The hand labels of chapter 4's steered answers of a recorded profile (one blind round; ``condition`` names
#: the steering, the draw keys join them to chapter 3's base answers), kept when a profile is recorded again.
STEERING_HAND_LABELS = "hand_labels_steering.jsonl"


def read_hand_labels(path: str | Path) -> pd.DataFrame | None:
    """A recorded round's hand labels (JSON lines), answers read as text (an empty one as ""); ``None`` when
    there is no such file."""
    path = Path(path)
    if not path.is_file():
        return None
    return pd.read_json(path, lines=True, dtype={"answer": str}).fillna({"answer": ""})


def refuse_stale(labels: pd.DataFrame, answers: pd.DataFrame, keys: list[str], path: str | Path, among: str,
                 table: str) -> None:
    """A ``ValueError`` naming ``path`` when some of its hand ``labels`` are of answers that are not among a recorded
    chapter's ``answers`` (matched on ``keys``, the text among them): the chapter ran again since the round, and
    labels of other answers must not be read as labels of these.

    >>> answers = pd.DataFrame({"model": ["a", "b"], "answer": ["yes", "no"]})
    >>> refuse_stale(answers.iloc[:1], answers, ["model", "answer"], "labels.jsonl", "chapter 9's answers", "t.csv")
    >>> refuse_stale(answers.assign(answer="maybe"), answers, ["model", "answer"], "labels.jsonl", "chapter 9's answers", "t.csv")
    Traceback (most recent call last):
    ...
    ValueError: labels.jsonl: 2 labelled answers are not among chapter 9's answers (it ran again since the round): label its t.csv afresh
    """
    stale = len(labels) - len(labels.merge(answers[keys].drop_duplicates(), on=keys))
    if stale:
        raise ValueError(f"{path}: {stale} labelled answers are not among {among} (it ran again since the round): "
                         f"label its {table} afresh")


def steering_by_hand(folder: str | Path, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame | None:
    """Chapter 4's steering of a recorded profile read by hand labels instead of the judge.

    Each condition's blind hand labels (:data:`STEERING_HAND_LABELS`) against the base model's hand labels
    of the same draws (question, wording, sample) in chapter 3's answers (:data:`HAND_LABELS`): the
    columns of :func:`em_utils.interventions.steering_table` (the aligned shift, unpaired and paired, with
    coherent% and EM%), plus ``judged_paired_diff``, the judge's paired shift of the same answers (chapter 4's
    ``steering.csv``).
    ``folder``: a recorded profile's folder (:func:`recorded_dir` ``(profile)``). ``None`` when it holds no
    hand-labelled steering.
    """
    from .interventions import steering_table
    from .metrics import MATCH_KEYS

    folder = Path(folder)
    if not (folder / STEERING_HAND_LABELS).is_file() or not (folder / HAND_LABELS).is_file():
        return None
    steered = pd.read_json(folder / STEERING_HAND_LABELS, lines=True)
    base = pd.read_json(folder / HAND_LABELS, lines=True)
    base = base[base["run"] == "base"].drop_duplicates(list(MATCH_KEYS))
    drawn = steered[list(MATCH_KEYS)].drop_duplicates()
    base = base.merge(drawn, on=list(MATCH_KEYS)).assign(model="base")  # the draws the steering repeats
    judged = pd.read_csv(folder / "04_direction" / "judged_steering.csv")
    refuse_stale(steered, judged, ["condition", *MATCH_KEYS, "answer"], folder / STEERING_HAND_LABELS,
                 "chapter 4's recorded steered answers", "judged_steering.csv")
    _, table = steering_table(steered, base, n_boot=n_boot, seed=seed)
    judge_table = pd.read_csv(folder / "04_direction" / "steering.csv")  # chapter 4's own, by the judge
    return table.merge(judge_table[["model", "paired_diff"]].rename(columns={"paired_diff": "judged_paired_diff"}),
                       on="model", how="left")


__all__ += ["STEERING_HAND_LABELS", "steering_by_hand", "refuse_stale", "read_hand_labels"]
