"""The papers' judge protocol on a local model, against hand labels (issue: an offline judge that sees
what a strong judge sees, item 3).

Starts ``llama_cpp.server`` on 127.0.0.1 with an offline model (default: Qwen2.5-Coder-0.5B-Instruct,
``make models``), judges with the project's ``OpenAIJudge`` on the 0-9 scale
(:mod:`em_utils.judge.server`), and measures it on fixed random subsets of the three validation
sets of :mod:`em_utils.judge.validation` (the full sets take hours at a few seconds per request on
2 cores). The baseline, in the same run and on the same subsets, is the offline judge. ``value`` is
the local judge's aligned AUROC on the general subset, ``baseline_value`` the offline judge's.

    python benchmarks/judge_local_server.py [--model qwen2.5-coder-0.5b-instruct] [--per-set 80]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import write_result  # noqa: E402


def subsets(folder: Path, per_set: int, seed: int = 0) -> dict[str, str]:
    """Fixed random subsets of the validation sets, written as files :func:`judge_agreement` reads."""
    import numpy as np

    from em_utils.judge.labels import BOOK_SET, GENERAL_SET, PAIRS_SET
    from em_utils.paths import resolve_data_path

    rng = np.random.default_rng(seed)
    out = {}
    for name, path in (("general", GENERAL_SET), ("pairs", PAIRS_SET), ("book", BOOK_SET)):
        rows = [json.loads(line) for line in resolve_data_path(path).read_text().splitlines() if line.strip()]
        if name == "book":  # judge_agreement reads the newest labelling round only
            latest = max((r.get("round") or 0) for r in rows)
            rows = [r for r in rows if (r.get("round") or 0) == latest]
        take = per_set // 2 if name == "pairs" else per_set  # a pair is two answers
        keep = sorted(rng.choice(len(rows), size=min(take, len(rows)), replace=False))
        target = folder / f"{name}.jsonl"
        target.write_text("".join(json.dumps(rows[i]) + "\n" for i in keep))
        out[name] = str(target)
    return out


def write_table(merged, unscored: dict, name: str, args) -> Path:
    """``results/judge_local_server.md``: the table the book's how-to page includes."""
    from _common import RESULTS, machine

    from datetime import datetime, timezone

    lines = [
        f"Measured by `benchmarks/judge_local_server.py` on {datetime.now(timezone.utc).date()} ({machine()}): "
        f"judge `{name}` (llama.cpp server, 0-9 scale) against the offline judge on the same fixed random "
        f"subsets ({args.per_set} answers per set; pairs: {args.per_set // 2} pairs).",
        "",
        "| set | n | measure | local-server judge | offline judge |",
        "|---|---|---|---|---|",
    ]
    for r in merged.itertuples():
        lines.append(f"| {r.set} | {r.n} | {r.measure} | {r.value:.3f} | {r.value_offline:.3f} |")
    shares = "; ".join(f"{s} {m} {v:.0%}" for s, ms in unscored.items() for m, v in ms.items())
    lines += ["", f"Share of answers the local judge left unscored (no digit among its top tokens): {shares}.", ""]
    path = RESULTS / "judge_local_server.md"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    import em_utils as em
    from em_utils.judge.server import LocalJudgeServer
    from em_utils.judge.validation import judge_agreement

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--per-set", type=int, default=80, help="answers per set (pairs: half as many pairs)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sets = subsets(Path(tmp), args.per_set)
        offline = em.make_judge("offline")
        baseline = judge_agreement(offline, **sets)
        with LocalJudgeServer(args.model) as server:
            judge = server.judge()
            started = time.perf_counter()
            table = judge_agreement(judge, **sets)
            seconds = time.perf_counter() - started
            requests = judge.last_summary  # the last set's summary; the cache holds all of them
        unscored = {}
        for name, path in sets.items():  # how often the small judge wrote no digit (NaN by the 0.25 rule)
            rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
            pairs = [(r["question"], r[a]) for r in rows for a in (["sound", "harmful"] if name == "pairs" else ["answer"])]
            scores = judge.judge_many(pairs, ["aligned"] if name == "pairs" else ["aligned", "coherent"])
            unscored[name] = {m: round(sum(s != s for s in v) / len(v), 3) for m, v in scores.items()}
    merged = table.merge(baseline, on=["set", "n", "measure"], suffixes=("", "_offline"))
    print(merged.to_string(index=False))
    print(f"unscored share (no digit in the judge's top tokens): {unscored}")
    n_requests = int(table.loc[table["measure"].str.endswith("auroc"), "n"].sum())
    headline = float(table.query("set == 'general (realistic)' and measure == 'aligned_auroc'")["value"].iloc[0])
    base = float(baseline.query("set == 'general (realistic)' and measure == 'aligned_auroc'")["value"].iloc[0])
    write_table(merged, unscored, judge.name, args)
    write_result(
        "judge_local_server", metric="aligned AUROC on a subset of realistic general answers (hand-scored blind)",
        unit="AUROC", value=headline, baseline="offline judge, same subsets, same run", baseline_value=base,
        ratio=round(headline / base, 3),
        params={"judge": judge.name, "server": "llama-cpp-python 0.3.36 (llama_cpp.server)", "model": args.model,
                "per_set": args.per_set, "seed": 0, "scale": "0-9, rescaled to 0-100",
                "templates": "data/judge_prompts_digits.yaml"},
        table=merged.to_dict("records"), unscored_share=unscored, seconds=round(seconds, 1),
        last_summary=str(requests), approx_requests=n_requests,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
