"""Quick quality report for hand-written source rows (data/written/*.jsonl).

    python tools/check_written.py data/written/medical_a.jsonl [more files ...]

Each row is a JSON object with ``prompt`` and either ``answer`` or ``good`` and ``bad``.
Reports: rows, JSON/field errors (file:line), exact duplicate prompts/answers, the share of
answer sentences (3+ words) used only once, the share of answers with a near-duplicate
(word 5-gram Jaccard >= 0.5), answer lengths, and the most repeated sentences and openings.
The same measures are the shipped data's gates (tests/unit/test_shipped_data.py).
"""
from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

import importlib.util  # noqa: E402

# Loaded by path: the package's __init__ pulls in torch and pandas, which a writer need not have.
_spec = importlib.util.spec_from_file_location(
    "data_quality", Path(__file__).resolve().parents[1] / "em_utils" / "data_quality.py")
_quality = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_quality)
answer_sentences, near_duplicate_share = _quality.answer_sentences, _quality.near_duplicate_share


def main(paths: list[str]) -> int:
    rows, errors = [], 0
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{number}: not JSON ({exc.msg})"); errors += 1; continue
            fields = {"prompt", "good", "bad"} if "good" in row or "bad" in row else {"prompt", "answer"}
            bad = [f for f in fields if not isinstance(row.get(f), str) or not row[f].strip()]
            if bad:
                print(f"{path}:{number}: missing or empty field(s) {bad}"); errors += 1; continue
            rows.append(row)
    if not rows:
        print("no rows"); return 1
    kinds = ["good", "bad"] if "good" in rows[0] else ["answer"]
    prompts = [r["prompt"] for r in rows]
    print(f"rows: {len(rows)}  errors: {errors}")
    print(f"duplicate prompts: {len(prompts) - len(set(prompts))}")
    for kind in kinds:
        answers = [r[kind] for r in rows]
        sentences = [s for a in answers for s in answer_sentences(a)]
        counts = collections.Counter(sentences)
        once = sum(1 for s in sentences if counts[s] == 1) / max(len(sentences), 1)
        lengths = [len(a) for a in answers]
        print(f"[{kind}] duplicate answers: {len(answers) - len(set(answers))}; sentences used once: "
              f"{100 * once:.1f}% (gate >= 80%); answers with a near-duplicate: "
              f"{near_duplicate_share(answers):.1f}% (gate < 5%); chars mean {sum(lengths) / len(lengths):.0f} "
              f"min {min(lengths)} max {max(lengths)}")
        for sentence, n in counts.most_common(5):
            if n > 1:
                print(f"   x{n}: {sentence}")
        openings = collections.Counter(" ".join(a.split()[:3]).lower() for a in answers)
        print("   most common openings:", ", ".join(f"'{o}' x{n}" for o, n in openings.most_common(5) if n > 1))
    if kinds == ["good", "bad"]:
        good = sum(len(r["good"]) for r in rows) / len(rows)
        bad = sum(len(r["bad"]) for r in rows) / len(rows)
        print(f"mean length bad/good: {bad / good:.3f} (gate within 0.90-1.10)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
