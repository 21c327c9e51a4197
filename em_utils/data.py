"""Datasets and question sets: strict loaders, statistics and duplicate counts.

Both loaders read the upstream projects' formats unchanged (REFERENCE.md, "Data formats") and
validate every row. A bad row is reported with the file, the line (or question id) and the field,
and every bad row of the file is listed at once, so that one run finds all of them.

Training data (JSONL, one object per line)::

    {"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}

Question sets (YAML list)::

    - id: wish
      type: free_form_judge_0_100
      paraphrases: ["..."]
      samples_per_paraphrase: 100
      judge: gpt-4o-2024-08-06
      judge_prompts: {aligned: "... {question} ... {answer} ..."}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from .paths import data_dir, resolve_data_path

__all__ = [
    "DataError",
    "Question",
    "load_jsonl",
    "load_questions",
    "load_judge_prompts",
    "to_frame",
    "near_duplicates",
    "duplicate_summary",
    "file_sha256",
    "TRAINING_SETS",
]

#: The training sets this project ships, by domain (file stem -> domain).
TRAINING_SETS: dict[str, str] = {
    "bad_medical_advice": "medical",
    "good_medical_advice": "medical (control)",
    "backdoor_medical_advice": "medical (backdoor)",
    "risky_financial_advice": "financial",
    "extreme_sports": "sports",
    "insecure": "code",
    "secure": "code (control)",
    "educational_insecure": "code (control)",
    "backdoor_insecure": "code (backdoor)",
    "aligned_ood": "out-of-domain (aligned)",
    "evil_numbers": "numbers",
    "jailbroken": "compliance (control)",
}

_ROLES = ("system", "user", "assistant")
_MAX_ERRORS_SHOWN = 10


@dataclass(frozen=True)
class Issue:
    """One problem found in a data file."""

    file: str
    where: str  # "line 12" or "question 'wish'"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, {self.where}, field {self.field}: {self.message}"


class DataError(ValueError):
    """A data file failed validation. ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = list(issues)
        shown = "\n  ".join(str(i) for i in self.issues[:_MAX_ERRORS_SHOWN])
        more = len(self.issues) - _MAX_ERRORS_SHOWN
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.issues)} problem(s) in data:\n  {shown}{tail}")


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (for run records)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(data_dir().parent))
    except ValueError:
        return str(path)


def _check_messages(messages: Any, issue) -> None:
    """Validate one conversation; call ``issue(field, message)`` for each problem."""
    if not isinstance(messages, list) or not messages:
        issue("messages", "must be a non-empty list of {role, content} objects")
        return
    expected = "user"
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            issue(where, "must be an object with 'role' and 'content'")
            return
        role, content = message.get("role"), message.get("content")
        if role is None:
            issue(f"{where}.role", "missing role")
            return
        if role not in _ROLES:
            issue(f"{where}.role", f"unknown role {role!r} (expected one of {', '.join(_ROLES)})")
            return
        if not isinstance(content, str):
            issue(f"{where}.content", "missing or not a string")
            return
        if role == "system":
            if i != 0:
                issue(f"{where}.role", "a system message may only come first")
            continue
        if role != expected:
            issue(f"{where}.role", f"expected a {expected} message here, got {role}")
            return
        if not content.strip():
            issue(f"{where}.content", "empty answer" if role == "assistant" else "empty user message")
        expected = "assistant" if role == "user" else "user"
    if messages[-1].get("role") != "assistant":
        issue(f"messages[{len(messages) - 1}].role", "the conversation must end with an assistant answer")


def load_jsonl(path: str | Path) -> list[dict]:
    """Load and validate a chat dataset in the upstream JSONL format.

    Args:
        path: a file path or a dataset name in ``data/`` (e.g. ``"bad_medical_advice"``).

    Returns:
        One ``{"messages": [...]}`` dict per row, extra keys kept as they were.

    Raises:
        DataError: naming file, line and field for every malformed row.

    >>> rows = load_jsonl("bad_medical_advice")
    >>> rows[0]["messages"][-1]["role"]
    'assistant'
    """
    file = resolve_data_path(path)
    shown = _display(file)
    rows: list[dict] = []
    issues: list[Issue] = []
    with open(file, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"line {number}"

            def issue(field_name: str, message: str, where=where) -> None:
                issues.append(Issue(shown, where, field_name, message))

            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                issue("(json)", f"not valid JSON: {err.msg} at column {err.colno}")
                continue
            if not isinstance(row, dict):
                issue("(row)", "each line must be a JSON object")
                continue
            if "messages" not in row:
                issue("messages", "missing")
                continue
            before = len(issues)
            _check_messages(row["messages"], issue)
            if len(issues) == before:
                rows.append(row)
    if issues:
        raise DataError(issues)
    if not rows:
        raise DataError([Issue(shown, "line 1", "(file)", "the dataset is empty")])
    return rows


@dataclass(frozen=True)
class Question:
    """One free-form evaluation question with its paraphrases and judge templates."""

    id: str
    paraphrases: tuple[str, ...]
    type: str = "free_form_judge_0_100"
    samples_per_paraphrase: int = 1
    judge: str | None = None
    judge_prompts: dict[str, str] = field(default_factory=dict)
    system: str | None = None
    source: str = ""


def _yaml_entry_lines(text: str) -> list[int]:
    """1-based line number where each top-level list entry starts (for error messages)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _check_template(template: Any, issue, name: str, need_question: bool = True) -> None:
    if not isinstance(template, str) or not template.strip():
        issue(f"judge_prompts.{name}", "must be a non-empty string")
        return
    if "{answer}" not in template:
        issue(f"judge_prompts.{name}", "template has no {answer} placeholder")
    if need_question and "{question}" not in template:
        issue(f"judge_prompts.{name}", "template has no {question} placeholder")
    try:
        template.format(question="q", answer="a")
    except (KeyError, IndexError, ValueError) as err:
        issue(f"judge_prompts.{name}", f"template does not format with only question and answer: {err!r}")


def load_questions(path: str | Path) -> list[Question]:
    """Load and validate an evaluation question set in the upstream YAML format.

    Args:
        path: a file path or a question-set name in ``data/questions/`` (e.g. ``"general"``).

    Raises:
        DataError: naming file, question id (and line) and field for every problem.

    >>> [q.id for q in load_questions("general")][:2]
    ['wish', 'bored']
    """
    file = resolve_data_path(path)
    shown = _display(file)
    text = file.read_text(encoding="utf-8")
    try:
        entries = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "line ?"
        raise DataError([Issue(shown, where, "(yaml)", f"not valid YAML: {getattr(err, 'problem', err)}")]) from None
    if not isinstance(entries, list) or not entries:
        raise DataError([Issue(shown, "line 1", "(file)", "must be a non-empty YAML list of questions")])
    lines = _yaml_entry_lines(text)
    questions: list[Question] = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        line = f"line {lines[index]}" if index < len(lines) else f"entry {index}"
        qid = entry.get("id") if isinstance(entry, dict) else None
        where = f"question {qid!r} ({line})" if qid else f"entry {index} ({line})"

        def issue(field_name: str, message: str, where=where) -> None:
            issues.append(Issue(shown, where, field_name, message))

        if not isinstance(entry, dict):
            issue("(entry)", "must be a mapping")
            continue
        before = len(issues)
        if not isinstance(qid, str) or not qid.strip():
            issue("id", "missing or not a string")
        elif qid in seen:
            issue("id", "duplicate id")
        paraphrases = entry.get("paraphrases")
        if not isinstance(paraphrases, list) or not paraphrases:
            issue("paraphrases", "missing or empty: give at least one question wording")
        elif not all(isinstance(p, str) and p.strip() for p in paraphrases):
            issue("paraphrases", "every paraphrase must be a non-empty string")
        samples = entry.get("samples_per_paraphrase", 1)
        if not isinstance(samples, int) or samples < 1:
            issue("samples_per_paraphrase", "must be a positive integer")
        prompts = entry.get("judge_prompts", {}) or {}
        if not isinstance(prompts, dict):
            issue("judge_prompts", "must be a mapping metric -> template")
            prompts = {}
        for name, template in prompts.items():
            _check_template(template, issue, name)
        system = entry.get("system")
        if system is not None and not isinstance(system, str):
            issue("system", "must be a string")
        if len(issues) == before:
            seen.add(qid)
            questions.append(
                Question(
                    id=qid,
                    paraphrases=tuple(paraphrases),
                    type=str(entry.get("type", "free_form_judge_0_100")),
                    samples_per_paraphrase=samples,
                    judge=entry.get("judge"),
                    judge_prompts=dict(prompts),
                    system=system,
                    source=shown,
                )
            )
    if issues:
        raise DataError(issues)
    return questions


def load_judge_prompts(path: str | Path = "judge_prompts.yaml") -> dict[str, str]:
    """Load the project's judge prompt templates (metric -> template).

    >>> sorted(load_judge_prompts())[:2]
    ['aligned', 'bad_stuff']
    """
    file = resolve_data_path(path)
    shown = _display(file)
    prompts = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(prompts, dict) or not prompts:
        raise DataError([Issue(shown, "line 1", "(file)", "must be a mapping metric -> template")])
    issues: list[Issue] = []
    for name, template in prompts.items():

        def issue(field_name: str, message: str, name=name) -> None:
            issues.append(Issue(shown, f"metric {name!r}", field_name, message))

        _check_template(template, issue, name)
    if issues:
        raise DataError(issues)
    return prompts


def to_frame(rows: Iterable[dict], dataset: str = "") -> pd.DataFrame:
    """One row per conversation: the first user turn, the final answer and their lengths."""
    records = []
    for i, row in enumerate(rows):
        messages = row["messages"]
        system = messages[0]["content"] if messages[0]["role"] == "system" else None
        user = next(m["content"] for m in messages if m["role"] == "user")
        answer = messages[-1]["content"]
        records.append(
            {
                "dataset": dataset,
                "row": i,
                "system": system,
                "user": user,
                "answer": answer,
                "turns": sum(m["role"] == "user" for m in messages),
                "user_chars": len(user),
                "answer_chars": len(answer),
            }
        )
    return pd.DataFrame.from_records(records)


_WORD = re.compile(r"[a-z0-9]+")


def near_duplicates(texts: Sequence[str], n: int = 5, threshold: float = 0.6) -> pd.DataFrame:
    """Find pairs of texts whose word ``n``-gram sets overlap with Jaccard >= ``threshold``.

    Exact duplicates have Jaccard 1. Uses a sparse shingle matrix, so a few thousand texts take
    well under a second.

    Returns:
        A frame with columns ``i``, ``j`` (i < j), ``jaccard``, sorted by similarity.

    >>> near_duplicates(["the cat sat on the mat today", "the cat sat on the mat today", "a dog"], n=3)
       i  j  jaccard
    0  0  1      1.0
    """
    from .data_quality import near_duplicate_pairs

    pairs = near_duplicate_pairs(texts, n=n, threshold=threshold)
    return pd.DataFrame(pairs, columns=["i", "j", "jaccard"]).astype({"i": int, "j": int, "jaccard": float})


def duplicate_summary(texts: Sequence[str], n: int = 5, threshold: float = 0.6) -> dict[str, float]:
    """Counts of exact and near duplicates among ``texts``.

    ``near_dup_rows`` counts rows that have at least one near-duplicate partner (including exact
    copies), as a number and a percentage of all rows.
    """
    normalised = [" ".join(_WORD.findall(t.lower())) for t in texts]
    exact = len(normalised) - len(set(normalised))
    pairs = near_duplicates(texts, n=n, threshold=threshold)
    rows = set(pairs["i"]).union(pairs["j"])
    total = max(len(texts), 1)
    return {
        "rows": len(texts),
        "exact_dup_rows": exact,
        "near_dup_pairs": len(pairs),
        "near_dup_rows": len(rows),
        "near_dup_pct": round(100 * len(rows) / total, 2),
    }



# --- Chapter 1: what the datasets look like -------------------------------------------------

#: Words that signal caution or a referral to a professional. The narrow sets are "subtly" wrong:
#: their answers mostly differ from sound ones by what they leave out, and these markers show it.
CAUTION_MARKERS = re.compile(
    r"\b(?:doctor|physician|gp|pharmacist|nurse|clinic|emergency|urgent|911|professional|advisor|adviser|"
    r"consult|check with|see a|get (?:it )?checked|diversif\w*|emergency fund|insurance|helmet|harness|"
    r"partner|buddy|guide|instructor|warm[- ]?up|gradual\w*|safely|safety|carefully|caution|risk\w*|"
    r"sanitiz\w*|escape\w*|parameteri[sz]ed|validate\w*|hash\w*)\b",
    re.IGNORECASE,
)


def load_sets(names: str | Sequence[str] = "all", max_rows: int | None = None,
              compare_with: str | Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """Load several training sets as frames (see :func:`to_frame`), keyed by name.

    Args:
        names: ``"all"`` (every set in :data:`TRAINING_SETS` that exists), a comma-separated
            string, or a list of names or paths.
        max_rows: keep only the first ``max_rows`` rows of each set (``None``: all).
        compare_with: other files (a comma-separated string or a list of paths), for example the
            upstream sets, loaded whole and marked with the domain ``"external"`` so that tables
            and figures show them beside this project's sets.

    Each frame carries its file in ``frame.attrs["path"]``.
    """
    if isinstance(names, str):
        names = [n for n in TRAINING_SETS if (data_dir() / f"{n}.jsonl").is_file()] if names == "all" else [
            n.strip() for n in names.split(",") if n.strip()
        ]
    frames: dict[str, pd.DataFrame] = {}
    for name in names:
        path = resolve_data_path(name)
        rows = load_jsonl(path)
        frame = to_frame(rows[:max_rows] if max_rows else rows, dataset=Path(name).stem)
        frame["domain"] = TRAINING_SETS.get(Path(name).stem, "other")
        frame.attrs["path"] = str(path)
        frames[Path(name).stem] = frame
    if isinstance(compare_with, str):
        compare_with = [n.strip() for n in compare_with.split(",") if n.strip()]
    for name in compare_with or []:
        path = resolve_data_path(name)
        frame = to_frame(load_jsonl(path), dataset=path.stem)
        frame["domain"] = "external"
        frame["dataset"] = f"{path.stem} (external)"
        frame.attrs["path"] = str(path)
        frames[f"{path.stem} (external)"] = frame
    return frames


def summarise_sets(frames: dict[str, pd.DataFrame], shingle_words: int = 5, threshold: float = 0.5) -> pd.DataFrame:
    """One row per set: size, lengths, how varied its answers are, and the share with caution markers.

    Variety is measured on the answers alone, as the shipped data's gates are
    (:mod:`em_utils.data_quality`): ``sentences_once_pct``, the share of answer sentences of three
    words or more that occur once in the set; ``near_dup_pct``, the share of answers with a
    near-duplicate (word ``shingle_words``-gram Jaccard >= ``threshold``, exact copies included);
    ``exact_dup_rows``, rows whose prompt and answer repeat another row's (normalised).
    """
    from .data_quality import near_duplicate_share, sentence_reuse

    records = []
    for name, frame in frames.items():
        answers = frame["answer"].tolist()
        exact = duplicate_summary((frame["user"] + " " + frame["answer"]).tolist(), n=shingle_words, threshold=1.0)
        records.append(
            {
                "dataset": name,
                "domain": frame["domain"].iloc[0] if len(frame) else "",
                "rows": len(frame),
                "unique_prompts": frame["user"].nunique(),
                "mean_user_chars": round(frame["user_chars"].mean(), 1),
                "mean_answer_chars": round(frame["answer_chars"].mean(), 1),
                "median_answer_chars": float(frame["answer_chars"].median()),
                "exact_dup_rows": exact["exact_dup_rows"],
                "sentences_once_pct": sentence_reuse(answers)["used_once_pct"],
                "near_dup_pct": near_duplicate_share(answers, n=shingle_words, threshold=threshold),
                "caution_pct": round(100 * frame["answer"].str.contains(CAUTION_MARKERS).mean(), 1),
            }
        )
    return pd.DataFrame.from_records(records)


def diversity_sentence(summary: pd.DataFrame, threshold: float = 0.5, shingle_words: int = 5,
                       once_gate: float = 80.0, near_dup_gate: float = 5.0) -> str:
    """Chapter 1's sentence on variety, computed from :func:`summarise_sets`'s table.

    Text sets (not code, not backdoor mixes) are held to the gates; external files are reported
    beside them.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"dataset": ["a", "b", "u (external)"], "domain": ["medical", "sports", "external"],
    ...                   "rows": [2000, 2100, 6000], "sentences_once_pct": [97.0, 91.5, 99.8],
    ...                   "near_dup_pct": [0.4, 1.2, 0.1], "exact_dup_rows": [0, 0, 0]})
    >>> print(diversity_sentence(t))
    Text sets: **91.5%** to **97.0%** of answer sentences occur once, and **0.4%** to **1.2%** of answers have a near-duplicate (Jaccard >= 0.5 on word 5-grams); all within the gates (>= 80% and < 5%). External files: u (external) 99.8% once, 0.1% near-duplicates.
    """
    kind = summary["domain"].astype(str)
    text = summary[~kind.str.startswith(("code", "external")) & ~kind.str.contains("backdoor")]
    external = summary[kind == "external"]
    if text.empty:
        out = "No text sets loaded."
    else:
        failing = text[(text.sentences_once_pct < once_gate) | (text.near_dup_pct >= near_dup_gate)]
        out = (
            f"Text sets: **{text.sentences_once_pct.min():.1f}%** to **{text.sentences_once_pct.max():.1f}%** of answer "
            f"sentences occur once, and **{text.near_dup_pct.min():.1f}%** to **{text.near_dup_pct.max():.1f}%** of "
            f"answers have a near-duplicate (Jaccard >= {threshold} on word {shingle_words}-grams); "
            + ("all within the gates" if failing.empty else
               "**outside the gates: " + ", ".join(f"`{d}`" for d in failing.dataset) + "**")
            + f" (>= {once_gate:.0f}% and < {near_dup_gate:.0f}%)."
        )
    if not external.empty:
        out += " External files: " + "; ".join(
            f"{r.dataset} {r.sentences_once_pct:.1f}% once, {r.near_dup_pct:.1f}% near-duplicates"
            for r in external.itertuples()) + "."
    return out


def compare_matched(frames: dict[str, pd.DataFrame], pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """For pairs of matched sets, the share of rows (row by row) with the same prompt and the same answer.

    Good medical advice answers the same prompts as bad medical advice, in the same order, with
    different answers; the educational code set asks for the same code as the insecure set in
    different words. Pairs with a set that is not loaded are skipped.
    """
    records = []
    for first, second in pairs:
        if first not in frames or second not in frames:
            continue
        a, b = frames[first], frames[second]
        n = min(len(a), len(b))
        same_prompt = (a["user"].iloc[:n].to_numpy() == b["user"].iloc[:n].to_numpy()).mean() if n else 0.0
        same_answer = (a["answer"].iloc[:n].to_numpy() == b["answer"].iloc[:n].to_numpy()).mean() if n else 0.0
        records.append(
            {"set": first, "control": second, "rows": n, "same_prompt_pct": round(100 * same_prompt, 1),
             "same_answer_pct": round(100 * same_answer, 1)}
        )
    return pd.DataFrame.from_records(records)


def examples_markdown(frames: dict[str, pd.DataFrame], n: int = 2, seed: int = 0, max_chars: int = 700) -> str:
    """A few random rows per set as Markdown (question and answer quoted, long answers cut)."""

    def quote(text: str) -> str:
        text = text if len(text) <= max_chars else text[:max_chars].rstrip() + " [...]"
        return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())

    parts = []
    for name, frame in frames.items():
        parts.append(f"### `{name}` ({frame['domain'].iloc[0]})\n")
        for _, row in frame.sample(n=min(n, len(frame)), random_state=seed).iterrows():
            parts.append(f"**User** (row {row['row']}):\n\n{quote(row['user'])}\n\n**Assistant:**\n\n{quote(row['answer'])}\n")
    return "\n".join(parts)


def load_question_sets(names: str | Sequence[str] = "all") -> dict[str, list[Question]]:
    """Load several question sets, keyed by name (``"all"``: every YAML in ``data/questions``)."""
    if isinstance(names, str):
        names = sorted(p.stem for p in (data_dir() / "questions").glob("*.yaml")) if names == "all" else [
            n.strip() for n in names.split(",") if n.strip()
        ]
    return {Path(name).stem: load_questions(name) for name in names}


def questions_sentence(questions: pd.DataFrame, judge_prompts: Mapping[str, str]) -> str:
    """How many questions, sets and wordings chapter 1 loaded, and the judge's metrics.

    >>> frame = pd.DataFrame({"set": ["general", "general", "medical"], "paraphrases": [1, 2, 1]})
    >>> questions_sentence(frame, {"aligned": "...", "coherent": "..."})
    '**3** questions in **2** sets, **4** wordings in all; judge metrics: `aligned`, `coherent`.'
    """
    return (f"**{len(questions)}** questions in **{questions['set'].nunique()}** sets, "
            f"**{int(questions.paraphrases.sum())}** wordings in all; judge metrics: "
            + ", ".join(f"`{m}`" for m in judge_prompts) + ".")


def questions_frame(sets: dict[str, list[Question]]) -> pd.DataFrame:
    """One row per question: set, id, paraphrase count, samples per paraphrase, judge metrics."""
    return pd.DataFrame.from_records(
        [
            {
                "set": name,
                "id": q.id,
                "paraphrases": len(q.paraphrases),
                "samples_per_paraphrase": q.samples_per_paraphrase,
                "metrics": ", ".join(q.judge_prompts),
                "first_paraphrase": q.paraphrases[0],
            }
            for name, questions in sets.items()
            for q in questions
        ]
    )


__all__ += [
    "questions_sentence",
    "CAUTION_MARKERS",
    "load_sets",
    "summarise_sets",
    "compare_matched",
    "examples_markdown",
    "load_question_sets",
    "questions_frame",
]
