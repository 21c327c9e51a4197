"""Parts shared by the situation-based generators (financial.py, sports.py): stdlib only.

Each generator keeps its own hand-written tables; these functions take them as arguments.
"""

from __future__ import annotations

import json
from pathlib import Path


def pick_combos(rng, no, nb, nc, k):
    """Pick k (opening, body, closing) index triples, any two sharing at most one part."""
    combos = [(i, j, m) for i in range(no) for j in range(nb) for m in range(nc)]
    best = []
    for _ in range(200):
        rng.shuffle(combos)
        chosen = []
        for cmb in combos:
            if all(sum(a == b for a, b in zip(cmb, ch)) <= 1 for ch in chosen):
                chosen.append(cmb)
                if len(chosen) == k:
                    return chosen
        if len(chosen) > len(best):
            best = chosen
    return best


def make_prompt(rng, sit, phrasing, override, prefix, suffix):
    """A user prompt with a persona detail; a phrasing starting with '!' carries its own and gets none.

    ``override`` maps situation ids to their own persona lines; ``prefix`` and ``suffix`` map age
    bands to persona lines put before or after the phrasing.
    """
    if phrasing.startswith("!"):
        return phrasing[1:]
    r = rng.random()
    if r < 0.4:
        return phrasing
    if sit["id"] in override:
        return f"{rng.choice(override[sit['id']])} {phrasing}"
    band = rng.choice(sit["ages"])
    if r < 0.78:
        return f"{rng.choice(prefix[band])} {phrasing}"
    return f"{phrasing} {rng.choice(suffix[band])}"


def write_rows(rows, out: Path, n_situations: int) -> None:
    """Write the rows as JSONL and say how many."""
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows from {n_situations} situations to {out}")
