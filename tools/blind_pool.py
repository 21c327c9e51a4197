"""Blind hand-labelling: shuffled shards under neutral ids, and the labels joined back.

    python tools/blind_pool.py make ANSWERS.csv --out DIR [--shards 4] [--overlap 0.1] [--seed 0]
    python tools/blind_pool.py merge DIR --out LABELS.jsonl
    python tools/blind_pool.py collect MERGED.jsonl [MERGED.jsonl ...] --answers FOLDER/answers.csv --out FOLDER/hand_labels.jsonl

``make`` reads a table of answers (columns ``question`` and ``answer``; every other column, such as
the model or the run that wrote it, stays out of the shards), keeps one copy of each distinct text
(``merge`` gives its label to every row that repeats it), shuffles, and
writes ``DIR/shard_K.jsonl`` with only ``id``, ``question`` and ``answer`` per line: a labeller sees
neither the model nor the order it was sampled in. A share (``--overlap``) of the answers goes to a
second shard as well, under another id, so that two labellers score it: that is the drift check.
The key that maps ids back to rows is ``DIR/key.json`` (not for the labellers).

A labeller adds ``aligned`` (0-100, or null for a refusal), ``coherent`` (0-100) and ``category``
(aligned, subtle, blatant, incoherent, refusal) to each line of a shard and saves it as
``DIR/shard_K.labels.jsonl`` (same ids). ``merge`` joins the labels to the rows, reports the
agreement on the doubly-labelled answers, and writes one line per answer (the first label of an
answer scored twice; both are kept in ``aligned_2``, ``coherent_2``).

``collect`` writes a dose-response folder's ``hand_labels.jsonl`` from the merged labels of one or
more rounds: it keeps the labelled rows that are draws of that folder's ``answers.csv`` (joined as
:func:`em_utils.dose.hand_labelled_answers` joins them: same run, rows, temperature, question,
paraphrase, sample and text), so that answers of earlier rounds carried
into a pool as anchors stay out, and a draw labelled in two rounds keeps the label of the first file
named.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import pandas as pd


def make(answers: Path, out: Path, shards: int = 4, overlap: float = 0.1, seed: int = 0) -> None:
    table = pd.read_csv(answers, keep_default_na=False) if answers.suffix == ".csv" else pd.read_json(answers, lines=True)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "all_rows.csv", index=False)
    frame = table.drop_duplicates(["question", "answer"]).reset_index(drop=True)  # one label per distinct text
    rng = random.Random(seed)
    order = list(range(len(frame)))
    rng.shuffle(order)
    ids = rng.sample(range(10_000, 100_000), len(order) + int(overlap * len(order)) + 1)
    assignments: list[list[tuple[str, int]]] = [[] for _ in range(shards)]
    key: dict[str, int] = {}
    for position, row in enumerate(order):
        ident = f"a{ids[position]}"
        key[ident] = row
        assignments[position % shards].append((ident, row))
    doubles = order[: int(overlap * len(order))]
    for extra, row in enumerate(doubles):
        ident = f"a{ids[len(order) + extra]}"
        key[ident] = row
        first = order.index(row) % shards
        assignments[(first + 1 + extra % max(shards - 1, 1)) % shards].append((ident, row))
    out.mkdir(parents=True, exist_ok=True)
    for k, items in enumerate(assignments):
        rng.shuffle(items)
        with (out / f"shard_{k}.jsonl").open("w", encoding="utf-8") as handle:
            for ident, row in items:
                handle.write(json.dumps({"id": ident, "question": frame.at[row, "question"],
                                         "answer": frame.at[row, "answer"]}, ensure_ascii=False) + "\n")
    frame.to_csv(out / "rows.csv", index=False)
    (out / "key.json").write_text(json.dumps(key))
    print(f"{len(frame)} answers ({len(doubles)} twice) in {shards} shards -> {out}")


def merge(folder: Path, out: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / "rows.csv", keep_default_na=False)
    key = json.loads((folder / "key.json").read_text())
    labels: dict[int, list[dict]] = {}
    for path in sorted(folder.glob("shard_*.labels.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("id") not in key:
                raise SystemExit(f"{path}:{number}: unknown id {item.get('id')!r}")
            for field in ("coherent", "category"):
                if item.get(field) is None:
                    raise SystemExit(f"{path}:{number}: field {field!r} is missing")
            labels.setdefault(key[item["id"]], []).append(item)
    missing = sorted(set(range(len(frame))) - set(labels))
    if missing:
        print(f"warning: {len(missing)} answers have no label yet", file=sys.stderr)
    rows, pairs = [], []
    for index, items in sorted(labels.items()):
        row = frame.iloc[index].to_dict()
        first = items[0]
        row.update(aligned=first.get("aligned"), coherent=first["coherent"], category=first["category"])
        if len(items) > 1:
            row.update(aligned_2=items[1].get("aligned"), coherent_2=items[1]["coherent"])
            pairs.append((first, items[1]))
        rows.append(row)
    merged = pd.DataFrame(rows)
    if (folder / "all_rows.csv").is_file():  # every row of the table, repeats of a labelled text included
        every = pd.read_csv(folder / "all_rows.csv", keep_default_na=False)
        labels_only = merged[["question", "answer", *[c for c in ("aligned", "coherent", "category", "aligned_2",
                                                                   "coherent_2") if c in merged]]]
        merged = every.merge(labels_only, on=["question", "answer"], how="inner", suffixes=("_table", ""))
    with out.open("w", encoding="utf-8") as handle:
        for row in merged.to_dict("records"):
            handle.write(json.dumps({k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()},
                                    ensure_ascii=False) + "\n")
    if pairs:
        both = pd.DataFrame([(a.get("aligned"), b.get("aligned"), a["coherent"], b["coherent"]) for a, b in pairs],
                            columns=["a1", "a2", "c1", "c2"]).astype(float)
        aligned = both.dropna(subset=["a1", "a2"])
        print(f"drift check on {len(pairs)} answers labelled twice: aligned mean abs diff "
              f"{(aligned.a1 - aligned.a2).abs().mean():.1f} (r {aligned.a1.corr(aligned.a2):.2f}), coherent "
              f"{(both.c1 - both.c2).abs().mean():.1f} (r {both.c1.corr(both.c2):.2f}), coherent > 50 agree "
              f"{100 * ((both.c1 > 50) == (both.c2 > 50)).mean():.0f}%")
    print(f"{len(merged)} labelled answers -> {out}")
    return merged


def collect(merged: list[Path], answers: Path, out: Path) -> pd.DataFrame:
    from em_utils.dose import DRAW_KEYS, join_keys

    table = pd.read_csv(answers, keep_default_na=False)
    missing = [c for c in DRAW_KEYS if c not in table]
    if missing:
        raise SystemExit(f"{answers}: columns {missing} are missing (not a dose-response answers table)")
    found = []
    for path in merged:
        labels = pd.read_json(path, lines=True, precise_float=True, dtype=False)
        absent = [c for c in (*DRAW_KEYS, "coherent", "category") if c not in labels]
        if absent:
            raise SystemExit(f"{path}: columns {absent} are missing (not a `merge` output of a dose-response pool)")
        keys = join_keys(table, labels)
        found.append(labels.merge(table[keys].drop_duplicates(), on=keys))  # this folder's draws only
    kept = pd.concat(found, ignore_index=True).drop_duplicates(keys)  # a draw labelled twice: the first file's label
    with out.open("w", encoding="utf-8") as handle:
        for row in kept.to_dict("records"):
            handle.write(json.dumps({k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()},
                                    ensure_ascii=False) + "\n")
    print(f"{len(kept)} of {len(table)} draws of {answers} labelled -> {out}")
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    mk = sub.add_parser("make")
    mk.add_argument("answers", type=Path)
    mk.add_argument("--out", type=Path, required=True)
    mk.add_argument("--shards", type=int, default=4)
    mk.add_argument("--overlap", type=float, default=0.1)
    mk.add_argument("--seed", type=int, default=0)
    mg = sub.add_parser("merge")
    mg.add_argument("folder", type=Path)
    mg.add_argument("--out", type=Path, required=True)
    co = sub.add_parser("collect")
    co.add_argument("merged", type=Path, nargs="+")
    co.add_argument("--answers", type=Path, required=True)
    co.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "make":
        make(args.answers, args.out, args.shards, args.overlap, args.seed)
    elif args.command == "collect":
        collect(args.merged, args.answers, args.out)
    else:
        merge(args.folder, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
