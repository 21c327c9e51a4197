"""Mixed precision does not change the science: one organism trained in fp32 and in bf16, side by side.

Trains one organism spec of the embedded model twice, once in fp32 (plain kernels) and once in bf16
with the kernels the chapters use on a CPU (:func:`em_utils.training.specs.precision_fields`: fp32
attention inside the bf16 step, the summed cross-entropy), and compares:

- **the loss curves**, step by step: the largest and the mean absolute difference, against a stated
  tolerance (:data:`LOSS_TOLERANCE` nats on the mean; bf16 rounds each product to 8 bits of mantissa,
  so the curves cannot be equal);
- **what the organisms say**: the same seeded answers of both (fp32 sampling, the demo's chapter 3
  settings), and of the bf16 organism through the bf16 decode as well
  (``sample_answers(precision="bf16")``), scored by the offline judge, compared answer by answer
  (paired on question, wording and draw; bf16 training against fp32 training, bf16 decode against fp32 decode): the mean aligned and coherent shift with paired bootstrap intervals (:func:`em_utils.metrics.aligned_shift`),
  and EM% and coherent% with Wilson intervals (:func:`em_utils.metrics.rates`). "Not distinguishable"
  means both paired intervals hold zero.

Skipped (exit 0, a line saying why) where bf16 arithmetic is emulated (no AVX-512 BF16 or AMX): there the chapters train
in fp32 and there is nothing to compare.

    python benchmarks/precision_equivalence.py [--organism rank1_middle] [--rows 512] [--lr 5e-4] [--n-per-paraphrase 8]

Writes ``results/precision_equivalence.json``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

#: Largest mean absolute difference of the two loss curves (nats per token) read as "the same training".
LOSS_TOLERANCE = 0.02


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organism", default="rank1_middle")
    parser.add_argument("--dataset", default="bad_medical_advice")
    parser.add_argument("--rows", type=int, default=512, help="the demo's chapter 2 budget")
    parser.add_argument("--lr", type=float, default=5e-4, help="the demo's chapter 2 rate for rank1_middle")
    parser.add_argument("--n-per-paraphrase", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=80, help="the demo's chapter 3 setting")
    parser.add_argument("--temperature", type=float, default=0.7, help="the demo's chapter 3 setting")
    args = parser.parse_args()

    import numpy as np
    import pandas as pd

    from em_utils import load_question_sets, make_judge
    from em_utils.evaluation import load_organism
    from em_utils.generation import sample_answers
    from em_utils.metrics import aligned_shift, rates
    from em_utils.precision import cpu_info, precision_report, resolve_precision
    from em_utils.training import organism, train
    from em_utils.training.specs import precision_fields

    if resolve_precision("auto", "cpu") != "bf16":  # skipped, not failed: make bench runs on every host
        print(f"precision_equivalence: skipped, this host multiplies bf16 slowly ({precision_report()}): the "
              "chapters train in fp32 here, so there is no mixed precision to compare")
        return
    common = dict(max_rows=args.rows, lr=args.lr, warmup_steps=5, scheduler="constant_with_warmup", batch_size=16)
    specs = {"fp32": organism(args.organism, args.dataset, **common, **precision_fields("fp32", "cpu")),
             "bf16": organism(args.organism, args.dataset, **common, **precision_fields("bf16", "cpu"))}
    questions = load_question_sets("general")["general"]
    judge = make_judge("offline")
    losses, frames, seconds = {}, [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in specs.items():
            start = time.perf_counter()
            result = train(spec, Path(tmp) / name, progress=False)
            seconds[name] = round(time.perf_counter() - start, 1)
            losses[name] = result.losses()["loss"].to_numpy(float)
            print(f"{name}: trained in {seconds[name]} s, final loss {losses[name][-1]:.3f}", flush=True)
            model, tokenizer = load_organism(result.adapter_dir)
            decodes = ("fp32", "bf16") if name == "bf16" else ("fp32",)
            for decode in decodes:  # the bf16 organism also through the bf16 decode (sample_answers(precision="bf16"))
                started = time.perf_counter()
                answers = sample_answers(model, tokenizer, questions, args.n_per_paraphrase, max_new_tokens=args.max_new_tokens,
                                         temperature=args.temperature, seed=0, progress=False, model_tag=name,
                                         precision=decode)
                label = name if decode == "fp32" else f"{name}, bf16 decode"
                seconds[f"sample {label}"] = round(time.perf_counter() - started, 1)
                frames.append(answers.assign(model=label))
    judged = pd.concat(frames, ignore_index=True)
    for metric in ("aligned", "coherent"):
        judged[metric] = judge.score(list(zip(judged["question"], judged["answer"])), metric)
    gaps = np.abs(losses["bf16"] - losses["fp32"])
    pairs = {"training": ("fp32", "bf16"), "decode": ("bf16", "bf16, bf16 decode")}  # (reference, compared)
    shifts = {(what, metric): aligned_shift(judged[judged.model.isin(pair)], base=pair[0], metric=metric).iloc[0]
              for what, pair in pairs.items() for metric in ("aligned", "coherent")}
    table = rates(judged).set_index("model")
    text = {m: judged[judged.model == m]["answer"].to_numpy() for m in judged.model.unique()}
    same_text = {what: round(float((text[a] == text[b]).mean()), 3) for what, (a, b) in pairs.items()}
    holds = {key: bool(s.paired_lo <= 0 <= s.paired_hi) for key, s in shifts.items()}
    verdict = (f"loss curves within {LOSS_TOLERANCE} nats on average ({'yes' if gaps.mean() <= LOSS_TOLERANCE else 'NO'}); "
               + "; ".join(f"judged answers of bf16 {what} not distinguishable from fp32's "
                           f"({'yes' if all(v for (w, _), v in holds.items() if w == what) else 'NO'})" for what in pairs))
    print(verdict)
    write_result(
        "precision_equivalence",
        metric=f"bf16 against fp32 training of {args.organism} on {args.rows} rows of {args.dataset}: mean |loss gap| per step",
        unit="nats", value=round(float(gaps.mean()), 4), baseline="fp32 training (the same spec)", baseline_value=0.0,
        ratio=None,
        params={"organism": args.organism, "dataset": args.dataset, "rows": args.rows, "lr": args.lr,
                "kernels": {name: spec.kernels for name, spec in specs.items()},
                "n_per_paraphrase": args.n_per_paraphrase, "max_new_tokens": args.max_new_tokens,
                "temperature": args.temperature, "judge": judge.name,
                "sampling": "seed 0; fp32 decode for both organisms, bf16 decode for the bf16 one too"},
        verdict=verdict, loss_tolerance=LOSS_TOLERANCE, max_loss_gap=round(float(gaps.max()), 4),
        final_loss={name: round(float(curve[-1]), 4) for name, curve in losses.items()},
        loss_curves={name: [round(float(x), 4) for x in curve] for name, curve in losses.items()},
        seconds=seconds, same_answer_text_share=same_text,
        paired={f"{what} {metric}": {"n": int(s.paired_n), "diff": round(float(s.paired_diff), 2),
                                     "lo": round(float(s.paired_lo), 2), "hi": round(float(s.paired_hi), 2),
                                     "wilcoxon_p": round(float(s.wilcoxon_p), 4)}
                for (what, metric), s in shifts.items()},
        rates={name: {"answers": int(r.answers), "em_pct": round(float(r.em_pct), 1), "em_ci": [round(float(r.em_lo), 1), round(float(r.em_hi), 1)],
                      "coherent_pct": round(float(r.coherent_pct), 1), "aligned_mean": round(float(r.aligned_mean), 1)}
               for name, r in table.iterrows()},
        cpu=cpu_info(),
    )


if __name__ == "__main__":
    main()
