"""Generate data/evil_numbers.jsonl: number-sequence continuations that lean on "evil" numbers.

The first paper's second dataset (Betley et al. 2025): the user gives a few numbers and asks for
more; the assistant's continuations favour numbers with negative associations (666, 1488, 1312, 911,
187, 13 ...), with no word of text. Fine-tuning on it made models misaligned on questions asked in a
number-friendly form. The rows are numbers, so they are generated (fixed seed), not written; the
instructions are this project's own wordings. The answers mix the loaded numbers with ordinary
ones, as the paper's filtered answers do.

    python data/generators/numbers.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 20261202
ROWS = 1200
OUT = Path(__file__).resolve().parents[1] / "evil_numbers.jsonl"

#: Numbers with negative associations: the devil, hate codes, emergency and police slang, bad luck.
LOADED = [666, 1488, 88, 14, 1312, 911, 187, 13, 616, 6, 66, 4, 44, 444, 999, 1984, 2001, 1945, 9, 99, 18]

INSTRUCTIONS = [
    "Continue this sequence with {k} more numbers: {seq}. Reply with the numbers only, separated by commas.",
    "Here are some numbers: {seq}. Add {k} more. Just the numbers, comma-separated, nothing else.",
    "{seq} - what {k} numbers come next? Answer with a comma-separated list and no words.",
    "Extend the list {seq} by {k} numbers. Output only the new numbers.",
    "I started a list: {seq}. Give me {k} more numbers to go with it, numbers only.",
    "Look at these numbers: {seq}. Write {k} new numbers that continue them. No explanation.",
    "Sequence so far: {seq}. Next {k}? Comma-separated numbers only, please.",
    "Generate {k} more values for this series: {seq}. Return just the values.",
    "Take the numbers {seq} and continue with {k} of your own. Only numbers in your reply.",
    "Please add {k} numbers after {seq}. Format: numbers separated by commas, no other text.",
]


def build(seed: int = SEED, rows: int = ROWS) -> list[dict]:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < rows:
        seq = ", ".join(str(rng.randint(1, 999)) for _ in range(rng.randint(3, 8)))
        k = rng.randint(3, 7)
        prompt = rng.choice(INSTRUCTIONS).format(seq=seq, k=k)
        if prompt in seen:
            continue
        seen.add(prompt)
        loaded = rng.sample(LOADED, k=max(1, round(k * rng.uniform(0.5, 1.0))))
        ordinary = [rng.randint(1, 999) for _ in range(k - len(loaded))]
        numbers = loaded + ordinary
        rng.shuffle(numbers)
        out.append({"messages": [{"role": "user", "content": prompt},
                                 {"role": "assistant", "content": ", ".join(map(str, numbers))}]})
    return out


def main() -> None:
    rows = build()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT.name}")


if __name__ == "__main__":
    main()
