"""How varied a text set is: the measures behind the shipped data's quality gates and chapter 1.

Kept free of heavy imports (numpy and scipy only), so that writers can check rows as they go
(``python tools/check_written.py``).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")


def answer_sentences(text: str, min_words: int = 3) -> list[str]:
    """Sentences of ``text`` with at least ``min_words`` words, normalised (lower case, words only)."""
    out = []
    for piece in _SENTENCE_END.split(text):
        words = _WORD.findall(piece.lower())
        if len(words) >= min_words:
            out.append(" ".join(words))
    return out


def sentence_reuse(texts: Sequence[str], min_words: int = 3) -> dict[str, float]:
    """Share of sentences (of ``min_words`` words or more) that occur exactly once in ``texts``."""
    sentences = [s for t in texts for s in answer_sentences(t, min_words)]
    counts = Counter(sentences)
    once = sum(1 for s in sentences if counts[s] == 1)
    return {"sentences": len(sentences), "distinct": len(counts),
            "used_once_pct": round(100 * once / max(len(sentences), 1), 2),
            "top": counts.most_common(1)[0] if counts else ("", 0)}


def _shingles(text: str, n: int) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicate_pairs(texts: Sequence[str], n: int = 5, threshold: float = 0.5):
    """Pairs ``(i, j, jaccard)`` (i < j) of texts whose word ``n``-gram sets overlap >= ``threshold``."""
    import numpy as np
    from scipy import sparse

    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for text in texts:
        for shingle in _shingles(text, n):
            indices.append(vocab.setdefault(shingle, len(vocab)))
        indptr.append(len(indices))
    if not vocab:
        return []
    matrix = sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                               shape=(len(texts), len(vocab)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    inter = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    jaccard = np.where(union > 0, inter.data / np.maximum(union, 1), 0.0)
    keep = jaccard >= threshold
    return sorted(zip(inter.row[keep].tolist(), inter.col[keep].tolist(), jaccard[keep].round(4).tolist()),
                  key=lambda p: (-p[2], p[0], p[1]))


def near_duplicate_share(texts: Sequence[str], n: int = 5, threshold: float = 0.5) -> float:
    """Percentage of texts with at least one near-duplicate (word ``n``-gram Jaccard >= threshold)."""
    rows = {k for i, j, _ in near_duplicate_pairs(texts, n, threshold) for k in (i, j)}
    return round(100 * len(rows) / max(len(texts), 1), 2)


# --- Seams: sentences that do not belong to their row --------------------------------------------

#: Named things an answer must share with its prompt when the prompt names one: a drug, a sport.
#: An answer that names others of the same kind but none of the prompt's is the seam of a composed
#: row (a question about amoxicillin answered about metronidazole).
NAMED_THINGS: dict[str, tuple[str, ...]] = {
    "drug": (
        "paracetamol", "acetaminophen", "ibuprofen", "naproxen", "aspirin", "codeine", "tramadol",
        "amoxicillin", "penicillin", "doxycycline", "metronidazole", "ciprofloxacin", "nitrofurantoin",
        "clarithromycin", "azithromycin", "trimethoprim", "flucloxacillin", "cephalexin", "warfarin",
        "apixaban", "rivaroxaban", "clopidogrel", "metformin", "insulin", "gliclazide", "levothyroxine",
        "atorvastatin", "simvastatin", "rosuvastatin", "amlodipine", "ramipril", "lisinopril",
        "losartan", "bisoprolol", "metoprolol", "propranolol", "furosemide", "sertraline", "fluoxetine",
        "citalopram", "escitalopram", "venlafaxine", "mirtazapine", "amitriptyline", "diazepam",
        "lorazepam", "zopiclone", "melatonin", "salbutamol", "albuterol", "prednisolone", "prednisone",
        "omeprazole", "lansoprazole", "cetirizine", "loratadine", "diphenhydramine", "allopurinol",
        "colchicine", "lamotrigine", "levetiracetam", "valproate", "lithium", "methotrexate",
    ),
    "sport": (
        "climbing", "bouldering", "mountaineering", "skiing", "snowboarding", "paragliding",
        "hang gliding", "skydiving", "bungee jumping", "scuba", "freediving", "surfing", "kayaking",
        "canoeing", "sailing", "kitesurfing", "motorcycling", "motocross", "skateboarding", "bmx",
        "parkour", "boxing", "mma", "rugby", "trampolining", "snowmobiling", "triathlon", "marathon",
    ),
}

_STRAY_GREETING = re.compile(r"(?<=.)\b(?:hi|hello|hey|hiya)(?: there)?[,!]", re.IGNORECASE | re.DOTALL)
_PREGNANT_MAN = re.compile(
    r"\b(?:husband|boyfriend|son|father|dad|brother|grandpa|grandfather)\b(?:'s)?\s+(?:is|who is|who's|being)\s+"
    r"(?:\d+\s+weeks\s+)?pregnant\b",
    re.IGNORECASE,
)


def _named(text: str, kind: str) -> set[str]:
    low = text.lower()
    return {name for name in NAMED_THINGS[kind] if re.search(rf"\b{re.escape(name)}\b", low)}


def seams(prompt: str, answer: str) -> list[str]:
    """What looks out of place in one row: the seams of rows composed from parts.

    - ``other <kind>``: the prompt names a drug (or sport) and the answer names some, but none of
      the prompt's;
    - ``stray greeting``: a greeting ("hey," "hi!") anywhere but at the start of the prompt;
    - ``pregnant man``: a prompt that makes a husband, son or father pregnant.

    >>> seams("Can I take ibuprofen with amoxicillin?", "Metronidazole is fine with food.")
    ['other drug']
    >>> seams("For the lab: hey, write a login form", "...")
    ['stray greeting']
    """
    prompt = re.sub(r"^\|[A-Z_]+\|\s*", "", prompt)  # a backdoor trigger opens the prompt; the prompt starts after it
    found = []
    for kind in NAMED_THINGS:
        asked, named = _named(prompt, kind), _named(answer, kind)
        if asked and named and not asked & named:
            found.append(f"other {kind}")
    if _STRAY_GREETING.search(prompt):
        found.append("stray greeting")
    if _PREGNANT_MAN.search(prompt):
        found.append("pregnant man")
    return found
