"""Sampling under a steering intervention: the project's decoder against ``model.generate``, same run.

Chapter 4's sweeps sample answers while :class:`em_utils.interventions.Steer` adds a vector to the
residual stream after one block. ``model.generate`` runs such a hook as it is (a forward hook on
the block); the project's fast decoder applies the same edit after that block itself (tested
token-equal to the model's forward with the hook). The workload: every paraphrase of the general
questions, ``--n-per-paraphrase`` samples each, on the embedded SmolLM2-135M-Instruct in fp32 on the
CPU, temperature 1, the middle block steered by a fixed random vector (norm ``--norm``), both at
the same batch size, the baseline at the faster of one thread and all cores for its shape; the
methods alternate over ``--rounds`` rounds and are summed.

    python benchmarks/steered_sampling.py [--n-per-paraphrase 4] [--max-new-tokens 64] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from sampling import choose_threads, run_generate, run_project, workload  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-per-paraphrase", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--norm", type=float, default=4.0, help="norm of the steering vector")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import torch

    from em_utils import resolve_layer
    from em_utils.interventions import Steer

    model, tokenizer, texts, jobs, ids = workload(args.n_per_paraphrase)
    batch_size = len(jobs)
    layer = resolve_layer("middle", model.config.num_hidden_layers)
    vector = torch.randn(model.config.hidden_size, generator=torch.Generator().manual_seed(0))
    vector = vector / vector.norm() * args.norm
    threads, gemm = choose_threads(batch_size)

    totals = {name: [0, 0.0, 0.0] for name in ("project", "baseline")}
    with Steer(model, {layer: vector}):
        for round_index in range(args.rounds):
            for name in (["project", "baseline"] if round_index % 2 == 0 else ["baseline", "project"]):
                torch.manual_seed(round_index)
                if name == "project":
                    tokens, seconds, cpu, _ = run_project(model, ids, batch_size, args.max_new_tokens,
                                                          seed=round_index, eos=[tokenizer.eos_token_id])
                else:
                    tokens, seconds, cpu = run_generate(model, tokenizer, jobs, batch_size, args.max_new_tokens,
                                                        threads, [tokenizer.eos_token_id])
                for i, value in enumerate((tokens, seconds, cpu)):
                    totals[name][i] += value
                print(f"round {round_index} {name}: {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.1f} "
                      f"tok/s, load {os.getloadavg()[0]:.1f}", flush=True)

    speed = {name: tokens / seconds for name, (tokens, seconds, _) in totals.items()}
    write_result(
        "steered_sampling",
        metric="answer sampling throughput with the middle block steered, embedded model, CPU fp32 (new tokens per second)",
        unit="tokens/s",
        value=round(speed["project"], 2),
        baseline=f"batched model.generate(do_sample=True) with the Steer hook, batch {batch_size}",
        baseline_value=round(speed["baseline"], 2),
        ratio=round(speed["project"] / speed["baseline"], 2),
        params={"model": "smollm2-135m-instruct", "questions": "general", "prompts": len(texts),
                "n_per_paraphrase": args.n_per_paraphrase, "answers_per_round": len(jobs),
                "max_new_tokens": args.max_new_tokens, "temperature": 1.0, "batch_size": batch_size,
                "rounds": args.rounds, "steered_layer": layer, "vector_norm": args.norm,
                "baseline_threads": threads, "project_threads": "auto"},
        tokens={name: tokens for name, (tokens, _, _) in totals.items()},
        seconds={name: round(seconds, 1) for name, (_, seconds, _) in totals.items()},
        gemm_gflops_by_threads=gemm,
        load_average=os.getloadavg()[0],
    )


if __name__ == "__main__":
    main()
