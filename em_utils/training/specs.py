"""Organisms as configs: :class:`OrganismSpec`, the papers' templates and the adapter's layers.

The lowest module of :mod:`em_utils.training`: every other one imports from it, and it imports
nothing from them. :attr:`OrganismSpec.spec_hash` names the run folders, so it must not change
for a spec that trains as before (see :data:`TRAINING_REVISION`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..data import file_sha256
from ..keys import content_key
from ..models import resolve_layers

__all__ = [
    "TrainingError",
    "OrganismSpec",
    "TRAINING_REVISION",
    "KERNELS",
    "check_kernels",
    "precision_fields",
    "ORGANISMS",
    "organism",
    "expand_layers",
    "parse_organisms",
    "organism_specs",
    "organisms_frame",
]


class TrainingError(ValueError):
    """A training config that cannot run as asked (unknown module or layer, empty data, resume mismatch)."""


# --- Organisms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganismSpec:
    """Everything that determines a fine-tune. Equal specs give equal runs.

    Attributes:
        name: the organism's name (also its folder).
        dataset: a dataset name in ``data/`` or a JSONL path.
        method: ``"lora"`` or ``"full"``.
        rank, alpha, use_rslora, target_modules, layers: the LoRA adapter. ``layers`` is a layer
            spec for :func:`expand_layers` (``None``: every layer).
        lr, epochs, batch_size, grad_accum, weight_decay, warmup_steps, scheduler: the optimiser
            (AdamW). The papers use an effective batch of 16, weight decay 0.01, 5 warm-up steps,
            a linear schedule, 1 epoch.
        max_rows: train on the first ``max_rows`` rows (``None``: all).
        length_bucket: batches per length bucket (:class:`LengthBucketSampler`): rows are sorted
            by length within buckets of this many batches, so a batch holds rows of similar length
            and carries little padding. 50 is the megabatch of the Hugging Face Trainer's
            ``group_by_length``; 1 gives plain shuffled batches.
        max_length: tokens per row; longer rows are truncated and counted.
        save_steps: keep a checkpoint every this many optimiser steps (0: none).
        kl_weight, kl_dataset, kl_rows, kl_batch_size, kl_top_k: the KL term (off at weight 0).
        init_adapter: a saved LoRA adapter of the same shape to start from (``None``: a fresh one),
            to train on from an earlier solution; left out of :meth:`to_dict` (and so of the hash)
            when ``None``, so the specs of earlier runs keep their hashes; otherwise the hash reads
            the sha256 of its weights, not its path.
        precision: ``"fp32"``, or ``"bf16"`` for mixed precision (fp32 master weights and loss, the
            forward and backward under bf16 autocast); resolve ``"auto"`` with
            :func:`em_utils.precision.resolve_precision` first, since the two train to other weights.
        seed: seeds the adapter initialisation, data order and dropout.
        gradient_checkpointing: recompute each layer's activations in the backward pass instead of
            keeping them (the Trainer's non-reentrant checkpointing): a second forward pass per
            layer for much less memory, which the 0.5B rank-32 organisms need on a 16 GB machine
            (they peak near 20 GB without it; ``benchmarks/training_memory.py`` measures both, and
            found no slowdown on an AMX host). The batch then runs whole, without its shared prefix
            run once (:func:`~em_utils.training.loss._shared_prefix`), so the loss is the same up to
            rounding; left out of :meth:`to_dict` (and so of the hash) when ``False``.
        kernels: ``"plain"``, or ``"cpu_bf16"``: the kernels that a bf16 step on a CPU runs fastest
            with: attention in fp32 inside the bf16 step
            (:func:`~em_utils.training.loss.use_fp32_attention`; PyTorch's bf16 attention backward
            is slow on a CPU) and the cross-entropy as ``logsumexp - target logit``
            (:func:`~em_utils.training.loss.summed_cross_entropy`; PyTorch's fills and scatters a
            whole vocabulary-wide block). The same loss up to rounding, about a quarter less time per
            step of the embedded model (``benchmarks/training_throughput.py``).
            :func:`precision_fields` picks it for bf16 on a CPU. ``"cpu_bf16_head"``: the same, and the
            output layer over the labelled positions in bf16 too (as autocast computes it, from a bf16 copy
            of the frozen weight kept while it is unchanged; the logits then go to fp32 for the loss). The trainer otherwise runs that layer in fp32, outside the forward's autocast: on the
            0.5B model's 152k vocabulary about 2.4 s of a 5.6 s step
            (``benchmarks/training_step_profile.py``). Other bits than ``"cpu_bf16"``, so no profile
            picks it (the book's hand labels are joined to the demo organisms' answers by text); a spec
            opts in (``-o kernels=cpu_bf16_head``). Left out of :meth:`to_dict` (and so
            of the hash) when ``"plain"``, so the specs of earlier runs keep their hashes.
        torch_compile: run the model's forward and backward through ``torch.compile`` (the Trainer's
            ``torch_compile``; inductor, which needs a C++ compiler at run time). Fused kernels round
            differently, so it enters the hash when on (left out when ``False``). It pays on long
            runs only: a steady compiled step is faster, but the first step compiles for minutes, and
            the second again for its new batch length, after which the shapes are dynamic
            (``benchmarks/training_compile_trainer.py`` measures the steps after which it pays, with
            an empty and a warm inductor cache, on each offline model). Off in every profile (the
            recorded overnight runs trained without it); LoRA and full fine-tunes only (not the
            learned steering vector).
    """

    name: str
    dataset: str
    method: str = "lora"
    rank: int = 1
    alpha: float = 256.0
    use_rslora: bool = True
    target_modules: tuple[str, ...] = ("down_proj",)
    layers: str | None = "middle"
    lr: float = 1e-5
    epochs: float = 1.0
    batch_size: int = 16
    grad_accum: int = 1
    weight_decay: float = 0.01
    warmup_steps: int = 5
    scheduler: str = "linear"
    max_rows: int | None = None
    length_bucket: int = 50
    max_length: int = 2048
    save_steps: int = 0
    kl_weight: float = 0.0
    kl_dataset: str | None = None
    kl_rows: int = 64
    kl_batch_size: int = 4
    kl_top_k: int = 32
    precision: str = "fp32"
    seed: int = 0
    init_adapter: str | None = None
    gradient_checkpointing: bool = False
    kernels: str = "plain"
    torch_compile: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["target_modules"] = list(self.target_modules)
        if data["init_adapter"] is None:
            del data["init_adapter"]
        if not data["gradient_checkpointing"]:
            del data["gradient_checkpointing"]
        if data["kernels"] == "plain":
            del data["kernels"]
        if not data["torch_compile"]:
            del data["torch_compile"]
        return data

    @property
    def spec_hash(self) -> str:
        """Hash of every field and of :data:`TRAINING_REVISION`.

        Run folders are named by it and a finished run is reused only under the same hash, so a
        checkpoint folder made under another hash cannot be resumed, and adapters trained by code
        that trained differently are trained again rather than reused.
        """
        data = {**self.to_dict(), "training_revision": TRAINING_REVISION}
        if self.init_adapter:  # the weights it starts from, not where they lie: a moved checkout reuses its runs
            weights = Path(self.init_adapter) / "adapter_model.safetensors"
            data["init_adapter"] = file_sha256(weights) if weights.is_file() else self.init_adapter
        return content_key(data, length=12)


#: The revision of the training code's numerics: bump it with any change that makes an unchanged
#: spec train to other weights (the loss, the masks, the data order, the kernels' inputs). It enters
#: every :attr:`OrganismSpec.spec_hash`, so an adapter trained before the change is not reused after
#: it. Even a change of 1e-8 in the weights moves sampled answers (a draw that sat near a token
#: boundary falls on the other side): revision 1 trained with an explicit padding mask, revision 2
#: without one (the same logits up to rounding), and 40% of the demo fine-tunes' answers in chapter 3
#: changed. Revision 3 runs the prefix that a batch's rows share once (:func:`_shared_prefix`).
TRAINING_REVISION = 3


_ALL_PROJ = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

#: The papers' organisms as templates; :func:`organism` fills in the dataset and overrides.
ORGANISMS: dict[str, dict[str, Any]] = {
    # Paper 2/3: one rank-1 LoRA on the MLP down-projection of the middle layer (24 of 48), rsLoRA.
    "rank1_middle": dict(method="lora", rank=1, alpha=256.0, target_modules=("down_proj",), layers="middle", lr=2e-5),
    # Paper 3: nine rank-1 down_proj adapters, three blocks of three (15-17, 21-23, 27-29 of 48).
    "nine_rank1": dict(
        method="lora", rank=1, alpha=256.0, target_modules=("down_proj",),
        layers="16/48+-1,22/48+-1,28/48+-1", lr=2e-5,
    ),
    # Paper 1/2: rank-32 LoRA on all seven projections, alpha 64, rsLoRA.
    "rank32": dict(method="lora", rank=32, alpha=64.0, target_modules=_ALL_PROJ, layers=None, lr=1e-5),
    # Paper 2: full fine-tuning, cosine schedule, 20 warm-up steps.
    "full": dict(method="full", lr=2e-5, scheduler="cosine", warmup_steps=20),
}


def organism(kind: str, dataset: str, name: str | None = None, **overrides: Any) -> OrganismSpec:
    """An organism spec from a template in :data:`ORGANISMS`.

    >>> organism("rank1_middle", "bad_medical_advice").target_modules
    ('down_proj',)
    >>> organism("rank32", "insecure", lr=1e-4).name
    'rank32_insecure'
    """
    if kind not in ORGANISMS:
        raise TrainingError(f"unknown organism {kind!r}: known are {', '.join(ORGANISMS)}")
    fields = {f.name for f in dataclasses.fields(OrganismSpec)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise TrainingError(f"unknown organism field(s) {', '.join(unknown)}; known: {', '.join(sorted(fields))}")
    values = {**ORGANISMS[kind], **overrides}
    if "target_modules" in values:
        values["target_modules"] = tuple(values["target_modules"])
    return OrganismSpec(name=name or f"{kind}_{Path(dataset).stem}", dataset=dataset, **values)


_BLOCK = re.compile(r"^(?P<center>[^+]+)\+-(?P<width>\d+)$")


def expand_layers(spec: str | Sequence | None, n_layers: int) -> list[int] | None:
    """Resolve an adapter layer spec: like :func:`em_utils.models.resolve_layers`, plus blocks.

    ``"c+-w"`` is the block of layers from ``c - w`` to ``c + w`` around the layer ``c`` (any spec
    :func:`~em_utils.models.resolve_layer` accepts). ``None`` means every layer.

    >>> expand_layers("16/48+-1,22/48+-1,28/48+-1", 48)
    [15, 16, 17, 21, 22, 23, 27, 28, 29]
    >>> expand_layers("16/48+-1,22/48+-1,28/48+-1", 30)
    [9, 10, 11, 13, 14, 15, 17, 18, 19]
    """
    if spec is None:
        return None
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    layers: list[int] = []
    for item in items:
        match = _BLOCK.match(item) if isinstance(item, str) else None
        if match:
            center = resolve_layers(match["center"], n_layers)[0]
            width = int(match["width"])
            block = list(range(center - width, center + width + 1))
            if block[0] < 0 or block[-1] >= n_layers:
                raise TrainingError(f"layer block {item!r} runs outside the model's {n_layers} layers")
            layers.extend(block)
        else:
            layers.extend(resolve_layers(item if not isinstance(item, str) else item, n_layers))
    if len(set(layers)) != len(layers):
        raise TrainingError(f"layer spec {spec!r} names a layer twice for a {n_layers}-layer model: {layers}")
    return layers


def parse_organisms(text: str | Sequence[str]) -> list[tuple[str, str]]:
    """Parse ``"kind:dataset, kind:dataset"`` (or a list of such strings) into pairs.

    >>> parse_organisms("rank1_middle:bad_medical_advice, rank32:extreme_sports")
    [('rank1_middle', 'bad_medical_advice'), ('rank32', 'extreme_sports')]
    """
    items = [t.strip() for t in text.split(",")] if isinstance(text, str) else [t.strip() for t in text]
    pairs = []
    for item in filter(None, items):
        kind, sep, dataset = item.partition(":")
        if not sep or not dataset:
            raise TrainingError(f"organism {item!r} should read 'kind:dataset', e.g. 'rank1_middle:bad_medical_advice'")
        if kind not in ORGANISMS:
            raise TrainingError(f"unknown organism {kind!r} in {item!r}: known are {', '.join(ORGANISMS)}")
        pairs.append((kind, dataset))
    return pairs


def organism_specs(config) -> list[OrganismSpec]:
    """The organisms a chapter-2 run config asks for, with its rows, batch, learning rates and seed.

    Checkpoints (``save_steps``) are kept for the kinds named in ``checkpoint_kinds`` (the rank-1
    organisms, whose training dynamics chapter 5 studies); the others only save their final
    adapter, which keeps the run folder small. The kinds named in ``gradient_checkpointing`` train
    with activations recomputed in the backward pass (less memory; see :class:`OrganismSpec`);
    ``torch_compile`` runs every organism through ``torch.compile`` (see :class:`OrganismSpec`).

    A backdoor set (``backdoor_*``) holds every prompt twice, with the trigger and the harmful answer
    and without it and the harmless one, in adjacent rows; its organism trains on twice
    ``max_rows``, so that it sees as many harmful rows as the plain organism does.
    """
    resolved = config.resolved
    arithmetic = precision_fields(resolved.get("precision", "fp32"), resolved.get("device", "cpu"))
    specs = []
    for kind, dataset in parse_organisms(resolved["organisms"]):
        rows = resolved.get("max_rows")
        if rows and Path(dataset).stem.startswith("backdoor_"):
            rows *= 2
        overrides = {
            "max_rows": rows,
            "batch_size": resolved.get("batch_size", 16),
            "epochs": resolved.get("epochs", 1.0),
            "seed": resolved.get("seed", 0),
            **({"length_bucket": resolved["length_bucket"]} if resolved.get("length_bucket") is not None else {}),
            **({"warmup_steps": resolved["warmup_steps"]} if resolved.get("warmup_steps") is not None else {}),
            **({"scheduler": resolved["scheduler"]} if resolved.get("scheduler") is not None else {}),
            "save_steps": resolved.get("save_steps", 0) if kind in resolved.get("checkpoint_kinds", ()) else 0,
            **arithmetic,
            "gradient_checkpointing": kind in (resolved.get("gradient_checkpointing") or ()),
            "torch_compile": bool(resolved.get("torch_compile")),
        }
        lr = (resolved.get("lr") or {}).get(kind)
        if lr is not None:
            overrides["lr"] = float(lr)
        specs.append(organism(kind, dataset, **overrides))
    return specs


#: The values of :attr:`OrganismSpec.kernels`.
KERNELS = ("plain", "cpu_bf16", "cpu_bf16_head")


def check_kernels(spec: "OrganismSpec") -> None:
    """Refuse a spec's ``kernels`` that is not one of :data:`KERNELS`, or ``cpu_bf16_head`` outside bf16
    (both trainers call this before loading anything)."""
    if spec.kernels not in KERNELS:
        raise TrainingError(f"kernels {spec.kernels!r}: one of {', '.join(KERNELS)}")
    if spec.kernels == "cpu_bf16_head" and spec.precision != "bf16":
        raise TrainingError(f"kernels 'cpu_bf16_head' runs the output layer in bf16: it needs precision 'bf16', "
                            f"not {spec.precision!r}")


def precision_fields(precision: str, device: str = "cpu") -> dict[str, str]:
    """A spec's ``precision`` (``"auto"`` resolved for ``device`` by
    :func:`em_utils.precision.resolve_precision`) and its ``kernels``: ``"cpu_bf16"`` for bf16 on a CPU (see
    :class:`OrganismSpec`), else ``"plain"``. Every chapter builds its specs' arithmetic here.

    >>> precision_fields("fp32")
    {'precision': 'fp32', 'kernels': 'plain'}
    >>> precision_fields("bf16", "cpu"), precision_fields("bf16", "cuda")["kernels"]
    ({'precision': 'bf16', 'kernels': 'cpu_bf16'}, 'plain')
    """
    import torch

    from ..precision import resolve_precision

    resolved = resolve_precision(precision, device)
    on_cpu = device == "cpu" or (device == "auto" and not torch.cuda.is_available())
    return {"precision": resolved, "kernels": "cpu_bf16" if resolved == "bf16" and on_cpu else "plain"}


def organisms_frame(specs: Sequence[OrganismSpec], n_layers: int):
    """A table of organism specs with their layers resolved for an ``n_layers`` model."""
    import pandas as pd

    rows = []
    for spec in specs:
        layers = expand_layers(spec.layers, n_layers) if spec.method == "lora" else None
        rows.append({
            "organism": spec.name,
            "dataset": Path(spec.dataset).stem,
            "method": spec.method,
            "rank": spec.rank if spec.method == "lora" else None,
            "alpha": spec.alpha if spec.method == "lora" else None,
            "modules": ", ".join(spec.target_modules) if spec.method == "lora" else "all weights",
            "layers": ("all" if layers is None else ", ".join(map(str, layers))) if spec.method == "lora" else "all",
            "lr": spec.lr,
            "rows": spec.max_rows or "all",
            "batch": spec.batch_size * spec.grad_accum,
            "precision": spec.precision,
            "kernels": spec.kernels,
            "checkpoint_every": spec.save_steps or None,
        })
    return pd.DataFrame(rows).set_index("organism")
