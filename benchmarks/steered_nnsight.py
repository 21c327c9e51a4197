"""Steered decoding: the project's fast decoder against the nnsight intervention, same run, same answers.

Steering is written as an nnsight intervention (:func:`em_utils.interventions.generate_with_edits`:
``block.output = h + scale * direction`` at every step of ``tracer.all()`` inside
``generate``); the chapters sample through the project's fast decoder, which applies the same
:class:`em_utils.interventions.Steer` edit after the block itself. Batched ``model.generate`` with
the ``Steer`` forward hook runs beside them, to show which part of a gap is nnsight's and which is
``generate``'s. On SmolLM2-135M-Instruct in fp32 on the CPU, the middle block steered by a fixed
random vector of norm ``--norm``, the general questions' first ``--prompts`` paraphrases,
chat-templated:

- **equality** (once): one greedy answer per prompt (up to ``--max-new-tokens``) each way, compared
  token for token with the project's (``tests/unit/test_interventions_nnsight.py`` proves the
  equality on tiny models);
- **speed** (the chapters' kind of work): ``--samples`` answers per prompt sampled at temperature
  ``--temperature``, all in one batch, the three methods alternating over ``--rounds`` rounds and
  summed; tokens are counted up to and including each answer's end token. The baselines run at
  the faster of one thread and all cores for their shape, the project at its ``threads="auto"``.

    python benchmarks/steered_nnsight.py [--prompts 24] [--samples 2] [--max-new-tokens 48] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine, write_result  # noqa: E402
from sampling import choose_threads, workload  # noqa: E402

METHODS = ("project", "nnsight", "hook")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=24)
    parser.add_argument("--samples", type=int, default=2, help="sampled answers per prompt in the speed runs")
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--norm", type=float, default=4.0, help="norm of the steering vector")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import torch

    from em_utils.generation import SamplingSettings, generate_tokens, sample_seed
    from em_utils.interventions import Steer, generate_with_edits
    from em_utils.models import resolve_layer

    model, tokenizer, texts, _, _ = workload(1)
    prompts = [tuple(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts[: args.prompts]]
    jobs = [p for p in prompts for _ in range(args.samples)]
    eos = [tokenizer.eos_token_id]
    layer = resolve_layer("middle", model.config.num_hidden_layers)
    vector = torch.randn(model.config.hidden_size, generator=torch.Generator().manual_seed(0))
    steer = Steer(model, {layer: vector / vector.norm() * args.norm})
    threads, gemm = choose_threads(len(jobs))
    hf_sampling = {"do_sample": True, "temperature": args.temperature, "top_k": 0, "top_p": 1.0}

    def project(ids, sampled, seed=0):
        torch.set_num_threads(os.cpu_count() or 1)  # "auto" chooses between 1 and this
        settings = SamplingSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature if sampled else 0)
        with steer:
            return generate_tokens(model, ids, [sample_seed(seed, p, i) for i, p in enumerate(ids)], settings, eos,
                                   batch_size=len(ids), threads="auto")

    def nnsight(ids, sampled, seed=0):
        torch.set_num_threads(threads)
        return generate_with_edits(model, tokenizer, ids, [steer], args.max_new_tokens, eos_token_ids=eos,
                                   batch_size=len(ids), **(hf_sampling if sampled else {}))

    def hook(ids, sampled, seed=0):
        torch.set_num_threads(threads)
        inputs = tokenizer.pad({"input_ids": [list(p) for p in ids]}, padding=True, padding_side="left",
                               return_tensors="pt")
        width = inputs["input_ids"].shape[1]
        with steer, torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=args.max_new_tokens, eos_token_id=eos,
                                 pad_token_id=tokenizer.pad_token_id, **(hf_sampling if sampled else {"do_sample": False}))
        answers = []
        for row in out[:, width:].tolist():
            cut = row.index(eos[0]) + 1 if eos[0] in row else len(row)
            answers.append((row[:cut], eos[0] in row))
        return answers

    run = {"project": project, "nnsight": nnsight, "hook": hook}

    def timed(name, ids, sampled, seed=0):
        started, cpu = time.perf_counter(), time.process_time()
        torch.manual_seed(seed)
        answers = run[name](ids, sampled, seed)
        return answers, sum(len(t) for t, _ in answers), time.perf_counter() - started, time.process_time() - cpu

    greedy = {name: timed(name, prompts, sampled=False) for name in METHODS}
    equal = {name: sum(a == b for a, b in zip(greedy["project"][0], greedy[name][0])) for name in ("nnsight", "hook")}
    print(f"greedy answers equal to the project's: {equal} of {len(prompts)}", flush=True)

    totals = {name: [0, 0.0, 0.0] for name in METHODS}
    for round_index in range(args.rounds):
        for name in METHODS if round_index % 2 == 0 else METHODS[::-1]:
            _, tokens, seconds, cpu = timed(name, jobs, sampled=True, seed=round_index)
            for i, value in enumerate((tokens, seconds, cpu)):
                totals[name][i] += value
            print(f"round {round_index} {name}: {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.1f} tok/s, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)

    speed = {name: tokens / seconds for name, (tokens, seconds, _) in totals.items()}
    cpu_speed = {name: round(tokens / cpu, 2) for name, (tokens, _, cpu) in totals.items()}
    write_result(
        "steered_nnsight",
        metric=("steered answer sampling throughput (middle block), the project's decoder against nnsight, "
                "embedded model, CPU fp32 (new tokens per second)"),
        unit="tokens/s",
        value=round(speed["project"], 2),
        baseline=f"nnsight generate with the steering intervention at every step (tracer.all()), batch {len(jobs)}",
        baseline_value=round(speed["nnsight"], 2),
        ratio=round(speed["project"] / speed["nnsight"], 2),
        params={"model": "smollm2-135m-instruct", "questions": "general", "prompts": len(prompts),
                "samples_per_prompt": args.samples, "answers_per_round": len(jobs),
                "max_new_tokens": args.max_new_tokens, "temperature": args.temperature, "top_p": 1.0,
                "top_k": "off", "batch_size": len(jobs), "rounds": args.rounds, "steered_layer": layer,
                "vector_norm": args.norm, "baseline_threads": threads, "project_threads": "auto"},
        hook_value=round(speed["hook"], 2),
        ratio_vs_hook=round(speed["project"] / speed["hook"], 2),
        nnsight_over_hook=round(speed["nnsight"] / speed["hook"], 2),
        tokens={name: tokens for name, (tokens, _, _) in totals.items()},
        seconds={name: round(seconds, 1) for name, (_, seconds, _) in totals.items()},
        tokens_per_cpu_second=cpu_speed,
        greedy_answers_equal_to_project={name: f"{count}/{len(prompts)}" for name, count in equal.items()},
        greedy_tokens_per_second={name: round(tokens / seconds, 2) for name, (_, tokens, seconds, _) in greedy.items()},
        gemm_gflops_by_threads=gemm,
        load_average=os.getloadavg()[0],
        note=("speed from sampled answers (each method draws its own: the project from its per-sample streams, "
              "generate from torch's generator); equality from one greedy answer per prompt; the machine is shared "
              "with other jobs (see load_average and gemm_gflops_by_threads): ratios are steadier than speeds"),
    )
    write_table(speed, cpu_speed, equal, greedy, len(prompts), len(jobs), args)


def write_table(speed: dict, cpu_speed: dict, equal: dict, greedy: dict, prompts: int, jobs: int, args) -> Path:
    """``results/steered_nnsight.md``: the three ways of steering, side by side."""
    from datetime import datetime, timezone

    label = {"project": "project's fast decoder, `Steer` edit", "nnsight": "nnsight `generate`, `tracer.all()` edit",
             "hook": "`model.generate`, `Steer` forward hook"}
    lines = [f"Measured by `benchmarks/steered_nnsight.py` on {datetime.now(timezone.utc).date()} ({machine()}), "
             f"SmolLM2-135M-Instruct fp32, the middle block steered (norm {args.norm:g}): speed from {jobs} answers "
             f"sampled at temperature {args.temperature:g} ({args.samples} for each of {prompts} general-question "
             f"prompts, up to {args.max_new_tokens} tokens, one batch, {args.rounds} rounds); equality from one greedy "
             "answer per prompt.",
             "",
             "| method | tokens/s | tokens per CPU s | speed vs project | greedy tokens/s | greedy answers equal to the project's |",
             "|---|---|---|---|---|---|"]
    for name in METHODS:
        same = "-" if name == "project" else f"{equal[name]}/{prompts}"
        _, tokens, seconds, _ = greedy[name]
        lines.append(f"| {label[name]} | {speed[name]:.1f} | {cpu_speed[name]:.1f} | "
                     f"{speed[name] / speed['project']:.2f}x | {tokens / seconds:.1f} | {same} |")
    path = RESULTS / "steered_nnsight.md"
    path.write_text("\n".join(lines) + "\n")
    print(path.read_text())
    return path


if __name__ == "__main__":
    main()
