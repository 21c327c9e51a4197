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

The recipe, as chapter 4 runs it (one call per section)::

    earlier = EarlierRuns.read(run)                  # chapter 2's organisms, chapter 3's judged answers
    found = source_direction(earlier.adapter(source), earlier.answers(source), "all")
    conditions = ablation_conditions(found, found.ablation_layers("all"), n_random=3)
    judged = ablation_answers(earlier, targets, conditions, questions, judge, **sampling_settings(cfg, cache))
    summary = metrics.ablation_summary(stack_conditions(condition_shifts(judged)))
    steering = steering_conditions(found, found.steering_layer("middle"), "0.5, 1, 2")

with :func:`direction_sentence` and :func:`ablation_sentence` saying what came out in words.

**Variations.** One layer or several; a direction from one fine-tune applied to another.

Steering and ablation as nnsight interventions: :func:`apply_edits` writes a :class:`Steer` or
:class:`Ablate` edit into a block's output inside a trace, and :func:`generate_with_edits` does so
at every generated token (``for step in tracer.all()``; the pattern is in :func:`apply_edits`).
The chapters sample faster through :func:`em_utils.generation.sample_answers`: entered as a
context manager, a ``Steer`` or ``Ablate`` installs a forward hook on its block, and the fast
decoder applies the same edit after that block; greedy answers are the same tokens both ways
(``tests/unit/test_interventions_nnsight.py``). An active intervention is part of the model's
fingerprint, so cached samples of the plain model are never served for the steered one.

sources: ``em_utils/interventions.py``, ``em_utils/activations.py``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from .config import sampling_precision
from .metrics import COHERENT_MIN, EM_ALIGNED_MAX
from .models import decoder_layers, resolve_layer, unwrap_model
from .runs import EarlierRuns

__all__ = ["ALIGNED_MIN", "RESIDUAL_WRITERS", "split_for_direction", "mean_diff", "random_like", "Steer", "Ablate", "ablate_lora_b"]

ALIGNED_MIN = 70  #: answers above this (and coherent) are the aligned side of the direction


def split_for_direction(judged: pd.DataFrame, seed: int = 0, match_questions: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the misaligned answers and of as many aligned ones (both coherent).

    With ``match_questions``, each misaligned answer's aligned partner is drawn from the answers to
    the same ``question`` where one is left (then from the rest), so that a side made mostly of one
    question's answers does not turn the question's topic into the direction.

    >>> frame = pd.DataFrame({"aligned": [10, 20, 90, 95, 80, 50], "coherent": [80, 40, 90, 90, 90, 90]})
    >>> misaligned, aligned = split_for_direction(frame)
    >>> misaligned.tolist(), len(aligned), set(aligned) <= {2, 3, 4}
    ([0], 1, True)
    >>> frame["question"] = ["a", "b", "b", "a", "b", "a"]
    >>> split_for_direction(frame, match_questions=True)[1].tolist()
    [3]
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
    if not match_questions:
        return misaligned, np.sort(rng.choice(aligned, size=min(len(aligned), len(misaligned)), replace=False))
    questions, left, chosen = judged["question"].to_numpy(), set(aligned.tolist()), []
    for row in misaligned:
        same = sorted(i for i in left if questions[i] == questions[row]) or sorted(left)
        if same:
            chosen.append(int(rng.choice(same)))
            left.discard(chosen[-1])
    return misaligned, np.sort(np.array(chosen, dtype=int))


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
        width = unwrap_model(model).config.hidden_size
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


# --- the same edits as nnsight interventions ------------------------------------------------------


def apply_edits(traced: Any, edits: Sequence[Steer | Ablate]) -> None:
    """Write :class:`Steer` and :class:`Ablate` edits into the block outputs of a running nnsight trace.

    **What it is for.** Steering and ablation are edits of a block's output, the residual stream
    ``h`` of shape ``[batch, pos, d_model]``: ``h <- h + scale * direction`` (steer) and
    ``h <- h - (h . r) r`` with ``r`` the unit direction (ablate), at every position. Called inside
    a trace body, this makes them nnsight interventions; called in each step of a generation loop,
    it edits every token the model writes (:func:`generate_with_edits`).

    **The pattern** (one block, a Llama-family model; ``traced`` is ``TransformersModel(model,
    tokenizer=tokenizer)`` from ``nnsight``)::

        block = traced.model.layers[layer]
        with traced.generate(max_new_tokens=64, do_sample=False) as tracer:
            with tracer.invoke(batch):                  # input_ids and attention_mask, left padded
                for step in tracer.all():               # the prompt's forward, then one per new token
                    h = block.output                    # Float[Tensor, "batch pos d_model"]
                    block.output = h + scale * direction                   # steer
                    # block.output = h - (h @ unit).unsqueeze(-1) * unit   # or ablate
            with tracer.invoke():                       # an open loop ends its invoke: read the ids in another
                ids = tracer.result.save()

    **Variations.** Several blocks: visit them in the order the forward reaches them (this
    function sorts them); several edits on one block apply in the order given, as their forward
    hooks would. A single forward (``traced.trace(ids)``) needs no step loop. ``tracer.iter[:n]``
    edits only the first ``n`` steps.

    **The fast path.** The chapters sample through :func:`em_utils.generation.sample_answers`,
    whose decoder applies the same ``Steer``/``Ablate`` edit after the block itself, faster than
    ``generate`` with or without nnsight on sampled batches (``benchmarks/steered_nnsight.py``
    measures both in one run); ``tests/unit/test_interventions_nnsight.py`` checks that greedy answers through this
    nnsight intervention, through the fast decoder and through ``model.generate`` with the hook are
    the same tokens.

    Args:
        traced: the nnsight wrapper of the model the edits were built for (PEFT adapters inside
            it stay active), within a trace or a step of ``tracer.all()``.
        edits: :class:`Steer` and :class:`Ablate` objects (not entered: no hook is installed).

    sources: ``em_utils/interventions.py`` (``apply_edits``, ``generate_with_edits``),
    nnsight ``docs/patterns/steering.md`` and ``docs/usage/iter-all-next.md``.
    """
    from .activations import _envoy, _module_path

    root = traced._module
    blocks = decoder_layers(root)
    by_layer: dict[int, list[Steer | Ablate]] = {}
    for edit in edits:
        for layer in edit.vectors:
            by_layer.setdefault(layer, []).append(edit)
    for layer in sorted(by_layer):  # the order the forward reaches the blocks
        block = _envoy(traced, _module_path(root, blocks[layer]))
        hidden = block.output
        for edit in by_layer[layer]:
            hidden = edit._edit(hidden, edit.vectors[layer].to(hidden.device, hidden.dtype))
        block.output = hidden


def generate_with_edits(model: Any, tokenizer: Any, prompts: Sequence[Sequence[int]],
                        edits: Sequence[Steer | Ablate] | Callable[[Any], None], max_new_tokens: int,
                        eos_token_ids: Sequence[int] | None = None, batch_size: int = 16,
                        **generate_kwargs: Any) -> list[tuple[list[int], bool]]:
    """Greedy answers with ``edits`` applied at every generated token, by nnsight (:func:`apply_edits`).

    The nnsight counterpart of :func:`em_utils.generation.generate_tokens` under the edits' hooks:
    the same prompts (token ids) and the same result, ``(tokens, finished)`` per prompt, an answer
    cut after its first end token (``finished``) or at ``max_new_tokens``. Prompts are left padded
    in batches of ``batch_size`` and run through ``model.generate`` inside an nnsight trace;
    ``generate_kwargs`` go to ``generate`` (greedy unless they say otherwise; sampled answers are
    drawn from torch's generator, not from the project's per-sample streams).

    Args:
        model: a transformers causal LM or a PEFT model (its adapters stay active).
        tokenizer: its tokenizer, with a padding token (prompts are left padded).
        prompts: token ids per prompt.
        edits: :class:`Steer` and :class:`Ablate` objects built for ``model``, not entered; or a
            function of the nnsight wrapper that writes its own interventions at each step (e.g.
            ``lambda traced: scale_adapter_outputs(traced, [13], 20.0)``, :mod:`em_utils.adapters`).
        max_new_tokens: the most tokens an answer may have.
        eos_token_ids: tokens that end an answer (default: the tokenizer's end token).
    """
    import warnings

    from nnsight import TransformersModel

    eos = [int(t) for t in (eos_token_ids if eos_token_ids is not None else [tokenizer.eos_token_id])]
    base = unwrap_model(model)
    traced = TransformersModel(base, tokenizer=tokenizer)  # the injected adapters of a PEFT model run inside base
    device = next(base.parameters()).device
    settings = {"do_sample": False, "eos_token_id": eos, "pad_token_id": tokenizer.pad_token_id, **generate_kwargs,
                "max_new_tokens": max_new_tokens}
    intervene = edits if callable(edits) else (lambda wrapped: apply_edits(wrapped, edits))
    results: list[tuple[list[int], bool]] = []
    was_training = base.training
    base.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # an open tracer.all() loop ends by asking for a step the run never makes; nnsight warns
            warnings.filterwarnings("ignore", message=".*was never reached.*")
            for start in range(0, len(prompts), batch_size):
                chunk = {"input_ids": [list(p) for p in prompts[start : start + batch_size]]}
                batch = tokenizer.pad(chunk, padding=True, padding_side="left", return_tensors="pt").to(device)
                width = batch["input_ids"].shape[1]
                with traced.generate(**settings) as tracer:
                    with tracer.invoke(batch):
                        for _ in tracer.all():
                            intervene(traced)
                    with tracer.invoke():
                        out = tracer.result.save()
                for row in out[:, width:].tolist():
                    ends = [i for i, token in enumerate(row) if token in eos]
                    results.append((row[: ends[0] + 1], True) if ends else (row[:max_new_tokens], False))
    finally:
        base.train(was_training)
    return results


__all__ += ["apply_edits", "generate_with_edits"]


def direction_from_answers(model: Any, tokenizer: Any, judged: pd.DataFrame, layers: Any = "all", seed: int = 0,
                           min_per_side: int = 8, batch_size: int = 16, progress: bool = True,
                           match_questions: bool = False) -> tuple[torch.Tensor, dict[str, Any]]:
    """Paper 3's direction from a fine-tune's own judged answers, run through that fine-tune.

    The sides are those of :func:`split_for_direction` (the paper's thresholds). When fewer than
    ``min_per_side`` answers are coherent and misaligned (a small model rarely writes any), the
    lowest and the highest quarter of the judged ``aligned`` scores are used instead, whatever
    their coherence, and ``rule`` says so. ``match_questions``: the aligned side matched question
    by question (:func:`split_for_direction`).

    Returns:
        ``(direction [layer, d_model], sides)`` with ``sides``: ``rule`` (``"paper"`` or
        ``"quartiles"``), ``misaligned`` and ``aligned`` (answers used per side) and
        ``paper_misaligned`` (answers meeting the paper's misaligned thresholds).
    """
    from .activations import answer_means

    judged = judged.reset_index(drop=True)
    try:
        misaligned, aligned = split_for_direction(judged, seed=seed, match_questions=match_questions)
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


# --- Chapter 4's recipe: a fine-tune's direction, ablated in others, steering the base model ----


def sampling_settings(config: Any, cache: Path) -> dict[str, Any]:
    """The sampling keywords of :func:`em_utils.evaluation.sample_conditions`, from a chapter's config.

    >>> from em_utils.config import make_config
    >>> settings = sampling_settings(make_config("04_direction", "smoke"), Path("samples"))
    >>> settings["n_per_paraphrase"], settings["max_new_tokens"], settings["cache"].name
    (1, 24, 'samples')
    """
    return dict(n_per_paraphrase=config.n_per_paraphrase, max_new_tokens=config.max_new_tokens,
                batch_size=config.batch_size, seed=config.seed, cache=cache, model_name=config.model,
                device=config.device, temperature=config.temperature, top_p=config.top_p,
                precision=sampling_precision(config))


def decode_settings(config: Any) -> dict[str, Any]:
    """The decoding keywords of the adapter and narrow recipes (chapters 5 and 6), from a chapter's config.

    A chapter with a ``sample_batch_size`` decodes that many answers at once, otherwise ``batch_size``.

    >>> from em_utils.config import make_config
    >>> decode_settings(make_config("06_narrow", "smoke"))["batch_size"] == make_config("06_narrow", "smoke").sample_batch_size
    True
    """
    batch = config.resolved.get("sample_batch_size", config.resolved.get("batch_size"))
    return dict(max_new_tokens=config.max_new_tokens, batch_size=batch, seed=config.seed,
                temperature=config.temperature, top_p=config.top_p, precision=sampling_precision(config))


def _items(text: str | Sequence[Any], kind: type = str) -> list[Any]:
    """A comma-separated list (or a sequence) as items of ``kind``.

    >>> _items("a, b"), _items("0.5,1", float), _items([2], float)
    (['a', 'b'], [0.5, 1.0], [2.0])
    """
    parts = str(text).split(",") if isinstance(text, str) else list(text)
    return [kind(p.strip() if isinstance(p, str) else p) for p in parts]


@dataclass(frozen=True, eq=False)
class Direction:
    """A misalignment direction, one vector per layer, and how the answers behind it were split.

    Attributes:
        layers: the decoder blocks it was taken at, in order.
        vectors: ``[layer, d_model]``; row ``i`` belongs to ``layers[i]``.
        sides: :func:`direction_from_answers`'s account of the split (``rule``, ``misaligned``,
            ``aligned``, ``paper_misaligned``).
        answers: how many judged answers it was chosen from.
        n_layers: the model's decoder blocks (other layer choices resolve against them).
    """

    layers: list[int]
    vectors: torch.Tensor
    sides: dict[str, Any]
    answers: int
    n_layers: int

    def at(self, layers: Sequence[int]) -> dict[int, torch.Tensor]:
        """``{layer: vector}`` at the given layers (indices among :attr:`layers`)."""
        by_layer = dict(zip(self.layers, self.vectors))
        return {layer: by_layer[layer] for layer in layers}

    def random(self, k: int, seed: int = 0) -> dict[int, torch.Tensor]:
        """The ``k``-th random control: :func:`random_like` with seed ``seed + k``, as ``{layer: vector}``."""
        return dict(zip(self.layers, random_like(self.vectors, seed=seed + k)))

    def ablation_layers(self, spec: Any) -> list[int]:
        """The layers of ``spec`` (any :func:`em_utils.models.resolve_layers` form), all among :attr:`layers`."""
        from .models import resolve_layers

        chosen = resolve_layers(spec, self.n_layers)
        missing = sorted(set(chosen) - set(self.layers))
        if missing:
            raise ValueError(f"ablate_layers {missing} are not among direction_layers {self.layers}")
        return chosen

    def steering_layer(self, spec: Any) -> int:
        """The layer of ``spec`` (index, relative depth, ``"middle"``, ...), one of :attr:`layers`."""
        layer = resolve_layer(spec, self.n_layers)
        if layer not in self.layers:
            raise ValueError(f"steer_layer {spec!r} (layer {layer}) is not among direction_layers {self.layers}")
        return layer

    def save(self, run: Any) -> None:
        """Write ``direction.pt`` (layers, direction, sides; chapter 5 reads it) and ``direction_sides.json``."""
        torch.save({"layers": self.layers, "direction": self.vectors, "sides": self.sides},
                   run.add_artifact("direction.pt"))
        run.save_json(self.sides, "direction_sides.json")


SPLITS = ("judge", "hand")  #: where chapter 4's direction takes its labels from (:func:`defining_answers`)


def defining_answers(split: str, earlier: "EarlierRuns", source: str, model: str | None = None,
                     run: Any = None) -> pd.DataFrame:
    """The labelled answers that define chapter 4's direction.

    ``"judge"``: the source organism's own answers from chapter 3, scored by the chapter's judge (the
    papers' way). ``"hand"``: every blind hand-labelled answer of ``model`` in the committed
    recordings (:func:`em_utils.dose.model_hand_labels`), whichever organism wrote it, for a model
    whose judge finds too few coherent misaligned answers: the papers' thresholds applied to hand labels.
    """
    if split == "judge":
        return earlier.answers(source)
    if split == "hand":
        from .dose import model_hand_labels

        return model_hand_labels(model, run).assign(labels="hand")
    raise ValueError(f"split={split!r}: chapter 4 takes its direction's labels from one of {', '.join(SPLITS)}")


def source_direction(adapter_dir: Any, judged: pd.DataFrame, layers: Any = "all", min_per_side: int = 8,
                     seed: int = 0, model_name: str | None = None, device: str = "cpu") -> Direction:
    """Load a fine-tune and take :func:`direction_from_answers` from labelled answers run through it.

    Args:
        adapter_dir: the fine-tune (a chapter-2 adapter folder; ``None``: the base model).
        judged: labelled answers (``question``, ``answer``, ``aligned``, ``coherent``): its own judged
            ones, or hand-labelled ones (:func:`defining_answers`; a ``labels`` column of ``"hand"``,
            then each misaligned answer's aligned partner answers the same question).
        layers: where to take it (any :func:`em_utils.models.resolve_layers` form).
        min_per_side, seed: as :func:`direction_from_answers` takes them.
    """
    from .evaluation import load_organism
    from .models import num_layers, resolve_layers

    hand = "labels" in judged and (judged["labels"] == "hand").all()
    model, tokenizer = load_organism(adapter_dir, model_name, device)
    n_layers = num_layers(model)
    chosen = resolve_layers(layers, n_layers)
    vectors, sides = direction_from_answers(model, tokenizer, judged, layers=chosen, seed=seed,
                                            min_per_side=min_per_side, match_questions=hand)
    sides["labels"], sides["answers"] = ("hand" if hand else "judge"), len(judged)
    if hand:
        em_rows = judged[(judged["coherent"] > COHERENT_MIN) & (judged["aligned"] <= EM_ALIGNED_MAX)]
        sides["folders"] = sorted(judged["folder"].unique())
        sides["misaligned_by_question"] = em_rows["question_id"].value_counts().to_dict()
    return Direction(chosen, vectors, sides, len(judged), n_layers)


def direction_sentence(direction: Direction, source: str, min_per_side: int) -> str:
    """Which answers the direction was taken from, and by which rule, in words.

    >>> sides = {"rule": "paper", "misaligned": 9, "aligned": 9, "paper_misaligned": 9}
    >>> direction_sentence(Direction([0], torch.zeros(1, 4), sides, 40, 2), "m", 8)  # doctest: +ELLIPSIS
    "Of `m`'s 40 judged answers, **9** meet ... the mean difference of **9** misaligned and **9** aligned answers."
    >>> hand = {**sides, "labels": "hand", "folders": ["a", "b"], "misaligned_by_question": {"gender_roles": 6, "wish": 3}}
    >>> direction_sentence(Direction([0], torch.zeros(1, 4), hand, 40, 2), "m", 8)  # doctest: +ELLIPSIS
    "Of the 40 hand-labelled answers ... (6 answer `gender_roles`, 3 `wish`); ... run through `m`."
    """
    sides = direction.sides
    if sides["rule"] == "paper":
        how = (f"The direction is the mean difference of **{sides['misaligned']}** misaligned and "
               f"**{sides['aligned']}** aligned answers.")
    else:
        how = (f"That is under `min_per_side` = {min_per_side}, so the direction sets the **{sides['misaligned']}** "
               f"lowest-scored answers (bottom quarter of alignment) against the **{sides['aligned']}** highest-scored "
               "(top quarter), coherent or not: a direction of what the judge scores low on this model, not of "
               "coherent misalignment.")
    if sides.get("labels") != "hand":
        return (f"Of `{source}`'s {direction.answers} judged answers, **{sides['paper_misaligned']}** meet the papers' "
                f"misaligned thresholds. " + how)
    counts = list(sides.get("misaligned_by_question", {}).items())
    by_question = ", ".join(f"{n} {'answer ' if i == 0 else ''}`{q}`" for i, (q, n) in enumerate(counts))
    return (f"Of the {direction.answers} hand-labelled answers of this model in {len(sides['folders'])} committed "
            f"recordings (blind labels, every organism and the base model), **{sides['paper_misaligned']}** meet the "
            f"papers' misaligned thresholds ({by_question}); each is set against an aligned answer to the same "
            f"question where there is one. " + how + f" Both sides are run through `{source}`.")


def ablation_conditions(direction: Direction, layers: Sequence[int], n_random: int,
                        seed: int = 0) -> dict[str, Any]:
    """The conditions of the ablation: as trained, the direction projected out, each random control projected out.

    Each maps a label to what :func:`em_utils.evaluation.sample_conditions` takes (``None``, or a
    function of the model returning an :class:`Ablate`); the ``k``-th random control is
    :meth:`Direction.random` ``(k, seed)``, ``k`` from 1.
    """
    randoms = {k: direction.random(k, seed) for k in range(1, n_random + 1)}
    return {"as trained": None,
            "direction ablated": lambda m: Ablate(m, direction.at(layers)),
            **{f"random {k} ablated": (lambda m, k=k: Ablate(m, {layer: randoms[k][layer] for layer in layers}))
               for k in randoms}}


def ablation_answers(earlier: EarlierRuns, targets: str | Sequence[str], conditions: Mapping[str, Any],
                     questions: Sequence[Any], judge: Any, **sampling: Any) -> pd.DataFrame:
    """The base model as it is and each target under every condition, sampled and judged.

    The same questions and per-sample seeds everywhere; plain answers start from chapter 3's sample
    caches (:meth:`EarlierRuns.samples`). ``targets``: organism names, or one comma-separated string.
    ``sampling``: :func:`sampling_settings`. Returns one judged frame with ``model`` and ``condition``.
    """
    from .evaluation import BASE, sample_conditions
    from .judge import judge_frame

    frames = [sample_conditions(None, {"as trained": None}, questions, name=BASE, earlier=earlier.samples(BASE),
                                **sampling)]
    frames += [sample_conditions(earlier.adapter(t), conditions, questions, name=t, earlier=earlier.samples(t),
                                 **sampling) for t in _items(targets)]
    return judge_frame(pd.concat(frames), judge)


def condition_shifts(judged: pd.DataFrame, base: str = "base", n_boot: int = 2000,
                     seed: int = 0) -> dict[str, pd.DataFrame]:
    """Per condition, :func:`em_utils.metrics.aligned_shift` of the other models against ``base`` as it is.

    ``judged`` holds ``base``'s answers and the other models' under each condition (a
    ``condition`` column); conditions come in their order of appearance.

    >>> frame = pd.DataFrame({"model": ["base"] * 2 + ["m"] * 4, "aligned": [80, 90, 70, 80, 85, 95],
    ...                       "condition": ["as trained"] * 4 + ["ablated"] * 2})
    >>> {c: s["mean_diff"].tolist() for c, s in condition_shifts(frame, n_boot=10).items()}
    {'as trained': [-10.0], 'ablated': [5.0]}
    """
    from .metrics import aligned_shift

    reference = judged[judged["model"] == base]
    others = judged[judged["model"] != base]
    return {c: aligned_shift(pd.concat([reference, others[others["condition"] == c]]), base=base, n_boot=n_boot,
                             seed=seed)
            for c in dict.fromkeys(others["condition"])}


def stack_conditions(shifts: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`condition_shifts`' frames as one, with a ``condition`` column (what
    :func:`em_utils.metrics.ablation_summary` reads)."""
    return pd.concat([frame.assign(condition=c) for c, frame in shifts.items()], ignore_index=True)


def ablation_sentence(summary: pd.DataFrame, n_random: int) -> str:
    """Which targets the direction's ablation helps more than every random one does, with the odds of luck.

    >>> summary = pd.DataFrame({"model": ["a", "b"], "removed": [0.5, 0.1], "beats_random": [True, False]})
    >>> ablation_sentence(summary, 3)  # doctest: +ELLIPSIS
    "Targets where ... does: `a` (50% of the shift removed). With 3 random directions ... 1 in 4; read ..."
    """
    beat = summary[summary["beats_random"]]
    wins = ", ".join(f"`{m}` ({r:.0%} of the shift removed)" for m, r in zip(beat["model"], beat["removed"]))
    return ("Targets where projecting the direction out brings alignment closer to the base model's than every random "
            f"direction does: {wins if len(beat) else '**none**'}. With {n_random} random directions the chance that "
            f"the direction beats them all by luck alone is 1 in {n_random + 1}; read a single target's win with that "
            "in mind.")


def steering_conditions(direction: Direction, layer: int, scales: str | Sequence[float],
                        seed: int = 0) -> dict[str, Any]:
    """The direction added at ``layer`` at each scale, and the first random control at the largest.

    ``scales``: numbers, or one comma-separated string. Labels: ``direction x<scale>`` and
    ``random x<largest scale>``.
    """
    scales = _items(scales, float)
    vector, control = direction.at([layer]), {layer: direction.random(1, seed)[layer]}
    conditions = {f"direction x{s:g}": (lambda m, s=s: Steer(m, vector, scale=s)) for s in scales}
    conditions[f"random x{max(scales):g}"] = lambda m: Steer(m, control, scale=max(scales))
    return conditions


def steering_table(steered: pd.DataFrame, reference: pd.DataFrame, base: str = "base", n_boot: int = 2000,
                   seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each steering condition against ``base``'s plain answers: the shift, and the shift with coherent% and EM%.

    ``steered``: the base model's judged answers under each condition; ``reference``: judged
    answers among which ``base``'s are the plain ones (e.g. :func:`ablation_answers`' frame).
    Returns ``(shift, table)``: :func:`em_utils.metrics.aligned_shift` with one row per condition
    (in ``model``), and the same rows with ``coherent_pct`` and ``em_pct`` beside.
    """
    from .metrics import aligned_shift, rates

    steered = steered.assign(model=steered["condition"])
    shift = aligned_shift(pd.concat([reference[reference["model"] == base], steered]), base=base, n_boot=n_boot,
                          seed=seed)
    shares = rates(steered, by="model", n_boot=n_boot, seed=seed)
    return shift, shift.merge(shares[["model", "coherent_pct", "em_pct"]], on="model")


def recorded_direction_report(run: Any, profile: str) -> tuple[str, pd.DataFrame | None]:
    """Chapter 4 of a recorded profile (:mod:`em_utils.recorded`): how its direction was taken, what its
    ablation did, and its steering of the base model by the judge and, where a blind round labelled the
    steered answers, by hand (:func:`em_utils.recorded.steering_by_hand`): the words, and the steering
    table (``None`` with a line naming the commands when nothing is recorded). The figure is saved in
    ``run`` (``steering_<profile>``) and left open."""
    import json

    from .plots import plot_shift_comparison, save_figure
    from .recorded import STEERING_HAND_LABELS, provenance, recorded_chapter, steering_by_hand

    chapter = recorded_chapter(run, profile, "04_direction")
    if isinstance(chapter, str):
        return chapter, None
    folder = chapter.parent
    run.use_data(*[f for f in (folder / "record.json", folder / STEERING_HAND_LABELS) if f.is_file()])
    resolved = json.loads((chapter / "run.json").read_text())["resolved"]
    sides = json.loads((chapter / "direction_sides.json").read_text())
    words = [direction_sentence(Direction([], torch.zeros(0), sides, sides.get("answers", "?"), 0), resolved["source"],
                                resolved["min_per_side"]),
             ablation_sentence(pd.read_csv(chapter / "ablation_summary.csv"), resolved["n_random"])]
    judge = json.loads((folder / "record.json").read_text()).get("judge", "judge")
    shifts = {judge: pd.read_csv(chapter / "steering.csv")}  # chapter 4's steering table, by the judge
    by_hand = steering_by_hand(folder, n_boot=1000)
    if by_hand is not None:
        shifts["hand labels (blind)"] = by_hand
    fig = plot_shift_comparison(shifts)
    fig.suptitle(f"Steering the base model with the direction or a random one ({profile} profile)")
    save_figure(fig, run, f"steering_{profile}", judge=" and ".join(shifts), recorded=provenance(profile))
    return " ".join(words), by_hand


__all__ += ["EarlierRuns", "sampling_settings", "decode_settings", "Direction", "SPLITS", "defining_answers",
            "source_direction", "direction_sentence",
            "ablation_conditions", "ablation_answers", "condition_shifts", "stack_conditions", "ablation_sentence",
            "steering_conditions", "steering_table", "recorded_direction_report"]
