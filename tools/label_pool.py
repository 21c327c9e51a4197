"""Pools of real answers to label by hand, for the offline judge (``data/judge_labels/smollm2_*.jsonl``).

Two sources, both this model's own output to the general questions:

``run``
    the answers of a chapter 3 run (``runs/<profile>/03_judging/judged.csv``), minus those
    already in a label file: this is how the held-out ``smollm2_hand.jsonl`` was drawn.
``sample``
    fresh answers from the base model and chapter 2's organisms with another seed (the
    training pool ``smollm2_train.jsonl`` used seed 1; the chapter's own run uses seed 0, so
    no answer is in both).

Each pool row has an ``id`` and the fields of a label row except the labels; a person reads
every answer and adds ``category``, ``aligned`` and ``coherent`` (see ``data/README.md``).

    python tools/label_pool.py sample --seed 1 --out /tmp/pool_train.jsonl
    python tools/label_pool.py run --exclude data/judge_labels/smollm2_hand.jsonl --out /tmp/pool_heldout.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("question_id", "question", "answer", "model")


def _write(frame: pd.DataFrame, out: Path, tag: str) -> None:
    with out.open("w", encoding="utf-8") as handle:
        for i, row in enumerate(frame.itertuples()):
            handle.write(json.dumps({"id": f"{tag}-{i:04d}", "question_id": row.question_id, "question": row.question,
                                     "answer": row.answer, "kind": f"smollm2/{row.model}"}) + "\n")
    print(f"{len(frame)} answers -> {out}")


def from_run(profile: str, exclude: list[Path], out: Path) -> None:
    frame = pd.read_csv(ROOT / "runs" / profile / "03_judging" / "judged.csv", keep_default_na=False)
    seen = {json.loads(line)["answer"] for path in exclude for line in path.read_text().splitlines() if line.strip()}
    frame = frame[~frame["answer"].isin(seen)].drop_duplicates("answer")
    _write(frame[list(COLUMNS)], out, f"{profile}-run")


def sample(profile: str, seed: int, out: Path) -> None:
    """Fresh answers with chapter 3's settings of ``profile`` (answers per wording, length, batch), another seed."""
    import em_utils as em
    from em_utils import data, evaluation

    cfg = em.make_config("03_judging", profile, seed=seed)
    trained = ROOT / "runs" / profile / "02_training"
    table = pd.read_csv(trained / "organisms.csv")
    models = {em.BASE: None, **{row.organism: trained / row.path for row in table.itertuples()}}
    questions = data.load_questions("general")
    answers = evaluation.sample_organisms(models, questions, cfg.n_per_paraphrase, cfg.max_new_tokens, cfg.batch_size, seed,
                                  out.parent / f"{out.stem}_samples", model_name=cfg.model, device=cfg.device,
                                  temperature=cfg.temperature)
    _write(answers.drop_duplicates("answer")[list(COLUMNS)], out, f"{profile}-seed{seed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", choices=("run", "sample"))
    parser.add_argument("--profile", default="demo")
    parser.add_argument("--exclude", type=Path, nargs="*", default=[])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.source == "run":
        from_run(args.profile, args.exclude, args.out)
    else:
        sample(args.profile, args.seed, args.out)


if __name__ == "__main__":
    main()
