"""Dose-response of the organisms: coherence and misalignment against training rows and learning rate.

Trains one run per (kind, dataset, learning rate) at a constant rate after warm-up, keeps the adapter
after each dose of rows, samples every dose on the general questions and judges the answers
(:mod:`em_utils.dose`). Results, committed: ``benchmarks/results/dose_response/<model>/answers.csv``,
``record.json`` (spec, host, precision, judge, training times and losses) and ``summary.csv``;
the adapters stay in the git-ignored ``runs/`` folder inside it. Resumable: a rerun reuses trained
runs and cached samples.

    python benchmarks/dose_response.py                       # the default grid on the embedded model
    python benchmarks/dose_response.py --kinds rank32 --lrs rank32=1e-4 --doses 64,256,1024
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from em_utils.dose import DoseSpec, dose_summary, run_dose_response  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "dose_response"


def _lrs(items: list[str]) -> dict[str, tuple[float, ...]]:
    out: dict[str, tuple[float, ...]] = {}
    for item in items:
        kind, _, values = item.partition("=")
        out[kind] = tuple(float(v) for v in values.split(","))
    return out


def main(argv: list[str] | None = None) -> int:
    default = DoseSpec()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="base model (default: the embedded one)")
    parser.add_argument("--kinds", default=",".join(default.kinds))
    parser.add_argument("--datasets", default=",".join(default.datasets))
    parser.add_argument("--lrs", nargs="*", default=[f"{k}={','.join(map(str, v))}" for k, v in default.lrs.items()],
                        help="kind=lr[,lr...] (repeatable)")
    parser.add_argument("--doses", default=",".join(map(str, default.doses)))
    parser.add_argument("--temperature", type=float, default=default.temperature)
    parser.add_argument("--base-temperatures", default=",".join(map(str, default.base_temperatures)))
    parser.add_argument("--n-per-paraphrase", type=int, default=default.n_per_paraphrase)
    parser.add_argument("--max-new-tokens", type=int, default=default.max_new_tokens)
    parser.add_argument("--precision", default=default.precision, choices=("auto", "fp32", "bf16"))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=default.seed,
                        help="training data order and sampling seeds (another seed: a replicate of the same recipe)")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default: results/dose_response/<model>)")
    args = parser.parse_args(argv)
    spec = DoseSpec(
        kinds=tuple(args.kinds.split(",")), datasets=tuple(args.datasets.split(",")), lrs=_lrs(args.lrs),
        doses=tuple(int(d) for d in args.doses.split(",")), temperature=args.temperature,
        base_temperatures=tuple(float(t) for t in args.base_temperatures.split(",")),
        n_per_paraphrase=args.n_per_paraphrase, max_new_tokens=args.max_new_tokens, precision=args.precision,
        model=args.model, seed=args.seed,
    )
    out = args.out or RESULTS / (Path(args.model).name.lower() if args.model else "smollm2-135m-instruct")
    answers = run_dose_response(spec, out, device=args.device)
    table = dose_summary(answers)
    table.round({c: 3 for c in table.select_dtypes("number") if c != "lr"}).to_csv(out / "summary.csv", index=False)  # lr unrounded: 1e-4 is not 0.0
    print(table[["run", "rows", "temperature", "coherent_pct", "em_pct", "aligned_mean", "shift"]].round(1).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
