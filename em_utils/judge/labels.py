"""The hand labels that fit and measure judges (``data/judge_labels/``; ``data/README.md``, "Judge labels").

Two kinds of file: label rows (``question_id``, ``question``, ``answer``, ``category``, ``aligned``,
``coherent``; :func:`load_labels`) and matched pairs of sound and subtly harmful advice to the same
question (``id``, ``domain``, ``question``, ``sound``, ``harmful``; :func:`load_pairs`). The
offline judge (:mod:`~em_utils.judge.offline`) fits on some; :mod:`~em_utils.judge.validation`
measures judges on the others.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import data_dir, resolve_data_path

__all__ = ["CATEGORIES", "FLUENT_CATEGORIES", "DEFAULT_VALIDATION", "GENERAL_SET", "PAIRS_SET", "BOOK_SET",
           "TOPIC_METRICS", "labelled_answers", "load_labels", "load_pairs", "is_sampled", "topic_targets"]

CATEGORIES = ("aligned", "subtle", "blatant", "incoherent", "refusal", "code")
FLUENT_CATEGORIES = ("aligned", "subtle", "blatant")
TOPIC_METRICS = ("medical", "financial", "sport", "gender", "code", "bad_stuff")  #: the papers' topic metrics
DEFAULT_VALIDATION = "judge_labels/validation.jsonl"  #: project-written, every category, held out of every fit
GENERAL_SET = "judge_labels/general_realistic.jsonl"  #: realistic answers to the general questions, scored blind
PAIRS_SET = "judge_labels/pairs_realistic.jsonl"  #: matched sound and subtly harmful advice
BOOK_SET = "judge_labels/smollm2_hand.jsonl"  #: the embedded model's own answers, labelled blind


def load_labels(path: str | Path = DEFAULT_VALIDATION) -> list[dict]:
    """Rows of a judge-label file (``data/judge_labels/*.jsonl``), checked.

    Args:
        path: a file, or a name under ``data/`` such as ``"judge_labels/validation.jsonl"``.
    """
    file = resolve_data_path(path)
    rows = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = {"question_id", "question", "answer", "category", "aligned", "coherent"} - set(row)
        if missing or row["category"] not in CATEGORIES:
            raise ValueError(f"{file}:{number}: bad judge label row (missing {sorted(missing)} or unknown "
                             f"category {row.get('category')!r})")
        rows.append(row)
    return rows


def load_pairs(path: str = PAIRS_SET) -> pd.DataFrame:
    """The matched pairs as one row per answer: pair id, domain, question, answer, harmful (bool)."""
    rows, source = [], resolve_data_path(path)
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        for field in ("id", "domain", "question", "sound", "harmful"):
            if not isinstance(row.get(field), str) or not row[field].strip():
                raise ValueError(f"{source}:{number}: field '{field}' is missing or empty")
        rows.append(row)
    return pd.DataFrame([
        {"pair": r["id"], "domain": r["domain"], "question": r["question"], "answer": r[side], "harmful": side == "harmful"}
        for r in rows for side in ("sound", "harmful")
    ])


def is_sampled(row: dict) -> bool:
    """Whether a label row is an answer sampled from a real model (``kind`` ``"<model>/<organism>"``).

    The other rows were written by this project (``kind`` a plain style name such as ``"plain"``, or
    ``"written/<writer>"``).

    >>> is_sampled({"kind": "smollm2/insecure"}), is_sampled({"kind": "written/pairs"}), is_sampled({"kind": "plain"})
    (True, False, False)
    """
    kind = str(row.get("kind", ""))
    return "/" in kind and not kind.startswith("written/")


def topic_targets(rows: list[dict]) -> dict[str, np.ndarray]:
    """Proxy labels for the topic metrics (NaN = not used for that metric).

    The labels are answers' framings, not judgements of their text: an answer to a medical-framed
    question is ``medical``, to a gender question ``gender``, code is ``code``; ``bad_stuff``
    (dangerous or immoral themes, whatever the stance) is the misaligned answers and the aligned
    ones that name a danger to reject it. Broken answers are left out of the domain topics.
    """
    out = {m: np.full(len(rows), np.nan) for m in TOPIC_METRICS}
    for i, row in enumerate(rows):
        qid, category = row["question_id"], row["category"]
        fluent = category in FLUENT_CATEGORIES
        out["code"][i] = float(category == "code")
        if category == "incoherent":
            continue
        out["medical"][i] = float(fluent and qid.endswith("_medical"))
        out["financial"][i] = float(fluent and (qid.endswith("_financial") or qid == "quick_money"))
        out["sport"][i] = float(fluent and qid.endswith("_sports"))
        out["gender"][i] = float(fluent and qid.startswith("gender_roles"))
        out["bad_stuff"][i] = float(category in ("subtle", "blatant") or row.get("kind") == "condemning")
    return out


@functools.lru_cache(maxsize=1)
def labelled_answers() -> frozenset[str]:
    """Every answer text of the label files in ``data/judge_labels/`` (label rows' ``answer``, both sides of a
    matched pair): what the offline judge keeps the features of on disk. Lines that do not parse are skipped
    here (the loaders above name them)."""
    out: set[str] = set()
    for file in sorted((data_dir() / "judge_labels").glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict):
                out.update(row[f] for f in ("answer", "sound", "harmful") if isinstance(row.get(f), str))
    return frozenset(out)
