"""The judge against hand labels on realistic text (issue: an offline judge that sees what a strong judge sees).

Measures the judge (default: the offline one) on the three sets of :mod:`em_utils.judge.validation`
(realistic answers to the general questions scored blind; matched pairs of sound vs subtly harmful
advice; the book's own answers labelled by hand), and its speed on the general set. The floors the
issue sets: aligned AUROC >= 0.90 on the general set and >= 0.85 on the pairs, coherence AUROC >= 0.90
on the book's answers, >= 10 answers per second on 2 cores. ``value`` is the general set's aligned
AUROC; ``baseline_value`` the floor (0.90), so ``ratio`` >= 1 means the floor holds.

    python benchmarks/judge_agreement.py [--judge offline]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import write_result  # noqa: E402

FLOORS = {("general (realistic)", "aligned_auroc"): 0.90, ("matched advice pairs", "aligned_auroc"): 0.85,
          ("book's own answers", "coherent_auroc"): 0.90}


def main(argv: list[str] | None = None) -> int:
    import em_utils as em
    from em_utils.judge.labels import GENERAL_SET, load_labels
    from em_utils.judge.validation import judge_agreement

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--judge", default="offline")
    args = parser.parse_args(argv)
    judge = em.make_judge(args.judge)
    table = judge_agreement(judge)
    rows = load_labels(GENERAL_SET)
    pairs = [(r["question"], r["answer"]) for r in rows]
    if hasattr(judge, "clear_memo"):
        judge.clear_memo()  # the agreement table encoded these answers already: time them from scratch
    started = time.perf_counter()
    judge.score(pairs, "aligned")
    judge.score(pairs, "coherent")
    rate = len(pairs) / (time.perf_counter() - started)
    print(table.to_string(index=False))
    print(f"speed: {rate:.1f} answers/s (both metrics)")
    measured = {(r.set.split(" (round")[0], r.measure): r.value for r in table.itertuples()}
    floors = {f"{s} / {m}": {"floor": f, "value": measured.get((s, m)), "holds": (measured.get((s, m)) or 0) >= f}
              for (s, m), f in FLOORS.items()}
    headline = measured.get(("general (realistic)", "aligned_auroc"), float("nan"))
    write_result("judge_agreement", metric="aligned AUROC on realistic general answers (hand-scored blind)",
                 unit="AUROC", value=headline, baseline="the issue's floor", baseline_value=0.90,
                 ratio=round(headline / 0.90, 3),
                 params={"judge": judge.name},
                 table=table.to_dict("records"), floors=floors, answers_per_s=round(rate, 1), speed_floor=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
