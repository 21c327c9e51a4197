"""Supervised fine-tuning of model organisms: LoRA (rank-1 and beyond) or full, with an optional KL term.

Built on the Hugging Face :class:`transformers.Trainer`, so the same config runs on one CPU, one
GPU, or many GPUs under ``accelerate launch`` (FSDP, DeepSpeed). What this package adds:

- **Chat-templated SFT with the loss on assistant tokens only.** Each conversation is rendered with
  the tokenizer's chat template; tokens inside assistant turns (including the end-of-turn token)
  are labelled, everything else is ``-100``. Found by character offsets, so any template works.
- **Logits only where the loss is taken.** The 49k-entry vocabulary makes full logits a large
  share of the work on a small model: the LM head runs on labelled positions only.
- **Length-grouped batches.** Rows are shuffled, grouped into buckets of similar length and padded
  on the right to the longest in the batch, so little compute goes on padding; a right-padded
  batch needs no padding mask (the causal mask suffices), so attention takes its causal fast path.
- **A shared prefix once per batch.** Chat-templated rows begin with the same system prompt and
  user header; that prefix runs for one row and enters the batch as its key/value cache.
- **No backward pass below the lowest adapter.** Nothing below it requires a gradient, so autograd
  stops there (gradient checkpointing, which would force it, is off by default).
- **Organisms as configs** (:data:`ORGANISMS`): single rank-1, nine rank-1, rank-32, full.
- **Checkpoints and exact resume** through the Trainer (optimizer, scheduler, RNG, data order).
- **KL regularisation** (paper 4): ``loss = SFT + kl_weight * KL(reference || current)`` on
  out-of-domain conversations, with the frozen reference's log-probabilities computed once and
  cached (top-k tokens plus the remaining mass, see :class:`ReferenceLogprobs`).

The package, by concern (each module imports only those above it):

- :mod:`~em_utils.training.specs`: :class:`OrganismSpec` and its hash, the templates
  (:data:`ORGANISMS`), layer specs, the organisms a chapter's config asks for.
- :mod:`~em_utils.training.tokenize`: chat-templated rows to labelled examples; padding and
  length-grouped batches.
- :mod:`~em_utils.training.loss`: the SFT loss on labelled positions, the shared prefix.
- :mod:`~em_utils.training.kl`: the KL reference (:class:`ReferenceLogprobs`) and the bucketed KL.
- :mod:`~em_utils.training.trainer`: the Trainer subclass and :func:`train`.
- :mod:`~em_utils.training.flops`: :func:`training_flops`.
- :mod:`~em_utils.training.analysis`: adapter norms, per checkpoint.

Recipe::

    spec = organism("rank1_middle", dataset="bad_medical_advice", max_rows=300)
    result = train(spec, model_name=None, output_dir=run.path("rank1_middle"))
"""

from __future__ import annotations

from .analysis import adapter_history, adapter_norms, rank1_history
from .flops import training_flops
from .kl import ReferenceLogprobs, bucketed_kl, kl_to_reference
from .specs import (
    ORGANISMS,
    TRAINING_REVISION,
    OrganismSpec,
    TrainingError,
    expand_layers,
    organism,
    organism_specs,
    organisms_frame,
    parse_organisms,
)
from .tokenize import LengthBucketSampler, tokenize_conversations
from .trainer import TrainResult, train, training_summary

__all__ = [
    "OrganismSpec",
    "ORGANISMS",
    "organism",
    "TrainingError",
    "tokenize_conversations",
    "TrainResult",
    "train",
    "expand_layers",
    "adapter_norms",
    "ReferenceLogprobs",
    "bucketed_kl",
    "kl_to_reference",
    "training_flops",
    "TRAINING_REVISION",
    "LengthBucketSampler",
    "adapter_history",
    "rank1_history",
    "parse_organisms",
    "organism_specs",
    "training_summary",
    "organisms_frame",
]
