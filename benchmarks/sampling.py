"""Answer sampling throughput: the project's decoder against ``model.generate``, same run.

The workload is the chapters' own: every paraphrase of the general question set, chat-templated,
``--n-per-paraphrase`` samples each, on the embedded SmolLM2-135M-Instruct (or ``--model``) on the CPU in ``--precision`` (fp32 by default; bf16:
the project's bf16 projections against ``generate`` under bf16 autocast),
temperature 1, top_p 1 (top_k off), ``--max-new-tokens`` per answer. Three ways to draw them:

- naive: one ``model.generate(do_sample=True)`` call per answer (on a subset of the answers,
  spread over the prompts);
- baseline: plain batched ``model.generate(do_sample=True)``, left padded, a fixed number of rows
  per call, the prompts in question order (a prompt's samples side by side);
- project: :func:`em_utils.generation.generate_tokens` at the same batch size (what
  :func:`em_utils.generation.sample_answers` runs, minus tokenising and the cache), with its
  default ``threads="auto"``.

The metric is new tokens per second of wall time, counting each answer up to and including its
end token (what ``generate`` pads on after an answer ended is not counted). The machine is shared
with other jobs, so the methods alternate in rounds and each is summed over all rounds. The
baselines get their best settings: the faster of one thread and all cores on a matrix product of
their shape (probed at the start, unless ``--threads`` is given), and the batch size (of
``--baseline-batch-sizes``; by default up to every answer of the workload in one batch) at which
``generate`` draws the most tokens per CPU second on a short probe (24 new tokens per answer).

    python benchmarks/sampling.py [--n-per-paraphrase 8] [--baseline-batch-sizes 64,128,192] [--rounds 2]
        [--model qwen2.5-coder-0.5b-instruct]   # writes results/sampling_qwen25coder05b.json
        [--precision bf16]                      # adds _bf16 to the name
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402



def answer_lengths(new_tokens, eos: list[int]) -> list[int]:
    """Tokens of each generated row up to and including its first end token (any of ``eos``)."""
    return [next((i + 1 for i, t in enumerate(row) if t in eos), len(row)) for row in new_tokens.tolist()]


def run_generate(model, tokenizer, prompts: list[str], batch_size: int, max_new_tokens: int,
                 threads: int, eos: list[int], precision: str = "fp32") -> tuple[int, float, float]:
    """Plain batched ``model.generate`` (under bf16 autocast for ``precision="bf16"``); returns (new tokens,
    wall seconds, CPU seconds)."""
    import torch

    torch.set_num_threads(threads)
    started, cpu, tokens = time.perf_counter(), time.process_time(), 0
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
        for start in range(0, len(prompts), batch_size):
            batch = tokenizer(prompts[start : start + batch_size], return_tensors="pt", padding=True,
                              add_special_tokens=False)
            out = model.generate(**batch, do_sample=True, temperature=1.0, top_p=1.0, top_k=0,
                                 max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id, eos_token_id=eos)
            tokens += sum(answer_lengths(out[:, batch["input_ids"].shape[1]:], eos))
    return tokens, time.perf_counter() - started, time.process_time() - cpu


def run_project(model, prompt_ids: list[tuple[int, ...]], batch_size: int, max_new_tokens: int,
                seed: int, eos: list[int], precision: str = "fp32") -> tuple[int, float, float, float]:
    """The project's decoder; returns (new tokens, wall seconds, CPU seconds, share ended by EOS)."""
    import torch

    from em_utils.generation import SamplingSettings, generate_tokens, sample_seed

    torch.set_num_threads(os.cpu_count() or 1)  # "auto" chooses between 1 and this
    streams = [sample_seed(seed, p, i) for i, p in enumerate(prompt_ids)]
    started, cpu = time.perf_counter(), time.process_time()
    results = generate_tokens(model, prompt_ids, streams, SamplingSettings(max_new_tokens=max_new_tokens), eos,
                              batch_size=batch_size, threads="auto", precision=precision)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return sum(len(t) for t, _ in results), seconds, cpu, sum(f for _, f in results) / len(results)


def choose_threads(rows: int, d: int = 576, inner: int = 1536) -> tuple[int, dict[int, float]]:
    """The faster thread count for a (rows x d) @ (d x inner) product (the model's MLP), with GFLOP/s per count."""
    import torch

    x, w = torch.randn(rows, d), torch.randn(inner, d)
    speeds = {}
    for threads in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        torch.nn.functional.linear(x, w)
        reps = max(50, 12800 // rows)
        started = time.perf_counter()
        for _ in range(reps):
            torch.nn.functional.linear(x, w)
        speeds[threads] = round(2 * rows * d * inner * reps / (time.perf_counter() - started) / 1e9, 1)
    return max(speeds, key=speeds.get), speeds


def flop_bound(model, mean_context: float, rows: int = 64, precision: str = "fp32") -> dict[str, float]:
    """FLOPs per new token (matmuls, lm_head, attention over ``mean_context``) and the tokens/s bound.

    The bound divides by the GEMM rate of ``precision`` measured now at a decode step's shape (``rows``
    answers at once through an MLP product), with the CPU's flags beside it.
    """
    from em_utils.precision import cpu_info, gemm_peak

    peak = round(gemm_peak(precision, shape=(rows, model.config.hidden_size, model.config.intermediate_size), seconds=1.0), 1)
    config = model.config
    non_embedding = sum(p.numel() for n, p in model.named_parameters() if not ("embed_tokens" in n or "lm_head" in n))
    head = 2 * config.hidden_size * config.vocab_size
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads  # Qwen2 has none
    attention = 4 * config.num_hidden_layers * config.num_attention_heads * head_dim * mean_context
    per_token = 2 * non_embedding + head + attention
    return {"n_params_nonembedding": non_embedding, "flops_per_token": round(per_token),
            "mean_context_tokens": round(mean_context, 1), "peak_gflops": peak, "peak_shape": [rows, config.hidden_size,
            config.intermediate_size], "cpu": cpu_info(), "bound_tokens_per_s": round(peak * 1e9 / per_token, 1)}


def workload(n_per_paraphrase: int, model_name: str | None = None):
    """The model (default: the embedded one), its tokenizer, the general questions' chat-templated wordings, and the jobs
    (each wording ``n_per_paraphrase`` times) as texts and as token ids."""
    from em_utils import load_model
    from em_utils.data import load_questions
    from em_utils.models import chat_prompt

    model, tokenizer = load_model(model_name)
    questions = load_questions("general")
    texts = [chat_prompt(tokenizer, p, system=q.system) for q in questions for p in q.paraphrases]
    jobs = [t for t in texts for _ in range(n_per_paraphrase)]
    ids = [tuple(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in jobs]
    return model, tokenizer, texts, jobs, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-per-paraphrase", type=int, default=8)
    parser.add_argument("--baseline-batch-sizes", default="64,128,192", help="probe these; one value: no probe")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--naive-answers", type=int, default=12, help="answers drawn one generate call each, per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="baselines' torch threads (0: probe)")
    parser.add_argument("--model", default=None, help="an offline model (default: the embedded one)")
    parser.add_argument("--precision", default="fp32", help="fp32 | bf16 | auto: the projections' arithmetic, "
                        "the same for the project and both baselines (generate under bf16 autocast)")
    args = parser.parse_args()

    import torch

    from em_utils.generation.samples import _eos_ids
    from em_utils.models import DEFAULT_MODEL

    from em_utils.precision import resolve_precision

    model_name = args.model or DEFAULT_MODEL
    precision = resolve_precision(args.precision, "cpu")
    model, tokenizer, texts, jobs, ids = workload(args.n_per_paraphrase, args.model)
    eos = _eos_ids(model, tokenizer)  # what the chapters stop on (Qwen: <|im_end|> and <|endoftext|>)
    shape = (model.config.hidden_size, model.config.intermediate_size)
    naive_jobs = [texts[(i * 7) % len(texts)] for i in range(args.naive_answers)]

    sizes, probe, gemm = [int(s) for s in args.baseline_batch_sizes.split(",") if s], {}, {}
    threads = {}
    for size in sizes if len(sizes) > 1 else []:
        threads[size], gemm[size] = (args.threads, {}) if args.threads else choose_threads(size, *shape)
        torch.manual_seed(0)
        tokens, _, cpu = run_generate(model, tokenizer, jobs[:size], size, 24, threads[size], eos, precision)
        probe[size] = round(tokens / cpu, 2)
        print(f"probe: generate at batch {size}, {threads[size]} thread(s): {probe[size]} tok per CPU s", flush=True)
    batch_size = max(probe, key=probe.get) if probe else sizes[0]
    if batch_size not in threads:
        threads[batch_size], gemm[batch_size] = (args.threads, {}) if args.threads else choose_threads(batch_size, *shape)
    naive_threads, gemm[1] = (args.threads, {}) if args.threads else choose_threads(1, *shape)

    totals = {name: [0, 0.0, 0.0] for name in ("project", "baseline", "naive")}
    finished_share = []
    for round_index in range(args.rounds):
        order = ["project", "baseline", "naive"] if round_index % 2 == 0 else ["baseline", "naive", "project"]
        for name in order:
            torch.manual_seed(round_index)
            if name == "project":
                tokens, seconds, cpu, share = run_project(model, ids, batch_size, args.max_new_tokens,
                                                          seed=round_index, eos=eos, precision=precision)
                finished_share.append(share)
            elif name == "baseline":
                tokens, seconds, cpu = run_generate(model, tokenizer, jobs, batch_size, args.max_new_tokens,
                                                    threads[batch_size], eos, precision)
            else:
                tokens, seconds, cpu = run_generate(model, tokenizer, naive_jobs, 1, args.max_new_tokens,
                                                    naive_threads, eos, precision)
            for i, value in enumerate((tokens, seconds, cpu)):
                totals[name][i] += value
            print(f"round {round_index} {name}: {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.1f} tok/s "
                  f"({tokens / cpu:.1f} per CPU second), load {os.getloadavg()[0]:.1f}", flush=True)

    speed = {name: tokens / seconds for name, (tokens, seconds, _) in totals.items()}
    cpu_speed = {name: round(tokens / cpu, 2) for name, (tokens, _, cpu) in totals.items()}
    mean_prompt = sum(len(i) for i in ids) / len(ids)
    mean_answer = totals["project"][0] / (len(jobs) * args.rounds)
    bound = flop_bound(model, mean_prompt + mean_answer / 2, rows=batch_size, precision=precision)
    name = ("sampling" if model_name == DEFAULT_MODEL
            else f"sampling_{re.sub(r'[^a-z0-9]', '', model_name.lower().split('-instruct')[0])}")
    write_result(
        name + ("" if precision == "fp32" else f"_{precision}"),  # the fp32 names keep their series
        metric=f"answer sampling throughput, {model_name}, CPU {precision} (new tokens per second)",
        unit="tokens/s",
        value=round(speed["project"], 2),
        baseline=f"batched model.generate(do_sample=True), batch {batch_size}",
        baseline_value=round(speed["baseline"], 2),
        ratio=round(speed["project"] / speed["baseline"], 2),
        params={"model": model_name, "questions": "general", "prompts": len(texts),
                "n_per_paraphrase": args.n_per_paraphrase, "answers_per_round": len(jobs),
                "max_new_tokens": args.max_new_tokens, "temperature": 1.0, "top_p": 1.0, "top_k": "off",
                "batch_size": batch_size, "rounds": args.rounds, "baseline_threads": threads[batch_size],
                "naive_threads": naive_threads, "project_threads": "auto",
                "naive_answers_per_round": args.naive_answers, "precision": precision},
        naive_value=round(speed["naive"], 2),
        ratio_vs_naive=round(speed["project"] / speed["naive"], 2),
        tokens={name: tokens for name, (tokens, _, _) in totals.items()},
        seconds={name: round(seconds, 1) for name, (_, seconds, _) in totals.items()},
        cpu_seconds={name: round(cpu, 1) for name, (_, _, cpu) in totals.items()},
        tokens_per_cpu_second=cpu_speed,
        cpu_ratio=round(cpu_speed["project"] / cpu_speed["baseline"], 2),
        cpu_ratio_vs_naive=round(cpu_speed["project"] / cpu_speed["naive"], 2),
        finished_share=round(sum(finished_share) / len(finished_share), 3),
        mean_prompt_tokens=round(mean_prompt, 1),
        mean_answer_tokens=round(mean_answer, 1),
        flop_bound=bound,
        share_of_flop_bound=round(speed["project"] / bound["bound_tokens_per_s"], 3),
        gemm_gflops_by_rows_and_threads=gemm,
        baseline_batch_probe_tokens_per_cpu_s=probe,
        load_average=os.getloadavg()[0],
        note=("tokens counted up to and including each answer's end token; the FLOP bound counts decode "
              "work only (2 x non-embedding parameters + lm_head + attention at the mean context) at the idle "
              f"machine's {precision} peak on both cores; the machine is shared with other jobs (see gemm_gflops and "
              "load_average), so the attainable share of the bound varies from run to run; tokens per CPU "
              "second (process time) are steadier than wall time when other jobs take turns on the cores"),
    )


if __name__ == "__main__":
    main()
