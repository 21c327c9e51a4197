"""The misalignment direction, and steering and ablation along it (Soligo, Turner et al. 2025).

**What it is for.** A fine-tune's misaligned and aligned answers differ, on average, along a
direction of the residual stream; adding that direction makes a model misaligned, projecting it
out removes the misalignment, even in *other* fine-tunes.

**The pattern.**

1. Judge a fine-tune's answers; split them with :func:`split_for_direction` (misaligned:
   ``aligned <= 30 and coherent > 50``; aligned: ``aligned > 70 and coherent > 50``, subsampled to
   the misaligned count; the 30-70 band is dropped).
2. Average the same fine-tune's residual stream over each answer's tokens
   (:func:`em_utils.activations.answer_means`) and take :func:`mean_diff` per layer.
3. Steer (:class:`Steer`: ``h <- h + scale * direction`` at every position of a layer) or ablate
   (:class:`Ablate`: ``h <- h - (h . r) r`` with ``r`` the unit direction) while sampling; compare
   with :func:`random_like`, a random direction of the same norm.
4. Weight-space variant: :func:`ablate_lora_b` projects the direction out of each LoRA ``B``
   matrix that writes into the residual stream and restores the matrix's column norms.

**Variations.** One layer or several; a direction from one fine-tune applied to another.

Steering and ablation are forward hooks on the decoder blocks, used as context managers around
:func:`em_utils.generation.sample_answers` (whose fast decoder applies the same edits after each
block) or any forward pass. An active intervention is part of the model's fingerprint, so cached
samples of the plain model are never served for the steered one.

sources: ``em_utils/interventions.py``, ``em_utils/activations.py``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch

from .judge import COHERENT_MIN, EM_ALIGNED_MAX
from .models import _base, decoder_layers, resolve_layer

__all__ = ["ALIGNED_MIN", "RESIDUAL_WRITERS", "split_for_direction", "mean_diff", "random_like", "Steer", "Ablate", "ablate_lora_b"]

ALIGNED_MIN = 70  #: answers above this (and coherent) are the aligned side of the direction


def split_for_direction(judged: pd.DataFrame, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the misaligned answers and of as many aligned ones (both coherent).

    >>> frame = pd.DataFrame({"aligned": [10, 20, 90, 95, 80, 50], "coherent": [80, 40, 90, 90, 90, 90]})
    >>> misaligned, aligned = split_for_direction(frame)
    >>> misaligned.tolist(), len(aligned), set(aligned) <= {2, 3, 4}
    ([0], 1, True)
    """
    aligned_score = judged["aligned"].to_numpy(float)
    coherent = judged["coherent"].to_numpy(float) > COHERENT_MIN
    misaligned = np.flatnonzero(coherent & (aligned_score <= EM_ALIGNED_MAX))
    aligned = np.flatnonzero(coherent & (aligned_score > ALIGNED_MIN))
    if not len(misaligned) or not len(aligned):
        raise ValueError(
            f"a direction needs coherent answers on both sides: {len(misaligned)} misaligned "
            f"(aligned <= {EM_ALIGNED_MAX}) and {len(aligned)} aligned (aligned > {ALIGNED_MIN}), "
            f"both with coherent > {COHERENT_MIN}, among {len(judged)} answers"
        )
    rng = np.random.default_rng(seed)
    aligned = np.sort(rng.choice(aligned, size=min(len(aligned), len(misaligned)), replace=False))
    return misaligned, aligned


def mean_diff(misaligned: torch.Tensor, aligned: torch.Tensor) -> torch.Tensor:
    """``mean(misaligned) - mean(aligned)`` over answers: ``[answer, layer, d] -> [layer, d]``."""
    if misaligned.shape[1:] != aligned.shape[1:]:
        raise ValueError(f"shapes differ past the answer axis: {tuple(misaligned.shape)} and {tuple(aligned.shape)}")
    return misaligned.float().mean(0) - aligned.float().mean(0)


def random_like(direction: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Random directions with the norms of ``direction``'s rows (the control of paper 3)."""
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(direction.shape, generator=generator)
    return noise / noise.norm(dim=-1, keepdim=True) * direction.float().norm(dim=-1, keepdim=True)


def _digest(tensor: torch.Tensor) -> str:
    return hashlib.sha256(tensor.detach().float().cpu().contiguous().numpy().tobytes()).hexdigest()[:16]


class _LayerHooks:
    """Forward hooks on chosen decoder blocks, installed for the span of a ``with`` block."""

    kind = "intervention"

    def __init__(self, model: Any, vectors: Mapping[int | float | str, torch.Tensor]):
        self.model = model
        blocks = decoder_layers(model)
        self.vectors = {resolve_layer(layer, len(blocks)): vector.detach().float() for layer, vector in vectors.items()}
        width = _base(model).config.hidden_size
        for layer, vector in self.vectors.items():
            if vector.ndim != 1 or vector.shape[0] != width:
                raise ValueError(f"layer {layer}: a direction must be one vector of the residual width "
                                 f"({width}), not shape {tuple(vector.shape)}")
        self._blocks = blocks
        self._handles: list[Any] = []

    def identity(self) -> dict[str, Any]:
        """What the fingerprint of a model under this intervention records."""
        return {"kind": self.kind, "layers": {str(k): _digest(v) for k, v in sorted(self.vectors.items())}}

    def _edit(self, hidden: torch.Tensor, vector: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _hook(self, vector: torch.Tensor):
        def hook(_module, _inputs, output):
            hidden = output[0] if isinstance(output, tuple) else output
            edited = self._edit(hidden, vector.to(hidden.device, hidden.dtype))
            return (edited, *output[1:]) if isinstance(output, tuple) else edited

        hook.em_intervention = self.identity()
        hook.em_edit = lambda hidden: self._edit(hidden, vector.to(hidden.device, hidden.dtype))  # the fast decoder's
        return hook

    def __enter__(self):
        for layer, vector in self.vectors.items():
            self._handles.append(self._blocks[layer].register_forward_hook(self._hook(vector)))
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        return False


class Steer(_LayerHooks):
    """Add ``scale * vector`` to the residual stream after each given block, at every position.

    Args:
        model: the model (a PEFT model works: its blocks are found under the wrapper).
        vectors: ``{layer: vector}``; layers as indices, relative depths or ``"i/n"``.
        scale: the multiplier (the paper sweeps it).
    """

    kind = "steer"

    def __init__(self, model: Any, vectors: Mapping[int | float | str, torch.Tensor], scale: float = 1.0):
        self.scale = float(scale)
        super().__init__(model, vectors)

    def identity(self) -> dict[str, Any]:
        return {**super().identity(), "scale": self.scale}

    def _edit(self, hidden: torch.Tensor, vector: torch.Tensor) -> torch.Tensor:
        return hidden + self.scale * vector


class Ablate(_LayerHooks):
    """Project each given direction out of the residual stream after its block: ``h - (h . r) r``."""

    kind = "ablate"

    def __init__(self, model: Any, vectors: Mapping[int | float | str, torch.Tensor]):
        super().__init__(model, vectors)
        for layer, vector in self.vectors.items():
            norm = vector.norm()
            if not norm > 0:
                raise ValueError(f"layer {layer}: cannot ablate a zero direction")
            self.vectors[layer] = vector / norm

    def _edit(self, hidden: torch.Tensor, vector: torch.Tensor) -> torch.Tensor:
        return hidden - (hidden @ vector).unsqueeze(-1) * vector


#: Projections whose output is added to the residual stream (attention output, MLP down-projection).
RESIDUAL_WRITERS = ("o_proj", "down_proj")


def ablate_lora_b(model: Any, direction: torch.Tensor | Mapping[int, torch.Tensor],
                  writers: tuple[str, ...] = RESIDUAL_WRITERS) -> list[str]:
    """Project ``direction`` out of every LoRA ``B`` that writes into the residual stream, in place.

    Only the adapters on ``writers`` (the attention output and MLP down-projections) write into the
    residual stream; a query projection can have the residual width too and is left alone. Each
    such ``B`` (``[d_model, rank]``) loses its component along the unit direction, and each column
    is then rescaled to its former norm (paper 3's weight-space ablation). ``direction`` is one
    vector for every layer, or ``{layer: vector}`` (adapters of other layers are left alone).
    Returns the names of the modules changed.
    """
    per_layer = dict(direction) if isinstance(direction, Mapping) else None
    changed = []
    with torch.no_grad():
        for name, module in model.named_modules():
            if not hasattr(module, "lora_B") or name.rsplit(".", 1)[-1] not in writers:
                continue
            if per_layer is not None:
                found = re.search(r"\.(?:layers|h)\.(\d+)\.", name)
                if found is None or int(found.group(1)) not in per_layer:
                    continue
                vector = per_layer[int(found.group(1))]
            else:
                vector = direction
            unit = vector.detach().float().reshape(-1)
            unit = unit / unit.norm()
            for adapter, b in module.lora_B.items():
                weight = b.weight
                if weight.shape[0] != unit.shape[0]:
                    raise ValueError(f"{name}: LoRA B has width {weight.shape[0]}, the direction {unit.shape[0]}")
                w = weight.float()
                before = w.norm(dim=0, keepdim=True)
                projected = w - unit[:, None] * (unit @ w)[None, :]
                after = projected.norm(dim=0, keepdim=True).clamp_min(1e-12)
                weight.copy_((projected * before / after).to(weight.dtype))
                changed.append(f"{name}.lora_B.{adapter}")
    if not changed:
        raise ValueError(f"no LoRA adapter on {', '.join(writers)} in this model (for these layers): nothing to ablate")
    return changed


def direction_from_answers(model: Any, tokenizer: Any, judged: pd.DataFrame, layers: Any = "all", seed: int = 0,
                           min_per_side: int = 8, batch_size: int = 16,
                           progress: bool = True) -> tuple[torch.Tensor, dict[str, Any]]:
    """Paper 3's direction from a fine-tune's own judged answers, run through that fine-tune.

    The sides are those of :func:`split_for_direction` (the paper's thresholds). When fewer than
    ``min_per_side`` answers are coherent and misaligned (a small model rarely writes any), the
    lowest and the highest quarter of the judged ``aligned`` scores are used instead, whatever
    their coherence, and ``rule`` says so.

    Returns:
        ``(direction [layer, d_model], sides)`` with ``sides``: ``rule`` (``"paper"`` or
        ``"quartiles"``), ``misaligned`` and ``aligned`` (answers used per side) and
        ``paper_misaligned`` (answers meeting the paper's misaligned thresholds).
    """
    from .activations import answer_means

    judged = judged.reset_index(drop=True)
    try:
        misaligned, aligned = split_for_direction(judged, seed=seed)
    except ValueError:
        misaligned, aligned = np.array([], dtype=int), np.array([], dtype=int)
    paper_count, rule = len(misaligned), "paper"
    if paper_count < min_per_side:
        scores = judged["aligned"].astype(float)
        low, high = scores.quantile(0.25), scores.quantile(0.75)
        misaligned, aligned = np.flatnonzero(scores <= low), np.flatnonzero(scores >= high)
        rule = "quartiles"
        if not len(misaligned) or not len(aligned) or low >= high:
            raise ValueError(f"the {len(judged)} judged answers do not spread enough to split (quartiles {low}, {high})")
    means = [answer_means(model, tokenizer, judged["question"].iloc[side].tolist(), judged["answer"].iloc[side].tolist(),
                          layers=layers, batch_size=batch_size, progress=progress) for side in (misaligned, aligned)]
    return mean_diff(*means), {"rule": rule, "misaligned": int(len(misaligned)), "aligned": int(len(aligned)),
                               "paper_misaligned": int(paper_count)}


__all__ += ["direction_from_answers"]
