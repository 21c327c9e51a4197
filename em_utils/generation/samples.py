"""Questions to frames: :func:`sample_answers`, seeded, cached and batched.

Each answer is cached under a key hashing everything that can change it: the model
(:func:`~em_utils.generation.fingerprint.model_fingerprint`), the prompt's token ids, the sampling
settings, the end-of-sequence ids, the seed and the sample index (see :mod:`em_utils.generation`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd
import torch

from ..cache import SampleCache
from ..data import Question
from ..keys import content_key
from ..models import chat_prompt, unwrap_model
from ..paths import cache_dir
from .backends import _run_vllm, _vllm_engine, _vllm_identity, generate_tokens
from .fingerprint import model_fingerprint
from .sampler import sample_seed
from .settings import BACKENDS, SamplingSettings

__all__ = ["CACHE_VERSION", "COLUMNS", "sample_answers"]

#: Bumped when a change to the decoder or the sampler changes which answer a key stands for.
CACHE_VERSION = 1

COLUMNS = [
    "question_id", "paraphrase_index", "sample_index", "question", "system", "answer",
    "n_new_tokens", "finished", "model_tag",
]


@dataclass(frozen=True)
class _Job:
    question_id: str
    paraphrase_index: int
    sample_index: int
    question: str
    system: str | None


def _jobs(questions: Sequence[Question | str] | Question | str, n_per_paraphrase: int | None) -> list[_Job]:
    if isinstance(questions, (str, Question)):
        questions = [questions]
    jobs = []
    for number, q in enumerate(questions):
        if isinstance(q, str):
            q = Question(id=f"q{number}", paraphrases=(q,))
        count = q.samples_per_paraphrase if n_per_paraphrase is None else n_per_paraphrase
        if count < 0:
            raise ValueError(f"n_per_paraphrase must be >= 0, got {count}")
        for p, text in enumerate(q.paraphrases):
            jobs.extend(_Job(q.id, p, s, text, q.system) for s in range(count))
    return jobs


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    found: set[int] = set()
    config = getattr(unwrap_model(model), "generation_config", None) if isinstance(model, torch.nn.Module) else None
    for value in (getattr(config, "eos_token_id", None), getattr(tokenizer, "eos_token_id", None)):
        if value is not None:
            found.update([value] if isinstance(value, int) else value)
    if not found:
        raise ValueError("no end-of-sequence token: set tokenizer.eos_token or generation_config.eos_token_id")
    return sorted(found)


def _default_tag(model: Any, adapter: Any) -> str:
    if isinstance(model, (str, os.PathLike)):
        name = str(model)
    elif isinstance(model, torch.nn.Module):
        base = unwrap_model(model)
        name = str(getattr(getattr(base, "config", None), "_name_or_path", "") or type(base).__name__)
    else:
        name = str(getattr(getattr(getattr(model, "llm_engine", None), "model_config", None), "model", "vllm"))
    tag = Path(name.rstrip("/")).name or name
    if adapter is not None:
        tag += f"+{Path(str(adapter)).name}"
    elif getattr(model, "peft_config", None):
        tag += "+" + "+".join(getattr(model, "active_adapters", None) or list(model.peft_config))
    return tag


def sample_answers(
    model: Any,
    tokenizer: Any,
    questions: Sequence[Question | str] | Question | str,
    n_per_paraphrase: int | None = None,
    *,
    max_new_tokens: int = 600,
    temperature: float = 1.0,
    top_p: float = 1.0,
    batch_size: int = 64,
    seed: int = 0,
    backend: str = "transformers",
    cache: str | os.PathLike | bool | SampleCache | None = None,
    model_tag: str | None = None,
    adapter: str | os.PathLike | None = None,
    progress: bool = True,
    callback: Callable[[dict[str, Any]], None] | None = None,
    threads: int | str | None = "auto",
    precision: str = "fp32",
) -> pd.DataFrame:
    """Sample answers to every paraphrase of every question, seeded, cached and batched.

    Args:
        model: a transformers causal LM or a PeftModel (adapters active as set). For
            ``backend="vllm"``: a ``vllm.LLM``, a model name or path, or a PeftModel (its base is
            loaded by name and its adapter saved to a temporary folder).
        tokenizer: the model's tokenizer; prompts are formatted with
            :func:`em_utils.models.chat_prompt` (with the question's ``system`` prompt if any).
        questions: :class:`em_utils.data.Question` objects, or plain strings (ids ``q0``, ``q1``...).
        n_per_paraphrase: samples per paraphrase; ``None`` takes each question's
            ``samples_per_paraphrase`` (1 for a string).
        max_new_tokens: the most tokens per answer (the papers use 600).
        temperature: 0 for greedy decoding; 1 samples from the model as it is (the papers).
        top_p: nucleus sampling mass (1: off).
        batch_size: samples decoded at once (64 is fastest for SmolLM2-135M on 2 CPU cores;
            larger on a GPU).
        seed: the run's seed; each sample's stream derives from it (see the module docstring).
        backend: ``"transformers"`` or ``"vllm"``.
        cache: ``None`` (no cache), ``True`` (a file per model under the cache folder), a ``.jsonl``
            file, a folder (``samples.jsonl`` inside), or a :class:`~em_utils.cache.SampleCache`.
        model_tag: the ``model_tag`` column (default: the model's folder name, plus adapters).
        adapter: vLLM only: a saved PEFT adapter folder to apply through ``LoRARequest``.
        progress: show a tqdm bar over the samples still to draw.
        callback: called with each new row (a dict) right after it is cached; an exception raised
            there stops the run, and a rerun resumes from the cache.
        threads: transformers backend: torch threads while decoding (see :func:`generate_tokens`).
        precision: transformers backend: ``"fp32"``, or ``"bf16"`` projections (see
            :func:`generate_tokens`; ``"auto"`` is resolved for the model's device). A bf16 draw is
            cached under its own key (fp32 keys are those of earlier versions).

    Returns:
        One row per sample with the columns in :data:`COLUMNS`; ``n_new_tokens`` counts the end
        token, ``finished`` is False when the answer was cut at ``max_new_tokens``.
        ``frame.attrs`` holds ``n_cached`` and ``n_sampled`` (rows read from the cache and drawn
        now), ``model_fingerprint``, ``seed`` and ``settings``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    settings = SamplingSettings(max_new_tokens, float(temperature), float(top_p))
    if backend == "vllm":
        identity = _vllm_identity(model, adapter)
        if tokenizer is None:
            tokenizer = model.get_tokenizer()
    else:
        identity = model_fingerprint(model)
    jobs = _jobs(questions, n_per_paraphrase)
    texts = {(j.system, j.question) for j in jobs}
    token_ids = {
        key: tuple(tokenizer(chat_prompt(tokenizer, key[1], system=key[0]), add_special_tokens=False)["input_ids"])
        for key in texts
    }
    eos = _eos_ids(model, tokenizer)
    if backend == "transformers" and precision == "auto":
        from ..precision import resolve_precision

        precision = resolve_precision("auto", next(model.parameters()).device.type)
    base_key = {"v": CACHE_VERSION, "backend": backend, "model": identity, "settings": asdict(settings),
                "eos": eos, "seed": int(seed), **({"precision": precision} if backend == "transformers" and precision != "fp32" else {})}
    keys = [content_key({**base_key, "prompt": token_ids[(j.system, j.question)], "sample": j.sample_index})
            for j in jobs]
    store = SampleCache.open(cache, default=lambda: cache_dir() / "samples" / f"{identity[:16]}.jsonl")
    results: dict[str, dict[str, Any]] = {}
    if store is not None:
        results = {k: store.get(k) for k in keys if store.get(k) is not None}
    n_cached = len(results)
    todo = list(dict.fromkeys(k for k in keys if k not in results))
    first_job = {k: i for i, k in reversed(list(enumerate(keys)))}
    todo_jobs = [jobs[first_job[k]] for k in todo]
    prompts = [token_ids[(j.system, j.question)] for j in todo_jobs]
    streams = [sample_seed(seed, p, j.sample_index) for p, j in zip(prompts, todo_jobs)]
    tag = model_tag or _default_tag(model, adapter)

    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), desc=f"sampling {tag}", unit="answer", disable=not progress or not todo)

    def on_finish(index: int, tokens: list[int], finished: bool) -> None:
        body = tokens[:-1] if finished else tokens
        record = {"answer": tokenizer.decode(body, skip_special_tokens=True), "n_new_tokens": len(tokens),
                  "finished": bool(finished)}
        results[todo[index]] = record
        if store is not None:
            store.put(todo[index], record)
        bar.update(1)
        if callback is not None:
            job = todo_jobs[index]
            callback({**asdict(job), **record, "model_tag": tag})

    try:
        if todo and backend == "vllm":
            llm, adapter_path = _vllm_engine(model, adapter)
            _run_vllm(llm, prompts, streams, settings, set(eos), adapter_path, on_finish)
        elif todo:
            generate_tokens(model, prompts, streams, settings, eos, batch_size, on_finish, threads=threads,
                            pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos[0],
                            precision=precision)
    finally:
        bar.close()
    rows = [{**asdict(j), "answer": results[k]["answer"], "n_new_tokens": int(results[k]["n_new_tokens"]),
             "finished": bool(results[k]["finished"]), "model_tag": tag} for j, k in zip(jobs, keys)]
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame.attrs.update({"n_cached": n_cached, "n_sampled": len(todo), "model_fingerprint": identity,
                        "seed": int(seed), "settings": asdict(settings), "backend": backend, "precision": precision})
    return frame
