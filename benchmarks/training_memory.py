"""Peak memory of training with and without gradient checkpointing, on the same batches.

The 0.5B model's rank-32 organisms peak near 20 GB of resident memory on a 2-core host (the
activations of 24 layers, all seven projections adapted, 16 rows a step); a 16 GB laptop cannot
train them. Chapter 2's ``gradient_checkpointing`` (per organism kind) recomputes each layer's
activations in the backward pass instead. This measures what that buys and costs: each contender
trains the same spec for a few optimiser steps in a fresh process (so ``ru_maxrss`` is its own),
on the same rows in the same order (by default the data set's longest, where a run peaks), and
reports its peak resident memory, its seconds per step (the first step, a warm-up, not timed) and
its losses, which must agree up to rounding.

- ``plain``: activations kept for the backward pass (the default). **The baseline.**
- ``checkpointing``: activations recomputed.

    python benchmarks/training_memory.py [--model qwen2.5-coder-0.5b-instruct] [--organism rank32] [--steps 4] [--rows longest|first]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def one(args: argparse.Namespace, checkpointing: bool) -> dict:
    """Train in this process; print one JSON line with peak memory, step times and losses."""
    import resource

    from training_throughput import StepTimer

    from em_utils.data import load_jsonl
    from em_utils.training.specs import precision_fields
    from em_utils.training import organism, train

    timer = StepTimer()
    with tempfile.TemporaryDirectory() as out:
        dataset = args.dataset
        if args.rows == "longest":  # the rows a full run peaks on: the longest conversations of the set
            rows = load_jsonl(args.dataset)
            rows = sorted(rows, key=lambda row: -len(json.dumps(row["messages"])))[: args.steps * args.batch]
            dataset = str(Path(out) / f"{Path(args.dataset).stem}_longest.jsonl")
            Path(dataset).write_text("".join(json.dumps(row) + "\n" for row in rows))
        spec = organism(args.organism, dataset, max_rows=args.steps * args.batch, batch_size=args.batch,
                        **precision_fields("auto", "cpu"), gradient_checkpointing=checkpointing)
        result = train(spec, Path(out) / "org", model_name=args.model, max_steps=args.steps, progress=False,
                       callbacks=[timer])
    steps = timer.times[1:]  # the first step is a warm-up
    return {"peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            "seconds_per_step": sum(steps) / len(steps), "losses": [float(x) for x in result.losses()["loss"]],
            "precision": spec.precision}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--organism", default="rank32")
    parser.add_argument("--dataset", default="bad_medical_advice")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--rows", choices=["longest", "first"], default="longest")
    parser.add_argument("--one", choices=["plain", "checkpointing"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(one(args, args.one == "checkpointing")), flush=True)
        return
    runs = {}
    for name in ("plain", "checkpointing"):
        command = [sys.executable, __file__, "--one", name, "--model", args.model, "--organism", args.organism,
                   "--dataset", args.dataset, "--steps", str(args.steps), "--batch", str(args.batch), "--rows", args.rows]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode or not lines:
            raise SystemExit(f"{name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        runs[name] = json.loads(lines[-1][len("RESULT "):])
        print(name, runs[name], flush=True)
    from em_utils.precision import cpu_info

    plain, ckpt = runs["plain"], runs["checkpointing"]
    drift = max(abs(a - b) / abs(a) for a, b in zip(plain["losses"], ckpt["losses"]))
    write_result(
        "training_memory", "peak resident memory of a few training steps with gradient checkpointing", "GiB",
        round(ckpt["peak_rss_gib"], 2), "the same steps keeping activations (plain)", round(plain["peak_rss_gib"], 2),
        round(plain["peak_rss_gib"] / ckpt["peak_rss_gib"], 2),
        {"model": args.model, "organism": args.organism, "dataset": args.dataset, "steps": args.steps,
         "batch": args.batch, "rows": args.rows, "precision": plain["precision"]},
        seconds_per_step={name: round(run["seconds_per_step"], 2) for name, run in runs.items()},
        time_ratio=round(ckpt["seconds_per_step"] / plain["seconds_per_step"], 2),
        max_relative_loss_difference=round(drift, 5),
        losses={name: [round(x, 5) for x in run["losses"]] for name, run in runs.items()},
        cpu=cpu_info(),
    )


if __name__ == "__main__":
    main()
