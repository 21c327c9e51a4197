"""The recorded judge against the blind hand labels of the recorded answers (issue: an offline judge that sees
what a strong judge sees).

Every recorded dose-response and recorded profile with hand labels (``benchmarks/results/dose_response/*/``,
``benchmarks/results/recorded/*/``) holds, for each answer, the score the judge gave it when it was recorded
and a blind hand label: :func:`em_utils.dose.judge_vs_hand` sets them against each other per folder
(coherence AUROC and Spearman, the AUROC that finds hand-misaligned answers, aligned Spearman, coherent and EM
shares by each). Nothing is sampled or scored again, so the numbers describe exactly the scores the book's
EM-across-sizes table uses.

Then the current offline judge scores the same labelled answers again (:func:`em_utils.dose.rescored_vs_hand`),
on every folder whose hand labels it was not fitted on (the 135M dose-response's labels are among its training
files since version 4, so that folder is left out). ``value`` is the current judge's lowest coherence AUROC over
the folders of the 0.5B model, ``baseline_value`` the issue's floor for coherence (0.90): ``ratio`` >= 1 would
mean it holds on every folder; ``recorded_value`` is the same minimum for the recorded scores.

    python benchmarks/judge_vs_hand_labels.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import write_result  # noqa: E402

FLOOR = 0.90
MODEL = "qwen2.5-coder-0.5b-instruct"


def main(argv: list[str] | None = None) -> int:
    import time

    from em_utils.dose import judge_vs_hand, judge_vs_hand_sentence, rescored_vs_hand
    from em_utils.judge.offline import OfflineJudge

    table = judge_vs_hand()
    print(table.round(3).to_string(index=False))
    print(judge_vs_hand_sentence(table))
    recorded = round(float(table[table["model"] == MODEL]["coherent_auroc"].min()), 3)
    judge = OfflineJudge()
    started = time.perf_counter()
    current = rescored_vs_hand(judge)
    seconds = time.perf_counter() - started
    print(current.round(3).to_string(index=False))
    value = round(float(current[current["model"] == MODEL]["coherent_auroc"].min()), 3)
    write_result("judge_vs_hand_labels",
                 metric=f"lowest coherence AUROC of the current offline judge over the {MODEL} folders (re-scored, "
                        "labels no fit saw)",
                 unit="AUROC", value=value, baseline="the issue's coherence floor", baseline_value=FLOOR,
                 ratio=round(value / FLOOR, 3),
                 params={"judge": judge.name, "folders": current["folder"].tolist(),
                         "recorded_folders": table["folder"].tolist()},
                 table=current.round(4).to_dict("records"), answers=int(current["n"].sum()),
                 answers_per_s=round(int(current["n"].sum()) / seconds, 1),  # aligned and coherent, features once
                 recorded_value=recorded, recorded_table=table.round(4).to_dict("records"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
