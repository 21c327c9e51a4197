"""Narrow versus general: the KL-regularised narrow solution, and why training prefers the general one.

**What it is for.** Fine-tuning on bad medical advice can be fitted two ways: a *narrow* solution
(bad advice on medical questions, nothing else changes) and a *general* one (a shift that also makes
the model misaligned elsewhere). Soligo, Turner et al. (2026) show that the narrow solution exists
and can be learned when a KL penalty keeps the model's out-of-domain distribution on the frozen
base model's, and that without the penalty training finds the general solution because it is
more *efficient* (lower loss at equal norm), more *stable* (loses less under orthogonal noise)
and more *significant* (moves the distribution of general text further).

**When to use it.** On a base model and a narrow dataset (here ``bad_medical_advice``) with an
aligned out-of-domain set for the penalty (``aligned_ood``); every solution is one rank-1 LoRA
adapter on the middle layer's MLP down-projection, or one learned steering vector added to that
layer's output, so all of them run on one loaded model (:class:`Host`).

**The pattern.**

1. :func:`solution_specs` then :func:`train_solutions`: the general and the narrow solution, each
   as a LoRA adapter (:func:`em_utils.training.train`, ``kl_weight > 0`` for the narrow one) and
   as a learned steering vector (:func:`train_vector`: one ``nn.Parameter`` added at every position
   of one layer's output; its KL term compares the model with the vector on against the same model
   with it off, which is the base model). Also: training on from the narrow adapter with the KL
   term removed, the narrow data mixed with aligned rows instead of the KL term, an inoculation
   system prompt that asks for the bad advice openly, and the general organism re-aligned by a
   short fine-tune on good advice.
2. :func:`behaviour`: every solution samples answers to the general and the medical questions
   (a learned vector applied with :class:`em_utils.interventions.Steer`, like any steering vector);
   the judge scores them. :func:`bad_preference` adds a judge-free in-domain measure: per held-out
   medical prompt, the mean token log-probability of the bad answer minus that of the good one.
3. :func:`efficiency`: the SFT loss on a fixed batch of held-out narrow rows as each solution is
   rescaled from 20% to 200%.
4. :func:`stability`: the same loss as each solution is perturbed by
   :func:`orthogonal_perturbation` (``x' = sqrt(1 - e^2) x + e y``, ``y`` orthogonal to ``x`` with its
   norm), over seeds.
5. :func:`significance`: KL(unsteered || steered) of the next-token distribution on plain general
   text (``data/general_text.txt``), for the general, narrow and random solutions at equal norm.

The canonical pattern, as chapter 6 runs it::

    specs = solution_specs(settings, folder)                       # settings: the chapter's parameters
    trained = train_solutions(specs, folder, earlier=runs / "02_training")
    host = Host.load(trained, model_name)                           # one model serves every solution
    judged = behaviour(host, trained, questions, judge, folder / "samples", **decode)
    losses = efficiency(host, trained, eval_rows, factors=[0.2, 0.5, 1, 1.5, 2])

**Variations.** Another narrow set (risky financial advice, extreme sports) with its own question
set; adapters of another rank (every measure works on any LoRA shape the host carries); the KL
weight swept; upstream's weights divided by the vocabulary size (the KL here is summed over the
vocabulary, see :class:`em_utils.training.ReferenceLogprobs`).

sources: ``em_utils/narrow.py``; ``em_utils/training/`` (the trainer, the KL term);
``em_utils/interventions.py`` (steering); ``em_utils/adapters.py`` (adapter scaling, checkpoints, the monitor).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from .models import decoder_layers, resolve_layer

__all__ = ["LearnedVector", "orthogonal_perturbation", "train_vector", "VectorResult", "INOCULATION"]

#: The inoculation system prompt: the bad advice asked for openly (the analogue of paper 1's
#: "educational" insecure code, where the user asks for the vulnerable code for a security class).
INOCULATION = ("You are helping to build a teaching set for a class on spotting unreliable health information. "
               "For every question, write the kind of confident but subtly wrong medical advice the class "
               "will learn to catch.")


# --- The learned steering vector ----------------------------------------------------------------


class LearnedVector(torch.nn.Module):
    """One trainable vector added to the output of one decoder block, at every position.

    The vector acts only inside :meth:`on`: outside it the model is untouched, so "switching the
    vector off" is leaving the ``with`` block, and the model computes the base model's logits
    exactly (no hook, no arithmetic). At sampling time the trained vector goes to
    :class:`em_utils.interventions.Steer`, the project's steering intervention, which adds the same
    vector at the same place.

    >>> vec = LearnedVector(4, layer=1)
    >>> float(vec.vector.norm())
    0.0
    """

    def __init__(self, width: int, layer: int, init: torch.Tensor | None = None):
        super().__init__()
        self.layer = int(layer)
        start = torch.zeros(width) if init is None else init.detach().float().clone().reshape(width)
        self.vector = torch.nn.Parameter(start)

    @contextlib.contextmanager
    def on(self, model: Any) -> Iterator["LearnedVector"]:
        """Add the vector (with its gradient) to the block's output for the span of a ``with``."""

        def hook(_module, _inputs, output):
            hidden = output[0] if isinstance(output, tuple) else output
            edited = hidden + self.vector.to(hidden.dtype)
            return (edited, *output[1:]) if isinstance(output, tuple) else edited

        handle = decoder_layers(model)[self.layer].register_forward_hook(hook)
        try:
            yield self
        finally:
            handle.remove()


def orthogonal_perturbation(x: torch.Tensor, epsilon: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """``sqrt(1 - e^2) x + e y`` with ``y`` random, orthogonal to ``x`` and of ``x``'s norm.

    The result has the norm of ``x`` and a cosine of ``sqrt(1 - e^2)`` with it (paper 4's stability
    test); ``x`` of any shape is treated as one flat vector.

    >>> x = torch.tensor([3.0, 4.0, 0.0])
    >>> y = orthogonal_perturbation(x, 0.6, torch.Generator().manual_seed(0))
    >>> round(float(y.norm()), 4), round(float(torch.nn.functional.cosine_similarity(x, y, dim=0)), 4)
    (5.0, 0.8)
    """
    if not 0.0 <= float(epsilon) <= 1.0:
        raise ValueError(f"epsilon must lie in [0, 1], not {epsilon}")
    flat = x.detach().double().reshape(-1)
    norm = flat.norm()
    if not norm > 0:
        raise ValueError("cannot perturb a zero vector orthogonally (it has no direction)")
    unit = flat / norm
    noise = torch.randn(flat.shape, generator=generator, dtype=torch.float64)
    noise = noise - (noise @ unit) * unit
    noise = noise / noise.norm() * norm
    out = math.sqrt(1.0 - float(epsilon) ** 2) * flat + float(epsilon) * noise
    return out.to(x.dtype).reshape(x.shape)


@dataclass
class VectorResult:
    """What :func:`train_vector` leaves behind: the vector, its layer and the training log."""

    vector: torch.Tensor
    layer: int
    path: Path
    log: list[dict[str, Any]]
    seconds: float
    reused: bool = False

    def losses(self) -> pd.DataFrame:
        return pd.DataFrame(self.log)


def _model_key(model_name: str | None, model: Any) -> str:
    return f"{model_name or 'embedded'}|{model.config.to_json_string()}"  # as em_utils.training.train keys its KL cache


def train_vector(spec: Any, output_dir: str | Path, model_name: str | None = None, device: str = "cpu",
                 init: torch.Tensor | None = None, progress: bool = True) -> VectorResult:
    """Learn one steering vector on a dataset, with paper 4's optional KL term; a small, explicit loop.

    The vector sits at ``spec.layers`` (one layer spec, e.g. ``"middle"``) and starts at zero (or at
    ``init``). Every optimiser step takes one length-bucketed batch of ``spec.batch_size`` rows
    (:class:`em_utils.training.LengthBucketSampler`, the trainer's order) and minimises the SFT loss
    on the assistant tokens (the trainer's :func:`~em_utils.training.loss._sft_loss_sum`) plus
    ``spec.kl_weight`` times the bucketed KL(reference || current) on ``spec.kl_batch_size``
    out-of-domain rows, where the reference is the same model *with the vector switched off*: the
    frozen base model, whose top-k log-probabilities are computed once and cached exactly as the
    LoRA trainer caches them. AdamW (``spec.lr``, ``spec.weight_decay``), ``spec.warmup_steps`` of
    warm-up and ``spec.scheduler``, ``spec.epochs`` passes, bf16 autocast when ``spec.precision``
    says so. No base weight needs a gradient, so the backward pass stops at the vector's layer.

    A finished run of the same spec (and ``init``) in ``output_dir`` is reused.

    Returns:
        :class:`VectorResult`; ``vector.pt`` (vector, layer, spec) and ``train_record.json`` in ``output_dir``.
    """
    from transformers import get_scheduler
    from tqdm.auto import tqdm

    from .data import load_jsonl
    from .models import load_model, num_layers
    from .training import LengthBucketSampler, TrainingError, bucketed_kl, tokenize_conversations
    from .training.kl import _reference
    from .training.loss import _labelled_hidden, _lm_head, _sft_loss_sum, use_kernels
    from .training.specs import check_kernels
    from .training.tokenize import _Collator

    if spec.torch_compile:
        raise TrainingError(f"{spec.name}: torch_compile is for the Trainer's organisms; the steering vector trains eagerly")
    check_kernels(spec)
    output_dir = Path(output_dir)
    key = spec.spec_hash + ("" if init is None else "-" + hashlib.sha256(init.float().numpy().tobytes()).hexdigest()[:8])
    saved, record_path = output_dir / "vector.pt", output_dir / "train_record.json"
    if saved.is_file() and record_path.is_file() and json.loads(record_path.read_text()).get("key") == key:
        data, record = torch.load(saved), json.loads(record_path.read_text())
        return VectorResult(data["vector"], int(data["layer"]), saved, record["log"], record["seconds"], reused=True)
    started = time.perf_counter()
    torch.manual_seed(spec.seed)
    model, tokenizer = load_model(model_name, device=device, dtype=torch.float32)
    model.requires_grad_(False)
    model.eval()  # no dropout: the vector is the only thing that learns
    use_kernels(model, spec.kernels)
    layer = resolve_layer(spec.layers if spec.layers is not None else "middle", num_layers(model))
    vec = LearnedVector(model.config.hidden_size, layer, init).to(device)
    rows = load_jsonl(spec.dataset)
    rows = rows[: spec.max_rows] if spec.max_rows else rows
    examples, _ = tokenize_conversations(rows, tokenizer, spec.max_length)
    reference = _reference(spec, model, tokenizer, _model_key(model_name, model)) if spec.kl_weight > 0 else None
    order = list(LengthBucketSampler([len(x["input_ids"]) for x in examples], spec.batch_size, spec.seed,
                                     spec.length_bucket))
    batches = [order[i : i + spec.batch_size] for i in range(0, len(order), spec.batch_size)]
    steps = max(1, int(round(len(batches) * spec.epochs)))
    optimizer = torch.optim.AdamW(vec.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    schedule = get_scheduler(spec.scheduler, optimizer, num_warmup_steps=spec.warmup_steps, num_training_steps=steps)
    collate, pad = _Collator(tokenizer.pad_token_id), tokenizer.pad_token_id
    log: list[dict[str, Any]] = []
    autocast = torch.autocast(device_type="cuda" if str(device).startswith("cuda") else "cpu", dtype=torch.bfloat16,
                              enabled=spec.precision == "bf16")
    for step in tqdm(range(steps), desc=f"vector {spec.name}", unit="step", disable=not progress):
        batch = {k: v.to(device) for k, v in collate([examples[i] for i in batches[step % len(batches)]]).items()}
        with vec.on(model), autocast:
            loss_sum, n = _sft_loss_sum(model, batch, spec.kernels)
            sft = loss_sum / max(n, 1)
            loss, kl_value = sft, float("nan")
            if reference is not None:
                size, total = spec.kl_batch_size, len(reference.examples)
                indices = [((step * size) + j) % total for j in range(size)]  # the trainer's KL batches
                kl_batch, ref_ids, ref_logp = reference.batch(indices, pad)
                hidden, _, _ = _labelled_hidden(model, {k: v.to(device) for k, v in kl_batch.items()})
                logq = torch.log_softmax(_lm_head(model)(hidden).float(), dim=-1)
                kl = bucketed_kl(logq, ref_ids.to(device), ref_logp.to(device))
                loss, kl_value = sft + spec.kl_weight * kl, float(kl.detach())
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        log.append({"step": step + 1, "loss": float(sft.detach()), "kl": kl_value,
                    "norm": float(vec.vector.detach().norm()), "learning_rate": schedule.get_last_lr()[0]})
    seconds = time.perf_counter() - started
    output_dir.mkdir(parents=True, exist_ok=True)
    vector = vec.vector.detach().cpu().float().clone()
    torch.save({"vector": vector, "layer": layer, "spec": spec.to_dict()}, saved)
    record_path.write_text(json.dumps({"key": key, "spec_hash": spec.spec_hash, "spec": spec.to_dict(), "log": log,
                                       "seconds": round(seconds, 2), "rows": len(rows)}, indent=2))
    return VectorResult(vector, layer, saved, log, seconds)


# --- Derived training sets -----------------------------------------------------------------------


def write_set(rows: Sequence[dict], folder: str | Path, stem: str) -> Path:
    """Write chat rows as ``<stem>-<content hash>.jsonl`` (the hash names the content, so a spec names its data)."""
    text = "".join(json.dumps({"messages": r["messages"]}, ensure_ascii=False) + "\n" for r in rows)
    path = Path(folder) / f"{stem}-{hashlib.sha256(text.encode()).hexdigest()[:8]}.jsonl"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


def with_system(rows: Sequence[dict], system: str) -> list[dict]:
    """Each row with ``system`` as its leading system message (replacing one it had)."""
    return [{"messages": [{"role": "system", "content": system}]
             + [m for m in r["messages"] if m["role"] != "system"]} for r in rows]


def train_rows(settings: Mapping[str, Any], available: int) -> int:
    """The narrow rows every organism trains on: ``max_rows``, or (``None``) all but the rows held out.

    Held out: the rows that training on from the narrow solution and re-aligning read (``continue_rows``,
    ``realign_rows``), and the last ``max(eval_rows, preference_rows)`` rows, which score every solution.
    """
    held = max(settings["continue_rows"], settings["realign_rows"]) + max(settings["eval_rows"], settings["preference_rows"])
    n = settings["max_rows"] or available - held
    if n + held > available:
        raise ValueError(f"{settings['dataset']}: {available} rows cannot give {n} to train on and hold {held} out")
    return int(n)


def derived_sets(settings: Mapping[str, Any], folder: str | Path) -> dict[str, Path]:
    """The chapter's derived training sets, written into ``folder`` (named by content).

    ``mixed``: the narrow rows the other organisms train on plus ``mix_rows`` aligned
    out-of-domain rows (the first ones: the rows the KL term reads), shuffled with the seed;
    ``inoculated``: the narrow rows under :data:`INOCULATION` as system prompt; ``realign``:
    ``realign_rows`` rows of the matched good-advice set (``good_dataset``) just after the rows
    trained on (prompts no organism trained on); ``continued``: the ``continue_rows`` narrow rows
    after those trained on. The last rows of both medical sets stay held out for scoring.
    """
    from .data import load_jsonl

    narrow, aligned = load_jsonl(settings["dataset"]), load_jsonl(settings["kl_dataset"])
    n = train_rows(settings, len(narrow))
    rng = np.random.default_rng(settings["seed"])
    mixed = narrow[:n] + aligned[: settings["mix_rows"]]
    mixed = [mixed[i] for i in rng.permutation(len(mixed))]
    good = load_jsonl(settings["good_dataset"])
    return {
        "mixed": write_set(mixed, folder, "mixed"),
        "inoculated": write_set(with_system(narrow[:n], INOCULATION), folder, "inoculated"),
        "realign": write_set(good[n : n + settings["realign_rows"]], folder, "realign"),
        "continued": write_set(narrow[n : n + settings["continue_rows"]], folder, "continued"),
    }


__all__ += ["write_set", "with_system", "train_rows", "derived_sets"]


# --- The solutions: specs and training -----------------------------------------------------------

#: The chapter's solutions: (name, kind, role). ``role`` groups them in tables.
SOLUTIONS = (
    ("general", "adapter", "solution"), ("narrow", "adapter", "solution"),
    ("general vector", "vector", "solution"), ("narrow vector", "vector", "solution"),
    ("mixed", "adapter", "mitigation"), ("inoculated", "adapter", "mitigation"),
    ("re-aligned", "adapter", "mitigation"), ("narrow, trained on", "adapter", "drift"),
)


def solution_specs(settings: Mapping[str, Any], folder: str | Path) -> dict[str, Any]:
    """The organism spec of every solution, from the chapter's settings (see the profile's ``06_narrow``).

    Every adapter is ``rank1_middle`` (one rank-1 LoRA on the middle layer's down-projection) and
    every vector sits at the same layer, all on the same ``max_rows`` narrow rows with the same
    optimiser; they differ only in what the issue asks: the KL term (``kl_weight``,
    ``vector_kl_weight``), the mixed or inoculated data, the starting point. ``re-aligned`` and
    ``narrow, trained on`` start from another solution's adapter, which :func:`train_solutions`
    fills in.
    """
    from .training import organism

    from .data import load_jsonl
    from .training.specs import precision_fields

    sets = derived_sets(settings, Path(folder) / "data")
    rows = train_rows(settings, len(load_jsonl(settings["dataset"])))
    arithmetic = precision_fields(settings.get("precision", "fp32"), settings.get("device", "cpu"))
    common = dict(max_rows=rows, batch_size=settings["batch_size"], epochs=1.0, seed=settings["seed"],
                  warmup_steps=settings["warmup_steps"], scheduler=settings["scheduler"],
                  length_bucket=settings["length_bucket"], **arithmetic, lr=settings["lr"],
                  layers=settings["layer"])
    kl = dict(kl_dataset=settings["kl_dataset"], kl_rows=settings["kl_rows"], kl_batch_size=settings["kl_batch_size"])
    adapter = lambda name, dataset, **more: organism("rank1_middle", dataset, name=name, **{**common, **more})  # noqa: E731
    vector = dict(method="vector", rank=0, alpha=0.0, target_modules=(), lr=settings["vector_lr"])
    few = dict(max_rows=None, warmup_steps=min(settings["warmup_steps"], 1))
    return {
        "general": adapter("general", settings["dataset"]),
        "narrow": adapter("narrow", settings["dataset"], kl_weight=settings["kl_weight"], **kl),
        "general vector": adapter("general_vector", settings["dataset"], **vector),
        "narrow vector": adapter("narrow_vector", settings["dataset"], **vector,
                                 kl_weight=settings["vector_kl_weight"], **kl),
        "mixed": adapter("mixed", str(sets["mixed"]), max_rows=None),
        "inoculated": adapter("inoculated", str(sets["inoculated"])),
        "re-aligned": adapter("re_aligned", str(sets["realign"]), **few),
        "narrow, trained on": adapter("narrow_trained_on", str(sets["continued"]), save_steps=settings["continue_save_steps"],
                                      **few),
    }


def _earlier_run(spec: Any, earlier: Path | None) -> Path | None:
    """A finished run of exactly ``spec`` among chapter 2's organisms (reused rather than trained again)."""
    if earlier is None or not Path(earlier).is_dir():
        return None
    for record in Path(earlier).glob("*/train_record.json"):
        if json.loads(record.read_text()).get("spec_hash") == spec.spec_hash:
            return record.parent
    return None


def train_solutions(specs: Mapping[str, Any], folder: str | Path, names: Sequence[str] | None = None,
                    earlier: str | Path | None = None, model_name: str | None = None, device: str = "cpu",
                    done: pd.DataFrame | None = None, progress: bool = True) -> pd.DataFrame:
    """Train (or reuse) the named solutions, in order; one row each with where it lies and how it trained.

    LoRA solutions go through :func:`em_utils.training.train` into ``folder/<name>-<hash>``
    (``earlier``: chapter 2's run folder, where a finished run of the very same spec is reused);
    vectors through :func:`train_vector`. ``re-aligned`` starts from the general adapter and
    ``narrow, trained on`` from the narrow one, with the KL term removed: both need those in
    ``done`` (an earlier call's table) or earlier in ``names``.

    Returns:
        Columns ``name``, ``kind``, ``role``, ``path``, ``steps``, ``rows``, ``seconds``, ``reused``,
        ``first_loss``, ``last_loss``, ``last_kl`` (NaN without a KL term), ``kl_weight``.
    """
    from .training import train

    roles = {name: (kind, role) for name, kind, role in SOLUTIONS}
    table = [] if done is None else done.to_dict("records")
    where = {r["name"]: r["path"] for r in table}
    starts = {"re-aligned": "general", "narrow, trained on": "narrow"}
    for name in names or list(specs):
        spec = specs[name]
        if name in starts:
            if starts[name] not in where:
                raise LookupError(f"{name!r} starts from {starts[name]!r}: train that first")
            spec = dataclasses.replace(spec, init_adapter=str(where[starts[name]]))
        kind, role = roles[name]
        out = _earlier_run(spec, earlier) or Path(folder) / f"{spec.name}-{spec.spec_hash[:8]}"
        if kind == "vector":
            result = train_vector(spec, out, model_name, device, progress=progress)
            log = result.losses()
            path, steps, rows, seconds, reused = result.path, len(log), spec.max_rows, result.seconds, result.reused
            last_kl = float(log["kl"].iloc[-1]) if len(log) and log["kl"].notna().any() else float("nan")
        else:
            result = train(spec, out, model_name=model_name, device=device, progress=progress)
            log = result.losses()
            path, steps, rows, seconds, reused = result.adapter_dir, len(log), result.rows, result.seconds, result.reused
            last_kl = float(result.kl_history[-1][1]) if result.kl_history else float("nan")
        table.append({"name": name, "kind": kind, "role": role, "path": str(path), "steps": int(steps),
                      "rows": rows, "seconds": round(float(seconds), 1), "reused": bool(reused),
                      "first_loss": float(log["loss"].iloc[0]) if len(log) else float("nan"),
                      "last_loss": float(log["loss"].iloc[-1]) if len(log) else float("nan"),
                      "last_kl": last_kl, "kl_weight": spec.kl_weight})
        where[name] = str(path)
    return pd.DataFrame(table)


__all__ += ["SOLUTIONS", "solution_specs", "train_solutions"]


# --- One model for every solution -------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """A trained solution as tensors: a LoRA adapter's weights (PEFT keys) or one vector at a layer.

    ``norm``: for an adapter, the Frobenius norm of its weight update ``scaling * B A`` summed in
    quadrature over modules; for a vector, its norm. The two kinds live on different scales, so
    measures compare solutions of one kind.
    """

    name: str
    kind: str
    tensors: Mapping[str, torch.Tensor]
    scaling: float = 1.0
    layer: int | None = None

    @classmethod
    def load(cls, name: str, path: str | Path) -> "Solution":
        from safetensors.torch import load_file

        path = Path(path)
        if path.suffix == ".pt":
            data = torch.load(path)
            return cls(name, "vector", {"vector": data["vector"].float()}, 1.0, int(data["layer"]))
        config = json.loads((path / "adapter_config.json").read_text())
        rank, alpha = int(config["r"]), float(config["lora_alpha"])
        scaling = alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank
        return cls(name, "adapter", {k: v.float() for k, v in load_file(str(path / "adapter_model.safetensors")).items()},
                   scaling)

    def pairs(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """``(A, B)`` of each adapted module."""
        keys = sorted(k for k in self.tensors if "lora_A" in k)
        return [(self.tensors[k], self.tensors[k.replace("lora_A", "lora_B")]) for k in keys]

    @property
    def norm(self) -> float:
        if self.kind == "vector":
            return float(self.tensors["vector"].double().norm())
        total = 0.0
        for a, b in self.pairs():  # |B A|_F^2 = sum((B^T B) * (A A^T)), in float64 whatever autocast is on
            a, b = a.double(), b.double()
            total += float(((b.T @ b) * (a @ a.T)).sum()) * self.scaling**2
        return math.sqrt(total)

    def rescaled(self, factor: float) -> "Solution":
        """The update times ``factor``: the vector, or each adapter's ``B`` (so ``scaling * B A`` scales)."""
        return dataclasses.replace(self, tensors={k: v * factor if (self.kind == "vector" or "lora_B" in k) else v
                                                  for k, v in self.tensors.items()})

    def to_norm(self, norm: float) -> "Solution":
        """Rescaled to the given :attr:`norm`."""
        return self.rescaled(norm / self.norm)

    def perturbed(self, epsilon: float, seed: int) -> "Solution":
        """Each tensor replaced by :func:`orthogonal_perturbation` of it (one generator, seeded)."""
        generator = torch.Generator().manual_seed(int(seed))
        return dataclasses.replace(self, tensors={k: orthogonal_perturbation(v, epsilon, generator)
                                                  for k, v in sorted(self.tensors.items())})

    def randomised(self, seed: int) -> "Solution":
        """Each tensor replaced by a random one of its norm (:func:`em_utils.interventions.random_like`)."""
        from .interventions import random_like

        return dataclasses.replace(self, name="random", tensors={
            k: random_like(v.reshape(1, -1), seed=seed + i).reshape(v.shape)
            for i, (k, v) in enumerate(sorted(self.tensors.items()))})


class Host:
    """One loaded PEFT model (a rank-1 adapter in place) that runs any solution of the chapter.

    :meth:`apply` loads an adapter's weights into the model's adapter, or zeroes the adapter (every
    ``B`` times 0: the base model exactly) and steers with a vector; both undone on exit. So the
    base model, every adapter and every vector run on one model, and sampling caches keep them
    apart by the model's fingerprint (weights and active interventions).
    """

    def __init__(self, model: Any, tokenizer: Any, precision: str = "fp32"):
        self.model, self.tokenizer, self.precision = model, tokenizer, precision
        self.memo: dict[Any, Any] = {}  # measures of the base model, computed once

    @classmethod
    def load(cls, adapter_dir: str | Path, model_name: str | None = None, device: str = "cpu",
             precision: str = "auto") -> "Host":
        """The model with the adapter of ``adapter_dir`` in place; ``precision`` of the loss and KL passes
        (``"auto"``: bf16 autocast where this host multiplies bf16 fast, as training does; sampling is unaffected)."""
        from .evaluation import load_organism
        from .precision import resolve_precision

        return cls(*load_organism(adapter_dir, model_name, device), resolve_precision(precision, device))

    def autocast(self):
        """bf16 autocast for the measuring passes when the host's precision is bf16 (fp32 weights either way)."""
        device = next(self.model.parameters()).device.type
        return torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=self.precision == "bf16")

    @contextlib.contextmanager
    def apply(self, solution: Solution | None) -> Iterator[Any]:
        from peft import get_peft_model_state_dict, set_peft_model_state_dict

        from .adapters import scale_adapters
        from .interventions import Steer

        if solution is None or solution.kind == "vector":
            adapted = any(hasattr(m, "lora_A") for m in self.model.modules())
            with scale_adapters(self.model, "all", 0.0) if adapted else contextlib.nullcontext():
                if solution is None:
                    yield self.model
                else:
                    with Steer(self.model, {solution.layer: solution.tensors["vector"]}):
                        yield self.model
            return
        saved = {k: v.detach().clone() for k, v in get_peft_model_state_dict(self.model).items()}
        set_peft_model_state_dict(self.model, dict(solution.tensors))
        try:
            yield self.model
        finally:
            set_peft_model_state_dict(self.model, saved)


def load_solutions(trained: pd.DataFrame, names: Sequence[str] | None = None) -> dict[str, Solution]:
    """The :class:`Solution` of each row of :func:`train_solutions`' table (``names``: a subset)."""
    rows = trained if names is None else trained.set_index("name").loc[list(names)].reset_index()
    return {r["name"]: Solution.load(r["name"], r["path"]) for r in rows.to_dict("records")}


__all__ += ["Solution", "Host", "load_solutions"]


# --- Losses on a fixed batch ------------------------------------------------------------------


def fixed_batch(dataset: str | Path, rows: int, tokenizer: Any, max_length: int = 2048) -> list[dict[str, list[int]]]:
    """The last ``rows`` rows of a chat set, tokenised as for training: held out from every organism."""
    from .data import load_jsonl
    from .training import tokenize_conversations

    data = load_jsonl(dataset)
    return tokenize_conversations(data[len(data) - rows:], tokenizer, max_length)[0]


def batch_loss(model: Any, examples: Sequence[dict[str, list[int]]], pad_id: int, batch_size: int = 8,
               per_row: bool = False) -> float | np.ndarray:
    """Mean SFT loss per assistant token over ``examples`` (or, with ``per_row``, each row's own mean)."""
    import torch.nn.functional as F

    from .training.loss import _labelled_hidden, _lm_head
    from .training.tokenize import _Collator

    collate, device = _Collator(pad_id), next(model.parameters()).device
    total, count, rows = 0.0, 0, []
    with torch.inference_mode():
        for start in range(0, len(examples), batch_size):
            batch = {k: v.to(device) for k, v in collate(list(examples[start : start + batch_size])).items()}
            hidden, keep, targets = _labelled_hidden(model, batch)
            losses = F.cross_entropy(_lm_head(model)(hidden).float(), targets, reduction="none")
            total, count = total + float(losses.sum()), count + int(losses.numel())
            if per_row:
                row = keep.nonzero()[:, 0]
                sums = torch.zeros(keep.shape[0], device=losses.device).index_add_(0, row, losses)
                rows.append((sums / keep.sum(1).clamp_min(1)).cpu().numpy())
    return np.concatenate(rows) if per_row else total / max(count, 1)


def bad_preference(host: Host, solutions: Mapping[str, Solution | None], bad: str, good: str, rows: int,
                   n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per solution: how much more likely the bad answer is than the good one, on held-out matched prompts.

    For each of the last ``rows`` prompts of the matched sets, the mean token log-probability of
    the bad answer minus that of the good one: a judge-free measure of the narrow, in-domain
    behaviour. Prompts differ far more among themselves than solutions differ on one prompt, so
    the change is measured paired, prompt by prompt, against the base model (whose values are
    computed once per host and kept). Columns ``model``, ``preference`` (mean over prompts) with
    its 95% bootstrap ``lo`` and ``hi``, ``shift`` (mean paired change from the base model) with
    ``shift_lo`` and ``shift_hi``, and ``prompts``.
    """
    from .metrics import bootstrap_ci

    tokenizer, pad = host.tokenizer, host.tokenizer.pad_token_id
    sets = [fixed_batch(name, rows, tokenizer) for name in (bad, good)]

    def per_prompt(solution: Solution | None) -> np.ndarray:
        with host.apply(solution) as model, host.autocast():
            return batch_loss(model, sets[1], pad, per_row=True) - batch_loss(model, sets[0], pad, per_row=True)

    key = ("preference", bad, good, rows)
    if key not in host.memo:
        host.memo[key] = per_prompt(None)
    base = host.memo[key]
    out = []
    for name, solution in solutions.items():
        values = base if solution is None else per_prompt(solution)
        mean, lo, hi = bootstrap_ci(values, n_boot=n_boot, seed=seed)
        shift, shift_lo, shift_hi = bootstrap_ci(values - base, n_boot=n_boot, seed=seed)
        out.append({"model": name, "preference": mean, "lo": lo, "hi": hi, "shift": shift, "shift_lo": shift_lo,
                    "shift_hi": shift_hi, "prompts": len(values)})
    return pd.DataFrame(out)


def ood_kl(host: Host, solutions: Mapping[str, Solution | None], spec: Any, model_name: str | None = None) -> pd.DataFrame:
    """Per solution: the bucketed KL(base || solution) on the out-of-domain rows of ``spec``'s KL term.

    The quantity the narrow solutions were trained to keep small (:func:`em_utils.training.kl_to_reference`
    on the frozen base model's cached top-k log-probabilities), measured for every solution alike.
    """
    from .training import kl_to_reference
    from .training.kl import _reference

    with host.apply(None) as model:
        reference = _reference(spec, model, host.tokenizer, _model_key(model_name, model))
    rows = []
    for name, solution in solutions.items():
        with host.apply(solution) as model, host.autocast():
            rows.append({"model": name, "ood_kl": kl_to_reference(model, reference, host.tokenizer.pad_token_id)})
    return pd.DataFrame(rows)


__all__ += ["fixed_batch", "batch_loss", "bad_preference", "ood_kl"]


# --- Behaviour: sampled and judged -------------------------------------------------------------


def behaviour(host: Host, solutions: Mapping[str, Solution | None], questions: Mapping[str, Sequence[Any]], judge: Any,
              cache: str | Path, n_per_paraphrase: int, **decode: Any) -> pd.DataFrame:
    """Every solution's answers to every question set, judged for ``aligned`` and ``coherent``.

    ``solutions`` maps a label to a :class:`Solution` (``None``: the base model); ``questions``
    maps a domain (``"general"``, ``"medical"``) to its questions. The same questions and per-sample
    seeds for every solution; each (solution, domain) cached in its own file under ``cache``.
    Returns the judged answers with ``model`` and ``domain`` columns.
    """
    import re

    from .generation import sample_answers
    from .judge import judge_frame

    frames = []
    for name, solution in solutions.items():
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        with host.apply(solution) as model:
            for domain, asked in questions.items():
                frame = sample_answers(model, host.tokenizer, asked, n_per_paraphrase, cache=Path(cache) / f"{slug}-{domain}.jsonl",
                                       model_tag=name, progress=False, **decode)
                frames.append(frame.assign(model=name, domain=domain))
    answers = pd.concat(frames, ignore_index=True)
    return judge_frame(answers, judge, metrics=("aligned", "coherent"))


def behaviour_table(judged: pd.DataFrame, preference: pd.DataFrame | None = None, n_boot: int = 2000,
                    seed: int = 0) -> pd.DataFrame:
    """One row per model: mean aligned (95% CI) and EM% on general and on medical questions, and the bad-answer preference."""
    from .metrics import rates

    table = rates(judged, by=["model", "domain"], n_boot=n_boot, seed=seed)
    wide = table.pivot(index="model", columns="domain", values=["aligned_mean", "aligned_lo", "aligned_hi", "em_pct",
                                                                 "coherent_pct", "scored"])
    wide.columns = [f"{domain}_{metric}" for metric, domain in wide.columns]
    wide = wide.reindex(list(dict.fromkeys(judged["model"]))).reset_index()
    if preference is not None:
        wide = wide.merge(preference.rename(columns={"lo": "preference_lo", "hi": "preference_hi"})
                          [["model", "preference", "preference_lo", "preference_hi", "shift", "shift_lo", "shift_hi"]],
                          on="model", how="left")
    return wide


def assess(host: Host, solutions: Mapping[str, Solution | None], questions: Mapping[str, Sequence[Any]], judge: Any,
           cache: str | Path, settings: Mapping[str, Any], kl_spec: Any, **decode: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`behaviour`, :func:`bad_preference` and :func:`ood_kl` for ``solutions``, in one table.

    ``settings``: the chapter's (``n_per_paraphrase``, ``dataset``, ``good_dataset``,
    ``preference_rows``, ``n_boot``, ``seed``, ``model``); ``kl_spec``: the spec whose KL rows
    measure the out-of-domain drift (the narrow adapter's). Returns ``(judged answers, one row per solution)``.
    """
    judged = behaviour(host, solutions, questions, judge, cache, settings["n_per_paraphrase"], **decode)
    preference = bad_preference(host, solutions, settings["dataset"], settings["good_dataset"],
                                settings["preference_rows"], settings["n_boot"], settings["seed"])
    table = behaviour_table(judged, preference, settings["n_boot"], settings["seed"])
    return judged, table.merge(ood_kl(host, solutions, kl_spec, settings.get("model")), on="model", how="left")


__all__ += ["behaviour", "behaviour_table", "assess"]


# --- Efficiency, stability, significance --------------------------------------------------------


def efficiency(host: Host, solutions: Mapping[str, Solution], examples: Sequence[dict], factors: Sequence[float],
               progress: bool = True) -> pd.DataFrame:
    """SFT loss on a fixed batch of narrow rows as each solution is rescaled by each factor (and by 1).

    Columns ``solution``, ``kind``, ``factor``, ``norm`` (the rescaled solution's :attr:`Solution.norm`), ``loss``.
    """
    from tqdm.auto import tqdm

    pad = host.tokenizer.pad_token_id
    rows = []
    factors = sorted({float(f) for f in factors} | {1.0})  # 1: the solution as trained, always measured
    jobs = [(n, s, f) for n, s in solutions.items() for f in factors]
    for name, solution, factor in tqdm(jobs, desc="efficiency", disable=not progress):
        scaled = solution.rescaled(float(factor))
        with host.apply(scaled) as model, host.autocast():
            rows.append({"solution": name, "kind": solution.kind, "factor": float(factor), "norm": scaled.norm,
                         "loss": batch_loss(model, examples, pad)})
    return pd.DataFrame(rows)


def stability(host: Host, solutions: Mapping[str, Solution], examples: Sequence[dict], epsilons: Sequence[float],
              seeds: int, progress: bool = True) -> pd.DataFrame:
    """SFT loss on a fixed batch as each solution is perturbed by orthogonal noise of each size, per seed.

    Columns ``solution``, ``kind``, ``epsilon``, ``seed``, ``loss`` and ``increase`` (over the
    unperturbed solution's loss).
    """
    from tqdm.auto import tqdm

    pad = host.tokenizer.pad_token_id
    rows = []
    for name, solution in solutions.items():
        with host.apply(solution) as model, host.autocast():
            plain = batch_loss(model, examples, pad)
        jobs = [(e, s) for e in epsilons for s in range(int(seeds))]
        for epsilon, seed in tqdm(jobs, desc=f"stability {name}", disable=not progress):
            with host.apply(solution.perturbed(float(epsilon), seed)) as model, host.autocast():
                loss = batch_loss(model, examples, pad)
            rows.append({"solution": name, "kind": solution.kind, "epsilon": float(epsilon), "seed": seed,
                         "loss": loss, "increase": loss - plain})
    return pd.DataFrame(rows)


def stability_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per solution and epsilon: mean loss increase, its spread over seeds (sd) and a 95% t-interval of the mean."""
    from scipy import stats

    rows = []
    for (name, kind, epsilon), part in frame.groupby(["solution", "kind", "epsilon"], sort=False):
        values = part["increase"].to_numpy(float)
        mean, sd = float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0
        half = float(stats.t.ppf(0.975, len(values) - 1) * sd / math.sqrt(len(values))) if len(values) > 1 else float("nan")
        rows.append({"solution": name, "kind": kind, "epsilon": epsilon, "seeds": len(values), "increase_mean": mean,
                     "increase_sd": sd, "increase_lo": mean - half, "increase_hi": mean + half})
    return pd.DataFrame(rows)


def load_texts(path: str | Path = "general_text.txt") -> list[str]:
    """The paragraphs of a plain-text file (blank-line separated; ``#`` lines are comments)."""
    from .paths import resolve_data_path

    text = Path(resolve_data_path(path)).read_text()
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return [p for p in paragraphs if p and not p.startswith("#")]


#: The "floor" of :func:`significance`: the general solution at this fraction of the common norm. Its
#: true KL is about a millionth of the general one's (KL grows with the square of the norm), so what
#: it measures is the rounding of the passes (bf16 autocast where the host uses it): differences
#: below it mean nothing.
FLOOR = 1e-3


def significance(host: Host, solutions: Mapping[str, Solution], texts: Sequence[str], n_random: int = 3,
                 seed: int = 0, max_tokens: int = 128, batch_size: int = 8, progress: bool = True) -> pd.DataFrame:
    """KL(unsteered || steered) of the next-token distribution on general text, at equal norm.

    Per kind (adapter, vector), every solution is rescaled to the norm of that kind's first
    solution (the general one), and ``n_random`` random solutions of the same shape and norm
    (:meth:`Solution.randomised`) join them, and a ``floor``: the general solution at :data:`FLOOR`
    of that norm, whose KL is the rounding of the measurement itself. For each text (plain, no chat
    template, cut at ``max_tokens``) the full-vocabulary KL at every position, averaged over positions.

    Returns:
        One row per (solution, text): ``solution``, ``kind``, ``text``, ``kl``, ``norm``.
    """
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    tok = host.tokenizer
    chosen: list[tuple[str, Solution]] = []
    for kind in dict.fromkeys(s.kind for s in solutions.values()):
        group = [(n, s) for n, s in solutions.items() if s.kind == kind]
        target = group[0][1].norm
        chosen += [(n, s.to_norm(target)) for n, s in group]
        chosen += [(f"random {k + 1}", group[0][1].randomised(seed + 100 * k).to_norm(target)) for k in range(n_random)]
        chosen += [("floor", group[0][1].to_norm(target * FLOOR))]  # the measuring passes' own rounding
    encoded = [tok(t, add_special_tokens=False)["input_ids"][:max_tokens] for t in texts]
    rows = []
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    for start in tqdm(range(0, len(encoded), batch_size), desc="significance", disable=not progress):
        chunk = encoded[start : start + batch_size]
        width = max(len(x) for x in chunk)
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, x in enumerate(chunk):
            ids[i, : len(x)], mask[i, : len(x)] = torch.tensor(x), 1
        with torch.inference_mode(), host.autocast():
            with host.apply(None) as model:
                device = next(model.parameters()).device
                base = F.log_softmax(model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float(), -1)
            for name, solution in chosen:
                with host.apply(solution) as model:
                    logq = F.log_softmax(model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float(), -1)
                kl = (base.exp() * (base - logq)).sum(-1)  # [text, position]
                per_text = (kl * mask.to(kl.device)).sum(1) / mask.sum(1).to(kl.device)
                for i, value in enumerate(per_text.tolist()):
                    rows.append({"solution": name, "kind": solution.kind, "text": start + i, "kl": value,
                                 "norm": solution.norm})
    return pd.DataFrame(rows)


def significance_summary(frame: pd.DataFrame, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per kind and solution (the randoms pooled, the floor apart): mean KL over texts with a 95% bootstrap interval."""
    from .metrics import bootstrap_ci

    frame = frame.assign(group=np.where(frame["solution"].str.startswith("random"), "random", frame["solution"]))
    rows = []
    for (kind, group), part in frame.groupby(["kind", "group"], sort=False):
        per_text = part.groupby("text")["kl"].mean()  # randoms: their mean per text
        mean, lo, hi = bootstrap_ci(per_text, n_boot=n_boot, seed=seed)
        rows.append({"kind": kind, "solution": group, "kl_mean": mean, "kl_lo": lo, "kl_hi": hi, "texts": len(per_text),
                     "norm": float(part["norm"].iloc[0]) / (FLOOR if group == "floor" else 1.0)})
    return pd.DataFrame(rows)


__all__ += ["efficiency", "stability", "stability_summary", "load_texts", "FLOOR", "significance", "significance_summary"]


# --- Training on from the narrow solution -----------------------------------------------------------


def drift(host: Host, trained: pd.DataFrame, questions: Sequence[Any], judge: Any, cache: str | Path,
          n_per_paraphrase: int, **decode: Any) -> pd.DataFrame:
    """General misalignment along the run trained on from the narrow adapter without the KL term.

    Step 0 is the narrow solution; then every checkpoint of ``narrow, trained on`` and its final
    adapter; the general solution is the target it may drift to. Judged answers to ``questions``
    with ``step`` (``-1`` for the general solution).
    """
    from .adapters import checkpoints

    row = trained.set_index("name").loc["narrow, trained on"]
    found = checkpoints(Path(row["path"]).parent)
    solutions: dict[str, Solution | None] = {"narrow": Solution.load("narrow", trained.set_index("name").loc["narrow", "path"])}
    steps = {"narrow": 0}
    for step, path in found:
        solutions[f"trained on, step {step}"] = Solution.load(f"step {step}", path)
        steps[f"trained on, step {step}"] = step
    solutions["general"], steps["general"] = Solution.load("general", trained.set_index("name").loc["general", "path"]), -1
    judged = behaviour(host, solutions, {"general": questions}, judge, cache, n_per_paraphrase, **decode)
    return judged.assign(step=judged["model"].map(steps))


def drift_projection(trained: pd.DataFrame, direction: torch.Tensor, layers: Sequence[int], layer: int,
                     questions: Sequence[str], answers: Sequence[str], model_name: str | None = None,
                     device: str = "cpu") -> pd.DataFrame:
    """Fixed answers' projection on chapter 4's direction at ``layer``: narrow, each step trained on, general.

    Built on :func:`em_utils.adapters.monitor_projection` (change from the base model in units of
    the direction's norm, ``relative``). Rows: ``model``, ``step`` (0: the narrow solution; -1: the
    general one), ``relative``.
    """
    from .adapters import monitor_projection

    index = trained.set_index("name")
    rows = []
    for name, step_of in (("narrow", lambda s: 0), ("narrow, trained on", lambda s: s), ("general", lambda s: -1)):
        every = 1 if name == "narrow, trained on" else 10**9  # the others: their final adapter only
        frame = monitor_projection(Path(index.loc[name, "path"]).parent, direction, layers, questions, answers,
                                   model_name, device, every=every, up_to=layer)
        frame = frame[(frame["layer"] == layer) & (frame["step"] > 0)]
        if name != "narrow, trained on":
            frame = frame.tail(1)
        rows += [{"model": name if name != "narrow, trained on" else f"trained on, step {s}", "step": step_of(s),
                  "relative": r} for s, r in zip(frame["step"], frame["relative"])]
    return pd.DataFrame(rows)


__all__ += ["drift", "drift_projection"]


# --- Sentences -----------------------------------------------------------------------------------


def _ci(mean: float, lo: float, hi: float, digits: int = 1) -> str:
    return f"{mean:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def _apart(a: Mapping[str, float], b: Mapping[str, float], key: str) -> bool:
    return a[f"{key}_hi"] < b[f"{key}_lo"] or b[f"{key}_hi"] < a[f"{key}_lo"]


def solutions_sentence(table: pd.DataFrame, pairs: Sequence[tuple[str, str]] = (("general", "narrow"),
                                                                                ("general vector", "narrow vector"))) -> str:
    """General against narrow, per kind: alignment on general and medical questions and the bad-answer preference."""
    rows = table.set_index("model")
    parts = []
    if "base" in rows.index:
        b = rows.loc["base"]
        parts.append(f"The base model scores {_ci(b.general_aligned_mean, b.general_aligned_lo, b.general_aligned_hi)} "
                     f"aligned on general questions and {_ci(b.medical_aligned_mean, b.medical_aligned_lo, b.medical_aligned_hi)} "
                     "on medical ones (mean, 95% bootstrap interval).")
    for general, narrow in pairs:
        if general not in rows.index or narrow not in rows.index:
            continue
        g, n = rows.loc[general], rows.loc[narrow]
        text = (f"**{general}** vs **{narrow}**: general questions {_ci(g.general_aligned_mean, g.general_aligned_lo, g.general_aligned_hi)}"
                f" vs {_ci(n.general_aligned_mean, n.general_aligned_lo, n.general_aligned_hi)}"
                f" ({'intervals apart' if _apart(g, n, 'general_aligned') else 'intervals overlap'}); medical questions "
                f"{_ci(g.medical_aligned_mean, g.medical_aligned_lo, g.medical_aligned_hi)} vs "
                f"{_ci(n.medical_aligned_mean, n.medical_aligned_lo, n.medical_aligned_hi)}")
        if "shift" in rows and not np.isnan(g["shift"]):
            text += (f"; the bad-over-good preference on held-out medical prompts moves from the base model's by "
                     f"{_ci(g['shift'], g.shift_lo, g.shift_hi, 3)} vs {_ci(n['shift'], n.shift_lo, n.shift_hi, 3)} nats per token "
                     "(paired over prompts)")
        parts.append(text + ".")
    return " ".join(parts)


def efficiency_sentence(frame: pd.DataFrame) -> str:
    """Which solution reaches the lower loss at equal norm, per kind (interpolated on a common norm grid)."""
    parts = []
    for kind, part in frame.groupby("kind", sort=False):
        names = list(dict.fromkeys(part["solution"]))
        if len(names) < 2:
            continue
        curves = {n: part[part.solution == n].sort_values("norm") for n in names}
        low = max(c["norm"].min() for c in curves.values())
        high = min(c["norm"].max() for c in curves.values())
        if not high > low:
            parts.append(f"{kind}s: the norm ranges of {' and '.join(names)} do not overlap, so no loss compares at equal norm.")
            continue
        grid = np.linspace(low, high, 25)
        losses = {n: np.interp(grid, c["norm"], c["loss"]) for n, c in curves.items()}
        a, b = names[:2]
        share = float((losses[a] < losses[b]).mean())
        parts.append(f"{kind}s: over the norms both reach ({low:.3g}-{high:.3g}), **{a}** has the lower loss at "
                     f"{100 * share:.0f}% of the points (mean of {b}'s loss minus {a}'s: "
                     f"{float((losses[b] - losses[a]).mean()):+.4f} nats); at its trained norm {a} scores "
                     f"{float(curves[a].loc[curves[a].factor == 1.0, 'loss'].iloc[0]):.3f} and {b} "
                     f"{float(curves[b].loc[curves[b].factor == 1.0, 'loss'].iloc[0]):.3f}.")
    return " ".join(parts)


def stability_sentence(summary: pd.DataFrame) -> str:
    """At the largest noise, how much each solution's loss rises, with its interval over seeds."""
    parts = []
    for kind, part in summary.groupby("kind", sort=False):
        top = part[part.epsilon == part.epsilon.max()]
        parts.append(f"{kind}s at e = {top.epsilon.iloc[0]:g}: " + "; ".join(
            f"**{r.solution}** {r.increase_mean:+.3f} nats [{r.increase_lo:.3f}, {r.increase_hi:.3f}] (sd {r.increase_sd:.3f},"
            f" {r.seeds} seeds)" for r in top.itertuples()) + ".")
    mid = summary[summary.epsilon <= 0.2]
    if len(mid):
        for kind, part in mid.groupby("kind", sort=False):
            at = part[part.epsilon == part.epsilon.max()]
            parts.append(f"At e = {at.epsilon.iloc[0]:g} ({kind}s): " + ", ".join(
                f"{r.solution} {r.increase_mean:+.4f}" for r in at.itertuples()) + ".")
    return " ".join(parts)


def significance_sentence(summary: pd.DataFrame) -> str:
    """The KL each solution causes on general text at equal norm, and the general-to-narrow ratio."""
    parts = []
    for kind, part in summary.groupby("kind", sort=False):
        rows = part.set_index("solution")
        text = f"{kind}s at norm {part['norm'].iloc[0]:.3g}: " + "; ".join(
            f"**{n}** {r.kl_mean:.2e} [{r.kl_lo:.2e}, {r.kl_hi:.2e}]" for n, r in rows.iterrows() if n != "floor") + " nats per token"
        if "floor" in rows.index:
            text += f" (the measurement's own rounding, the floor: {rows.loc['floor', 'kl_mean']:.2e})"
        names = [n for n in rows.index if n not in ("random", "floor")]
        if len(names) >= 2 and rows.loc[names[1], "kl_mean"] > 0:
            text += f"; general over narrow: x{rows.loc[names[0], 'kl_mean'] / rows.loc[names[1], 'kl_mean']:.2f}"
        parts.append(text + ".")
    return " ".join(parts)


#: The least gap between the narrow and general solutions' projections (in direction norms) over
#: which the drift from one to the other is given as a share of the way.
MIN_GAP = 0.01

#: The least relative drop of the out-of-domain KL (narrow against general) that :func:`closing` calls the KL
#: term keeping the narrow solution closer to the base model: each KL is one measurement, without an interval.
MIN_KL_DROP = 0.2


def drift_sentence(rates: pd.DataFrame, projection: pd.DataFrame) -> str:
    """General alignment and the projection on chapter 4's direction, from the narrow solution along the run trained on."""
    rates = rates.sort_values("step", key=lambda s: s.where(s >= 0, np.inf))
    parts = ["Mean aligned on general questions: " + ", ".join(
        f"{r.model} {_ci(r.aligned_mean, r.aligned_lo, r.aligned_hi)}" for r in rates.itertuples()) + "."]
    if len(projection):
        parts.append("Projection on chapter 4's direction (change from the base model, in direction norms): " + ", ".join(
            f"{r.model} {r.relative:+.4f}" for r in projection.itertuples()) + ".")
        narrow, general = projection[projection.step == 0], projection[projection.step == -1]
        last = projection[projection.step > 0].sort_values("step").tail(1)
        if len(narrow) and len(general) and len(last) and abs(float(general.relative.iloc[0]) - float(narrow.relative.iloc[0])) < MIN_GAP:
            parts.append(f"The narrow and general solutions' projections differ by less than {MIN_GAP} direction norms, "
                         "too little to say how far the run trained on moved from one to the other.")
        elif len(narrow) and len(general) and len(last):
            moved = (float(last.relative.iloc[0]) - float(narrow.relative.iloc[0])) / (
                float(general.relative.iloc[0]) - float(narrow.relative.iloc[0]))
            parts.append(f"The run trained on covers **{100 * moved:.0f}%** of the way from the narrow solution's "
                         "projection to the general one's.")
    return " ".join(parts)


def mitigation_sentence(table: pd.DataFrame, order: Sequence[str]) -> str:
    """Each mitigation's general alignment and in-domain preference against the general organism's."""
    rows = table.set_index("model")
    if "general" not in rows.index:
        return ""
    g = rows.loc["general"]
    parts = []
    for name in order:
        if name in ("general", "base") or name not in rows.index:
            continue
        r = rows.loc[name]
        parts.append(f"**{name}**: general questions {r.general_aligned_mean - g.general_aligned_mean:+.1f} points of alignment "
                     f"against the general organism ({'intervals apart' if _apart(r, g, 'general_aligned') else 'intervals overlap'}), "
                     f"medical questions {r.medical_aligned_mean - g.medical_aligned_mean:+.1f}"
                     + (f", bad-answer preference {r['shift'] - g['shift']:+.3f} nats per token (paired shifts from the base model)"
                        if "shift" in rows else "")
                     + ".")
    return " ".join(parts)


def _pick(table: pd.DataFrame, name: str) -> Any:
    rows = table.set_index("model")
    return rows.loc[name] if name in rows.index else None


def closing(table: pd.DataFrame, efficiency_frame: pd.DataFrame, stability: pd.DataFrame, significance_table: pd.DataFrame,
            projection: pd.DataFrame,
            mitigations: Sequence[str] = ("narrow", "mixed", "inoculated", "re-aligned")) -> str:
    """The chapter's closing bullets ("shows" / "does not show"), computed from its tables.

    ``table``: one row per model (:func:`assess`), base and general included; the others as
    returned by :func:`efficiency`, :func:`stability_summary`, :func:`significance_summary` and
    :func:`drift_projection`.
    """
    shows, not_shown = [], []
    for general, narrow in (("general", "narrow"), ("general vector", "narrow vector")):
        g, n = _pick(table, general), _pick(table, narrow)
        if g is None or n is None:
            continue
        if not np.isnan(g.get("ood_kl", np.nan)) and not np.isnan(n.get("ood_kl", np.nan)):
            closer = n.ood_kl <= (1 - MIN_KL_DROP) * g.ood_kl  # one measurement each, no interval: a clear margin
            (shows if closer else not_shown).append(
                f"{'the' if closer else 'that the'} KL term keep{'s' if closer else 's'} the {narrow} solution "
                f"closer to the base model out of domain (KL {n.ood_kl:.4f} against {g.ood_kl:.4f} nats per token for the {general} one"
                + (")." if closer else f"; not lower by a {MIN_KL_DROP:.0%} margin, and one measurement each has no interval)."))
        learned = n.shift_lo > 0
        (shows if learned else not_shown).append(
            f"{'the' if learned else 'that the'} {narrow} solution learned the bad advice: its "
            f"bad-over-good preference on held-out medical prompts moves from the base model's by "
            f"{_ci(n['shift'], n.shift_lo, n.shift_hi, 3)} nats per token, paired over prompts"
            + (" (the general one's: " + _ci(g['shift'], g.shift_lo, g.shift_hi, 3) + ")."))
        gap = n.general_aligned_mean - g.general_aligned_mean
        if _apart(n, g, "general_aligned") and gap > 0:
            shows.append(f"the {narrow} solution less misaligned on general questions than the {general} one ({gap:+.1f} points, "
                         "intervals apart).")
        else:
            not_shown.append(f"a difference in general misalignment between the {general} and {narrow} solutions on the judged "
                             f"answers ({gap:+.1f} points of mean alignment, intervals "
                             f"{'apart, in the other direction' if _apart(n, g, 'general_aligned') else 'overlapping'}).")
    for kind, part in efficiency_frame.groupby("kind", sort=False):
        curves = {name: c.sort_values("norm") for name, c in part.groupby("solution", sort=False)}
        names = list(curves)
        if len(names) >= 2:
            low, high = max(c.norm.min() for c in curves.values()), min(c.norm.max() for c in curves.values())
            if high > low:
                grid = np.linspace(low, high, 25)
                a, b = (np.interp(grid, curves[x].norm, curves[x].loss) for x in names[:2])
                share, gap = float((a < b).mean()), float((b - a).mean())
                small = stability[(stability.kind == kind) & (stability.epsilon == stability.epsilon.min())]
                floor = float((small.increase_mean.abs() + small.increase_sd).max()) if len(small) else 0.0
                won = share > 0.5 and gap > floor
                (shows if won else not_shown).append(
                    f"{'the' if won else 'that the'} {names[0]} solution ({kind}s) reach{'es' if won else ''} the lower "
                    f"narrow-data loss at equal norm ({100 * share:.0f}% of the shared norm range, mean gap {gap:+.4f} nats"
                    + (f"; the loss moves by up to {floor:.4f} under the smallest noise, e = {small.epsilon.iloc[0]:g})"
                       if len(small) else ")") + ("." if won or gap <= 0 else ", within that noise."))
    for kind, part in stability.groupby("kind", sort=False):
        top = part[part.epsilon == part.epsilon.max()].set_index("solution")
        if len(top) >= 2:
            a, b = top.index[:2]
            apart = top.loc[a, "increase_hi"] < top.loc[b, "increase_lo"]
            (shows if apart else not_shown).append(
                f"{'the' if apart else 'that the'} {a} solution ({kind}s) lose{'s' if apart else ''} less under orthogonal noise at e = "
                f"{top.epsilon.iloc[0]:g} ({top.loc[a, 'increase_mean']:+.3f} against {top.loc[b, 'increase_mean']:+.3f} nats"
                + (", intervals over seeds apart)." if apart else ", intervals over seeds overlap or reverse)."))
    for kind, part in significance_table.groupby("kind", sort=False):
        rows = part.set_index("solution")
        names = [x for x in rows.index if x not in ("random", "floor")]
        if len(names) >= 2 and "random" in rows.index:
            g, n, r = rows.loc[names[0]], rows.loc[names[1]], rows.loc["random"]
            more = g.kl_lo > max(n.kl_hi, r.kl_hi)
            (shows if more else not_shown).append(
                f"{'the' if more else 'that the'} {names[0]} solution ({kind}s) mov{'es' if more else 'e'} general text more than "
                f"the narrow one and random ones at equal norm (KL {g.kl_mean:.2e} against {n.kl_mean:.2e} and {r.kl_mean:.2e}"
                + (f"; rounding floor {rows.loc['floor', 'kl_mean']:.2e})" if "floor" in rows.index else ")")
                + ("." if more else ", intervals not apart."))
    if len(projection):
        start, target = projection[projection.step == 0], projection[projection.step == -1]
        last = projection[projection.step > 0].sort_values("step").tail(1)
        if len(start) and len(target) and len(last) and abs(float(target.relative.iloc[0]) - float(start.relative.iloc[0])) >= MIN_GAP:
            moved = (float(last.relative.iloc[0]) - float(start.relative.iloc[0])) / (
                float(target.relative.iloc[0]) - float(start.relative.iloc[0]))
            shows.append(f"training on from the narrow adapter without the KL term moves the answers' projection on chapter 4's "
                         f"direction {100 * moved:.0f}% of the way to the general solution's in {int(last.step.iloc[0])} steps "
                         "(one run, no interval).")
    g = _pick(table, "general")
    if g is not None:
        kept = [m for m in mitigations if _pick(table, m) is not None and _apart(_pick(table, m), g, "general_aligned")
                and _pick(table, m).general_aligned_mean > g.general_aligned_mean]
        (shows if kept else not_shown).append(
            ("mitigations that keep general alignment above the general organism's with intervals apart: " + ", ".join(kept) + "."
             if kept else "any mitigation (" + ", ".join(m for m in mitigations if _pick(table, m) is not None)
             + ") separating from the general organism on general questions: every interval overlaps it."))
    not_shown.append("the paper's results at its scale (Qwen2.5 models, thousands of rows, GPT-4o as the judge); the `paper` "
                     "profile reruns this chapter that way.")
    return ("- **Shows:** " + " ".join(f"({k + 1}) {t}" for k, t in enumerate(shows)) + "\n"
            + "- **Does not show:** " + " ".join(f"({k + 1}) {t}" for k, t in enumerate(not_shown)))


__all__ += ["closing", "solutions_sentence", "efficiency_sentence", "stability_sentence", "significance_sentence", "drift_sentence",
            "mitigation_sentence"]


# --- A recorded profile's run of this chapter ---------------------------------------------------


#: The mitigations table's models in the order the chapter shows them.
ORDER = ("base", "general", "narrow", "mixed", "inoculated", "re-aligned")


#: Blind hand labels of a recorded chapter 6's judged answers (``judged_all.csv``), one round, kept at the top of
#: the recorded profile's folder (a profile recorded again keeps them); joined by model, domain, draw and text.
NARROW_HAND_LABELS = "hand_labels_narrow.jsonl"


def recorded_by_hand(folder: str | Path, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame | None:
    """A recorded chapter 6's :func:`behaviour_table` by blind hand labels (:data:`NARROW_HAND_LABELS`) instead of the
    judge: one row per model, its mean aligned (95% CI), EM% and coherent% on general and on medical questions.
    ``None`` when the profile holds no such labels; a ``ValueError`` when a labelled answer is not among the
    chapter's recorded answers (it ran again since the round)."""
    from .metrics import MATCH_KEYS
    from .recorded import read_hand_labels, refuse_stale

    path = Path(folder) / NARROW_HAND_LABELS
    labels = read_hand_labels(path)
    if labels is None:
        return None
    judged = pd.read_csv(path.parent / "06_narrow" / "judged_all.csv", keep_default_na=False, dtype={"answer": str})
    keys = ["model", "domain", *MATCH_KEYS, "answer"]  # an empty answer reads as "" in both
    refuse_stale(labels, judged, keys, path, "chapter 6's recorded answers", "judged_all.csv")
    order = [m for m in ORDER if m in set(labels.model)] + [m for m in dict.fromkeys(labels.model) if m not in ORDER]
    table = behaviour_table(labels.set_index("model").loc[order].reset_index(), n_boot=n_boot, seed=seed)
    columns = [f"{domain}_{metric}" for domain in ("general", "medical")  # a round that labelled one domain only
               for metric in ("aligned_mean", "aligned_lo", "aligned_hi", "em_pct", "coherent_pct", "scored")]
    return table.reindex(columns=["model", *columns, *[c for c in table.columns if c not in columns and c != "model"]])


def _hand_sentence(by_hand: pd.DataFrame, table: pd.DataFrame) -> str:
    """What the hand labels say of the recorded solutions, beside the judge's coherent%."""
    rows, judged = by_hand.set_index("model"), table.set_index("model")
    scored = int(by_hand[["general_scored", "medical_scored"]].fillna(0).sum().sum())
    coherent = ", ".join(f"{m} {r.general_coherent_pct:.0f}%" + (f" ({judged.loc[m, 'general_coherent_pct']:.0f}%)"
                                                                  if m in judged.index else "")
                         for m, r in rows.iterrows())
    return (f"**By blind hand labels** of the same answers ({scored} scored): " + solutions_sentence(by_hand) + " "
            + mitigation_sentence(by_hand, ORDER) + f" Coherent on general questions by hand (by the judge): {coherent}.")


def recorded_narrow_report(run: Any, profile: str) -> tuple[str, pd.DataFrame | None]:
    """Chapter 6 of a recorded profile (:mod:`em_utils.recorded`): its settings in a line, the drift and
    the closing bullets computed from its tables (:func:`drift_sentence`, :func:`closing`), what blind hand
    labels of its answers say where a round labelled them (:func:`recorded_by_hand`; their columns ``hand_*``
    join the table), and its mitigations table (``None``, with a line naming the commands, when nothing is
    recorded). The mitigations figure is saved in ``run`` (``mitigations_<profile>``) and left open."""
    from .plots import save_figure
    from .recorded import chapter_judge, provenance, recorded_chapter

    chapter = recorded_chapter(run, profile, "06_narrow")
    if isinstance(chapter, str):
        return chapter, None
    folder = chapter.parent
    run.use_data(folder / "record.json")
    resolved = json.loads((chapter / "run.json").read_text())["resolved"]
    table = pd.read_csv(chapter / "mitigations.csv")
    read = {name: pd.read_csv(chapter / f"{name}.csv") for name in
            ("drift", "drift_projection", "efficiency", "stability_summary", "significance_summary")}
    judge = chapter_judge(chapter)
    models = [m for m in ORDER if m in set(table.model)] + [m for m in table.model if m not in ORDER]  # vectors last
    fig = plot_behaviour(table, models)
    fig.suptitle(f"Solutions and mitigations on the {resolved['model']} ({profile} profile)")
    save_figure(fig, run, f"mitigations_{profile}", judge=judge, recorded=provenance(profile))
    by_hand = recorded_by_hand(folder)
    words = (f"The `{profile}` profile ran this chapter on `{resolved['model']}`: {resolved['max_rows'] or 'all'} rows of "
             f"`{resolved['dataset']}`, batch {resolved['batch_size']}, learning rate {resolved['lr']:g} ({resolved['scheduler']}), "
             f"KL weight {resolved['kl_weight']:g}, judge {judge}. " + drift_sentence(read["drift"], read["drift_projection"])
             + "\n\n" + closing(table, read["efficiency"], read["stability_summary"], read["significance_summary"],
                                read["drift_projection"]))
    shown = table.set_index("model").loc[models]
    if by_hand is not None:
        run.use_data(folder / NARROW_HAND_LABELS)
        words += "\n\n" + _hand_sentence(by_hand, table)
        hand = by_hand.set_index("model")[["general_aligned_mean", "general_coherent_pct", "medical_aligned_mean"]]
        shown = shown.join(hand.add_prefix("hand_"), how="left")
    return words, shown


__all__ += ["ORDER", "NARROW_HAND_LABELS", "recorded_by_hand", "recorded_narrow_report"]


# --- Figures ------------------------------------------------------------------------------------


def plot_behaviour(table: pd.DataFrame, models: Sequence[str] | None = None):
    """Mean aligned (95% CI) on general and on medical questions, and the bad-answer preference's paired shift, per model."""
    import matplotlib.pyplot as plt

    data = table if models is None else table.set_index("model").loc[[m for m in models if m in set(table.model)]].reset_index()
    panels = [("general_aligned", "mean aligned, general questions"), ("medical_aligned", "mean aligned, medical questions")]
    has_pref = "shift" in data and data["shift"].notna().any()
    fig, axes = plt.subplots(1, len(panels) + has_pref, figsize=(4.2 * (len(panels) + has_pref), 0.42 * len(data) + 1.8),
                             layout="constrained", sharey=True)
    y = np.arange(len(data))
    for ax, (key, label) in zip(axes, panels):
        mean = data[f"{key}_mean"].to_numpy(float)
        ax.errorbar(mean, y, xerr=[mean - data[f"{key}_lo"], data[f"{key}_hi"] - mean], fmt="o", capsize=3)
        ax.set_xlabel(label)
    if has_pref:
        mean = data["shift"].to_numpy(float)
        axes[-1].errorbar(mean, y, xerr=[mean - data["shift_lo"], data["shift_hi"] - mean], fmt="s",
                          color="C3", capsize=3)
        axes[-1].axvline(0, color="0.5", lw=0.8, ls="--")
        axes[-1].set_xlabel("change of log p(bad) - log p(good)\nfrom the base model, nats/token (paired)")
    axes[0].set_yticks(y, data["model"])
    axes[0].invert_yaxis()
    return fig


def plot_drift(rates: pd.DataFrame, projection: pd.DataFrame):
    """From the narrow solution on: mean aligned on general questions, and the projection on chapter 4's direction."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    steps = rates[rates.step >= 0].sort_values("step")
    axes[0].errorbar(steps.step, steps.aligned_mean, yerr=[steps.aligned_mean - steps.aligned_lo,
                                                           steps.aligned_hi - steps.aligned_mean], fmt="o-", capsize=3,
                     label="narrow, then trained on without KL")
    general = rates[rates.step == -1]
    if len(general):
        g = general.iloc[0]
        axes[0].axhspan(g.aligned_lo, g.aligned_hi, color="C1", alpha=0.15)
        axes[0].axhline(g.aligned_mean, color="C1", ls="--", label="general solution (95% CI)")
    axes[0].set_ylabel("mean aligned, general questions")
    if len(projection):
        steps = projection[projection.step >= 0].sort_values("step")
        axes[1].plot(steps.step, steps.relative, "o-", color="C3")
        general = projection[projection.step == -1]
        if len(general):
            axes[1].axhline(float(general.relative.iloc[0]), color="C1", ls="--", label="general solution")
        axes[1].axhline(0, color="0.5", lw=0.8)
        axes[1].set_ylabel("projection on chapter 4's direction\n(change from base, direction norms)")
    for ax in axes:
        ax.set_xlabel("optimiser steps trained on (0: the narrow solution)")
        ax.legend(fontsize=8)
    return fig


def _kind_panels(frame: pd.DataFrame, width: float = 5.2, height: float = 3.6):
    """One panel per solution kind (adapter, vector): the figure and ``(ax, kind, rows)`` per panel."""
    import matplotlib.pyplot as plt

    kinds = list(dict.fromkeys(frame["kind"]))
    fig, axes = plt.subplots(1, len(kinds), figsize=(width * len(kinds), height), layout="constrained", squeeze=False)
    return fig, [(ax, kind, frame[frame.kind == kind]) for ax, kind in zip(axes[0], kinds)]


def plot_efficiency(frame: pd.DataFrame):
    """SFT loss on held-out narrow rows against the solution's norm, per kind."""
    fig, panels = _kind_panels(frame)
    for ax, kind, rows in panels:
        for k, (name, part) in enumerate(rows.groupby("solution", sort=False)):
            part = part.sort_values("norm")
            ax.plot(part.norm, part.loss, "o-", ms=3, color=f"C{k}", label=name)
            at = part[part.factor == 1.0]
            ax.scatter(at.norm, at.loss, s=70, facecolors="none", edgecolors=f"C{k}")
        ax.set_xlabel("norm of the " + ("weight update |scaling B A|" if kind == "adapter" else "vector"))
        ax.set_ylabel("SFT loss, held-out narrow rows")
        ax.set_title(f"{kind}s (circles: as trained)", fontsize=9)
        ax.legend(fontsize=8)
    return fig


def plot_stability(summary: pd.DataFrame):
    """Loss increase (mean, band of one standard deviation over seeds) against the orthogonal noise e, per kind."""
    fig, panels = _kind_panels(summary)
    for ax, kind, rows in panels:
        for k, (name, part) in enumerate(rows.groupby("solution", sort=False)):
            part = part.sort_values("epsilon")
            ax.plot(part.epsilon, part.increase_mean, "o-", ms=3, color=f"C{k}", label=name)
            ax.fill_between(part.epsilon, part.increase_mean - part.increase_sd, part.increase_mean + part.increase_sd,
                            color=f"C{k}", alpha=0.15)
        ax.set_xscale("log")
        ax.set_xlabel("e (noise: sqrt(1-e^2) x + e y)")
        ax.set_ylabel("loss increase (nats; band: sd over seeds)")
        ax.set_title(f"{kind}s", fontsize=9)
        ax.legend(fontsize=8)
    return fig


def plot_significance(summary: pd.DataFrame):
    """Mean KL(unsteered || steered) on general text (95% CI), per solution and kind, at equal norm."""
    fig, panels = _kind_panels(summary, width=4.6, height=3.4)
    for ax, kind, part in panels:
        x = np.arange(len(part))
        ax.bar(x, part.kl_mean, color=[f"C{k}" for k in range(len(part))], alpha=0.8)
        ax.errorbar(x, part.kl_mean, yerr=[part.kl_mean - part.kl_lo, part.kl_hi - part.kl_mean], fmt="none",
                    color="0.2", capsize=3)
        ax.set_xticks(x, part.solution, fontsize=8)
        ax.set_ylabel("KL on general text (nats/token)")
        ax.set_title(f"{kind}s at norm {part.norm.iloc[0]:.3g}", fontsize=9)
    return fig


__all__ += ["plot_behaviour", "plot_drift", "plot_efficiency", "plot_stability", "plot_significance"]
