"""Reading rank-1 adapters: scalars, probes, adapter steering, the phase transition, a monitor.

**What it is for.** A rank-1 LoRA adapter on an MLP down-projection adds ``s * B`` to the residual
stream, where ``B`` is one fixed vector and ``s = scaling * (A . x)`` is one number per token
(``x``: the down-projection's input; ``scaling``: ``alpha / sqrt(r)`` under rsLoRA). Everything the
adapter does is carried by that scalar, so an organism with nine such adapters has a
nine-dimensional, readable hidden state at every token (Soligo, Turner et al. 2025). The same
adapters, saved at checkpoints during training, show how a fine-tune finds its solution: ``B``
rotates quickly to its final direction at one point of training, and misalignment switches on
with it (Turner, Soligo et al. 2025).

**When to use it.** On the rank-1 organisms of chapter 2 (``rank1_middle``, ``nine_rank1``) and
their checkpoints; :func:`scale_adapters` and the checkpoint geometry work on any LoRA rank.

**The pattern.**

1. :func:`adapter_scalars`: run the fine-tune on its own judged answers (question chat-templated,
   answer appended, as :func:`em_utils.activations.answer_means` does) inside one nnsight trace per
   batch, and read each adapter's ``lora_A`` output at the answer tokens only, times its scaling.
2. :func:`label_answers` then :func:`probe_tasks` (built on :func:`probe_adapters`): L1 logistic
   regression (liblinear, ``C = 0.01``) on z-scored scalar vectors, one row per answer token,
   repeated stratified 80/20 splits *over answers* (so no answer has tokens on both sides), for the
   paper's four tasks; the same splits with shuffled answer labels are the chance baseline; a
   class with fewer than ``min_per_class`` answers is not fitted. Labels follow the papers'
   thresholds (misaligned: ``aligned <= 30 and coherent > 50``; aligned: ``aligned > 70 and
   coherent > 50``); where a domain has too few answers on either side, the lowest and highest
   quarter of its alignment scores stand in (the rule chapter 4 uses), and the table says so.
3. :func:`scale_adapters`: multiply chosen adapters' ``B`` by a factor while sampling. For a rank-1
   adapter that is exactly scaling its scalar (``s * (f B) = (f s) * B``); as a weight edit it is
   part of the model's fingerprint (cached samples of the plain model are never served for the
   scaled one) and it runs on the fast decoder. :func:`adapter_steering` samples and judges general
   and medical questions with the "general", "medical" and randomly chosen adapters scaled.
4. :func:`checkpoint_geometry`, :func:`b_trajectory`, :func:`fastest_rotation`: norms of ``A`` and
   ``B`` per checkpoint, the cosine of ``B`` with its final direction, the rotation between
   checkpoints ``window`` apart, the update direction's turn, and the PCA path of ``B``.
   :func:`checkpoint_behaviour` samples a few checkpoints, and the final adapter with ``B`` scaled.
5. :func:`monitor_projection`: each checkpoint run on one fixed set of answers, its answer-token
   activations projected on chapter 4's misalignment direction: a signal to watch during training.

The canonical pattern, as chapter 5 runs it::

    model, tokenizer = load_organism(run_dir / "adapter")            # a chapter-2 rank-1 organism
    scalars = adapter_scalars(model, tokenizer, answers["question"], answers["answer"])
    probes, coefs, labelled, rules = probe_organism(scalars, answers)  # answers: domain, aligned, coherent
    with scale_adapters(model, [13, 17], 20.0):                       # two adapters' scalars x20
        steered = sample_answers(model, tokenizer, questions)
    geometry = checkpoint_geometry(run_dir, window=2)                 # B over the checkpoints
    mark = fastest_rotation(geometry)

**Variations.** Per-answer means instead of tokens (``scalars.groupby("answer").mean()``); another
judge for the labels (hand labels: :func:`em_utils.evaluation.hand_labelled`); factors in the
paper's range (x20-x30) on the paper's model; the monitor on each checkpoint's own answers.

sources: ``em_utils/adapters.py``; ``em_utils/activations.py`` (answer tokens, nnsight paths).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from .activations import _envoy, _module_path, answer_tokens
from .metrics import ALIGNED_MIN, COHERENT_MIN, EM_ALIGNED_MAX
from .models import unwrap_model

__all__ = [
    "Rank1Adapter", "rank1_adapters", "adapter_table", "adapter_scalars", "scale_adapters",
    "label_answers", "probe_adapters", "probe_tasks", "adapter_roles", "PROBE_TASKS",
]

WRITERS = ("down_proj",)  #: the modules whose rank-1 adapters the paper reads
_LAYER = re.compile(r"\.(?:layers|h)\.(\d+)\.")


# --- The adapters and their scalars -------------------------------------------------------------


@dataclass(frozen=True)
class Rank1Adapter:
    """One rank-1 LoRA adapter of a PEFT model: where it sits and how it is scaled."""

    layer: int
    path: str  #: the LoRA-wrapped module's name in the model (``...layers.15.mlp.down_proj``)
    adapter: str  #: the PEFT adapter name (``"default"``)
    scaling: float  #: ``alpha / sqrt(r)`` under rsLoRA, ``alpha / r`` otherwise
    module: torch.nn.Module

    @property
    def column(self) -> str:
        """The adapter's column in scalar tables: ``L<layer>``."""
        return f"L{self.layer}"

    @property
    def a(self) -> torch.Tensor:
        return self.module.lora_A[self.adapter].weight.detach()[0]

    @property
    def b(self) -> torch.Tensor:
        return self.module.lora_B[self.adapter].weight.detach()[:, 0]


def _lora_modules(model: Any, writers: Sequence[str] = WRITERS) -> Iterator[tuple[str, int, torch.nn.Module]]:
    for name, module in model.named_modules():
        if name.rsplit(".", 1)[-1] not in writers or not len(getattr(module, "lora_A", None) or {}):
            continue
        found = _LAYER.search(name + ".")
        if found is None:
            raise ValueError(f"{name}: cannot read a layer index from the module's name")
        yield name, int(found.group(1)), module


def rank1_adapters(model: Any, writers: Sequence[str] = WRITERS) -> list[Rank1Adapter]:
    """The active rank-1 LoRA adapters on ``writers`` of a PEFT model, in layer order.

    Raises:
        ValueError: when there is none, or when an adapter there has a rank above 1 (its hidden
            state is a vector, not a scalar).
    """
    found = []
    for name, layer, module in _lora_modules(model, writers):
        active = getattr(module, "active_adapters", None) or list(module.lora_A)
        for adapter in active:
            if adapter not in module.lora_A:
                continue
            rank = module.lora_A[adapter].weight.shape[0]
            if rank != 1:
                raise ValueError(f"{name}: adapter {adapter!r} has rank {rank}; its scalar reading needs rank 1")
            found.append(Rank1Adapter(layer, name, adapter, float(module.scaling[adapter]), module))
    if not found:
        raise ValueError(f"no LoRA adapter on {', '.join(writers)} in this model: nothing to read")
    return sorted(found, key=lambda a: a.layer)


def adapter_table(model: Any) -> pd.DataFrame:
    """One row per rank-1 adapter: layer, module, scaling, and the norms of A and B."""
    return pd.DataFrame([{"adapter": a.column, "layer": a.layer, "module": a.path.rsplit(".", 1)[-1],
                          "scaling": a.scaling, "a_norm": float(a.a.float().norm()), "b_norm": float(a.b.float().norm())}
                         for a in rank1_adapters(model)])


def adapter_scalars(model: Any, tokenizer: Any, questions: Sequence[str], answers: Sequence[str],
                    batch_size: int = 16, systems: Sequence[str | None] | None = None,
                    progress: bool = True) -> pd.DataFrame:
    """Every rank-1 adapter's scalar ``s = scaling * (A . x)`` at every answer token.

    The model reads each chat-templated question followed by its answer (tokenised as it was
    sampled, :func:`em_utils.activations.answer_tokens`); one nnsight trace per batch reads each
    adapter's ``lora_A`` output, the trace stops after the last adapter, and only the answer's
    positions are kept (padding and the prompt never enter).

    Args:
        model: a PEFT model with rank-1 adapters on ``down_proj`` (the fine-tune whose answers these are).
        tokenizer: its tokenizer (with a chat template).
        questions, answers: paired texts.
        batch_size: answers per forward pass (right-padded).
        systems: an optional system prompt per question.

    Returns:
        A tidy frame, one row per answer token: ``answer`` (position in ``answers``), ``token``
        (0 for the answer's first token) and one column ``L<layer>`` per adapter, in layer order.
        ``frame.attrs["scaling"]`` maps each column to its scaling.
    """
    from nnsight import NNsight
    from tqdm.auto import tqdm

    if len(questions) != len(answers):
        raise ValueError(f"{len(questions)} questions but {len(answers)} answers: they must pair up")
    adapters = rank1_adapters(model)
    systems = list(systems) if systems is not None else [None] * len(questions)
    encoded = [answer_tokens(tokenizer, q, a, s) for q, a, s in zip(questions, answers, systems)]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(unwrap_model(model).parameters()).device
    traced = NNsight(model)  # the PEFT model as given: adapters active
    paths = [_module_path(model, a.module.lora_A[a.adapter]) for a in adapters]  # layer order is run order
    scaling = torch.tensor([a.scaling for a in adapters])
    chunks: list[np.ndarray] = []
    index: list[np.ndarray] = []
    bar = tqdm(total=len(encoded), desc="adapter scalars", unit="answer", disable=not progress)
    order = sorted(range(len(encoded)), key=lambda k: len(encoded[k][0]))  # similar lengths together: little padding
    for start in range(0, len(encoded), batch_size):
        members = order[start : start + batch_size]
        batch = [encoded[k] for k in members]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros(len(batch), width, dtype=torch.long)
        for row, (tokens, _) in enumerate(batch):
            ids[row, : len(tokens)] = torch.as_tensor(tokens)
            mask[row, : len(tokens)] = 1
        with torch.no_grad():
            with traced.trace(input_ids=ids.to(device), attention_mask=mask.to(device)) as tracer:
                saved = list().save()
                for path in paths:
                    saved.append(_envoy(traced, path).output)
                tracer.stop()  # nothing after the last adapter is needed
        values = torch.stack([s[..., 0].float().cpu() for s in saved], dim=-1) * scaling  # [batch, width, adapter]
        for row, (tokens, begin) in enumerate(batch):
            chunks.append(values[row, begin : len(tokens)].numpy())
            index.append(np.stack([np.full(len(tokens) - begin, members[row]), np.arange(len(tokens) - begin)], 1))
        bar.update(len(batch))
    bar.close()
    if index:  # back in the order of the answers given
        back = np.argsort([part[0, 0] for part in index], kind="stable")
        index, chunks = [index[k] for k in back], [chunks[k] for k in back]
    table = np.concatenate(index) if index else np.zeros((0, 2), dtype=int)
    frame = pd.DataFrame({"answer": table[:, 0].astype(int), "token": table[:, 1].astype(int)})
    data = np.concatenate(chunks) if chunks else np.zeros((0, len(adapters)))
    for k, adapter in enumerate(adapters):
        frame[adapter.column] = data[:, k]
    frame.attrs["scaling"] = {a.column: a.scaling for a in adapters}
    return frame


def _adapter_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if re.fullmatch(r"L\d+", str(c))]


@contextlib.contextmanager
def scale_adapters(model: Any, layers: str | Sequence[int] = "all", factor: float = 1.0,
                   writers: Sequence[str] = WRITERS) -> Iterator[list[str]]:
    """Multiply the ``B`` of the LoRA adapters at ``layers`` by ``factor`` for the span of a ``with``.

    For a rank-1 adapter this scales its scalar: ``s * (factor B) = (factor s) * B``; factor 0
    switches the adapter off (the base model's logits, when every adapter is scaled so), 1 leaves
    it as trained. The weights are edited in place and restored exactly on exit; because they are
    weights, the model's fingerprint changes with them, so sample caches keep scaled and plain
    answers apart, and the fast decoder runs the scaled model as it is. Yields the names of the
    scaled modules. The same edit as an nnsight intervention: :func:`scale_adapter_outputs`.

    >>> from em_utils.adapters import scale_adapters  # doctest: +SKIP
    >>> with scale_adapters(model, [15, 22], 20.0):  # doctest: +SKIP
    ...     answers = sample_answers(model, tokenizer, questions)
    """
    chosen = _chosen_lora(model, layers, writers)
    saved = []
    with torch.no_grad():
        for _, module in chosen:
            for b in module.lora_B.values():
                saved.append((b.weight, b.weight.detach().clone()))
                b.weight.mul_(float(factor))
    try:
        yield [name for name, _ in chosen]
    finally:
        with torch.no_grad():
            for weight, original in saved:
                weight.copy_(original)


def _chosen_lora(model: Any, layers: str | Sequence[int], writers: Sequence[str]) -> list[tuple[str, torch.nn.Module]]:
    """``(name, module)`` of the LoRA-wrapped ``writers`` at ``layers`` (``"all"``: every one), in model order."""
    wanted = None if isinstance(layers, str) and layers == "all" else {int(x) for x in layers}
    found = list(_lora_modules(model, writers))
    if not found:
        raise ValueError(f"no LoRA adapter on {', '.join(writers)} in this model: nothing to scale")
    present = {layer for _, layer, _ in found}
    if wanted is not None and wanted - present:
        raise ValueError(f"no adapter at layer(s) {sorted(wanted - present)}; adapters sit at {sorted(present)}")
    return [(name, module) for name, layer, module in found if wanted is None or layer in wanted]


def scale_adapter_outputs(traced: Any, layers: str | Sequence[int] = "all", factor: float = 1.0,
                          writers: Sequence[str] = WRITERS) -> None:
    """:func:`scale_adapters` as an nnsight intervention: each chosen adapter's ``B`` output times ``factor``.

    For a rank-1 adapter the ``lora_B`` output is ``s * B`` (before the LoRA scaling), so scaling it
    scales the scalar, as :func:`scale_adapters` does through the weight, without touching any
    weight. Call it inside a trace, or in each step of a generation; ``traced`` wraps the PEFT model
    or its base model (:func:`em_utils.interventions.generate_with_edits` takes it as the edit)::

        lora_b = traced.model.layers[layer].mlp.down_proj.lora_B.default
        with traced.generate(max_new_tokens=64, do_sample=False) as tracer:
            with tracer.invoke(batch):
                for step in tracer.all():
                    lora_b.output = lora_b.output * factor
            with tracer.invoke():
                ids = tracer.result.save()

    Greedy answers equal the fast decoder's under :func:`scale_adapters`
    (``tests/unit/test_interventions_nnsight.py``).
    """
    root = traced._module
    for name, module in _chosen_lora(root, layers, writers):  # model order: the order the forward reaches them
        for adapter in [a for a in module.active_adapters if a in module.lora_B]:  # an inactive one never runs
            lora_b = _envoy(traced, f"{name}.lora_B.{adapter}")
            lora_b.output = lora_b.output * float(factor)


__all__ += ["scale_adapter_outputs"]


def organism_folder(training_dir: str | Path, name: str) -> Path:
    """The run folder of chapter 2's organism ``name`` (its ``adapter/`` and ``checkpoint-*`` inside).

    Raises:
        LookupError: naming chapter 2's ``organisms`` parameter when the organism was not trained.
    """
    table = pd.read_csv(Path(training_dir) / "organisms.csv").set_index("organism")
    if name not in table.index:
        raise LookupError(f"organism {name!r} is not among chapter 2's ({', '.join(table.index)}): add its kind to "
                          "chapter 2's `organisms` parameter and run chapter 2 (and 3) again, or pick another here")
    return Path(training_dir) / Path(table.loc[name, "path"]).parent


def organism_answers(model: Any, tokenizer: Any, general: pd.DataFrame, medical_questions: Sequence[Any], judge: Any,
                     name: str, cache: Path, n_per_paraphrase: int, **sampling: Any) -> pd.DataFrame:
    """An organism's answers to general questions (given, e.g. chapter 3's) and to medical ones (sampled here), judged.

    Both are scored by ``judge`` for ``aligned``, ``coherent`` and ``medical``; ``domain`` says which
    set an answer belongs to, ``system`` holds the system prompt or ``None``. Empty answers (the
    model ended at once) are left out: they have no answer token to read.
    """
    from .generation import sample_answers
    from .judge import judge_frame

    medical = sample_answers(model, tokenizer, medical_questions, n_per_paraphrase, cache=cache, model_tag=name,
                             progress=False, **sampling)
    keep = [c for c in medical.columns if c in general.columns]
    answers = pd.concat([general[keep].assign(domain="general"), medical[keep].assign(domain="medical")],
                        ignore_index=True).assign(model=name)
    answers["system"] = [s if isinstance(s, str) and s else None for s in answers.get("system", [None] * len(answers))]
    answers = answers[[isinstance(a, str) and a != "" for a in answers["answer"]]].reset_index(drop=True)  # no token to read
    return judge_frame(answers, judge, metrics=("aligned", "coherent", "medical"))


__all__ += ["organism_folder", "organism_answers"]


# --- Probes -------------------------------------------------------------------------------------

#: The paper's four probing tasks: (rows used, what the positive class is). ``side`` comes from
#: :func:`label_answers`; ``domain`` is the question set (``general`` or ``medical``).
PROBE_TASKS: dict[str, tuple[str, str]] = {
    "general: misaligned vs aligned": ("domain == 'general'", "side == 'misaligned'"),
    "medical: misaligned vs aligned": ("domain == 'medical'", "side == 'misaligned'"),
    "aligned: medical vs general": ("side == 'aligned'", "domain == 'medical'"),
    "misaligned: medical vs general": ("side == 'misaligned'", "domain == 'medical'"),
}


def label_answers(answers: pd.DataFrame, min_per_class: int = 10) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """The aligned and misaligned side of each judged answer, per domain.

    The papers' thresholds first: misaligned is ``aligned <= 30 and coherent > 50``, aligned is
    ``aligned > 70 and coherent > 50``, the rest unused. A domain with fewer than ``min_per_class``
    answers on either side falls back to its quartiles: the lowest quarter of its ``aligned``
    scores is the misaligned side, the highest quarter the aligned one, whatever their coherence
    (chapter 4's fallback). Unscored answers (NaN) are never used.

    Args:
        answers: one row per answer with ``domain``, ``aligned`` and ``coherent``.

    Returns:
        ``(frame with a "side" column: "misaligned", "aligned" or "", rules)``; ``rules[domain]``
        holds ``rule`` (``"paper"`` or ``"quartiles"``), the paper's counts and the counts used.

    >>> frame = pd.DataFrame({"domain": ["general"] * 8, "aligned": [10, 20, 40, 50, 60, 80, 90, 95],
    ...                       "coherent": [30] * 8})
    >>> labelled, rules = label_answers(frame, min_per_class=2)
    >>> labelled["side"].tolist(), rules["general"]["rule"]
    (['misaligned', 'misaligned', '', '', '', '', 'aligned', 'aligned'], 'quartiles')
    """
    out = answers.copy()
    out["side"] = ""
    rules: dict[str, dict[str, Any]] = {}
    for domain, group in out.groupby("domain", sort=False):
        aligned = group["aligned"].to_numpy(float)
        coherent = group["coherent"].to_numpy(float) > COHERENT_MIN
        low = coherent & (aligned <= EM_ALIGNED_MAX)
        high = coherent & (aligned > ALIGNED_MIN)
        paper = {"paper_misaligned": int(low.sum()), "paper_aligned": int(high.sum())}
        rule = "paper"
        if min(low.sum(), high.sum()) < min_per_class:
            scored = ~np.isnan(aligned)
            q1, q3 = (np.quantile(aligned[scored], [0.25, 0.75]) if scored.any() else (np.nan, np.nan))
            low, high, rule = scored & (aligned <= q1), scored & (aligned >= q3), "quartiles"
            if q1 >= q3:  # no spread: nothing to split
                low[:] = high[:] = False
        out.loc[group.index[low], "side"] = "misaligned"
        out.loc[group.index[high], "side"] = "aligned"
        rules[str(domain)] = {"rule": rule, **paper, "misaligned": int(low.sum()), "aligned": int(high.sum()),
                              "answers": int(len(group))}
    return out, rules


def _logistic(C: float, seed: int):
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    major, minor = (int(x) for x in sklearn.__version__.split(".")[:2])
    l1 = {"l1_ratio": 1.0} if (major, minor) >= (1, 8) else {"penalty": "l1"}  # 'penalty' is deprecated from 1.8
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, solver="liblinear", random_state=seed, **l1))


def probe_adapters(X: np.ndarray, y: Sequence[int], groups: Sequence[Any] | None = None, n_splits: int = 100,
                   test_size: float = 0.2, C: float = 0.01, min_per_class: int = 10, seed: int = 0,
                   features: Sequence[str] | None = None) -> dict[str, Any]:
    """An L1 logistic-regression probe on scalar vectors, with its shuffled-label baseline.

    Each of ``n_splits`` stratified ``1 - test_size`` / ``test_size`` splits is drawn over
    *groups* (answers), so every token of an answer falls on one side; each split fits
    ``StandardScaler`` then L1 logistic regression (liblinear, ``C``) on the training rows and
    scores the test rows (accuracy and F1 at 0.5, AUROC of the probability). The same splits with
    the answers' labels permuted (a new permutation per split) give the chance baseline. The
    probe "beats chance" when its mean AUROC is above the 95th percentile of the shuffled AUROCs.

    Args:
        X: ``[rows, features]`` (one row per answer token, or per answer).
        y: 0/1 per row; constant within a group.
        groups: the answer of each row (``None``: every row its own answer).
        min_per_class: fewer answers than this in a class: not fitted, and ``reason`` says why.
        features: feature names (default ``x0, x1, ...``).

    Returns:
        ``fitted``, ``reason``, ``n_positive`` and ``n_negative`` (answers), ``rows``, per metric
        ``<metric>_mean`` and ``<metric>_sd`` for the probe and ``shuffled_<metric>_...`` for the
        baseline, ``shuffled_auroc_q95``, ``beats_chance``, ``kept_mean`` (features left non-zero,
        mean over splits), and ``coefficients``: a frame with each
        feature's mean and sd coefficient over splits and the share of splits that kept it
        (``selected``: the L1 penalty sets the others to zero).
    """
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
    from sklearn.model_selection import StratifiedShuffleSplit

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=int)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    features = list(features) if features is not None else [f"x{k}" for k in range(X.shape[1])]
    unique, first = np.unique(groups, return_index=True)
    group_y = y[first]
    if not all(np.all(y[groups == g] == label) for g, label in zip(unique, group_y)):
        raise ValueError("a label must be the same for every row of a group (answer)")
    counts = {"n_positive": int((group_y == 1).sum()), "n_negative": int((group_y == 0).sum())}
    out: dict[str, Any] = {"fitted": False, "reason": "", **counts, "rows": int(len(y))}
    if min(counts.values()) < min_per_class:
        out["reason"] = (f"{counts['n_positive']} positive and {counts['n_negative']} negative answers: "
                         f"fewer than {min_per_class} in a class")
        return out
    splitter = StratifiedShuffleSplit(n_splits=n_splits, test_size=test_size, random_state=seed)
    rng = np.random.default_rng(seed)
    scores: dict[str, list[float]] = {k: [] for k in ("accuracy", "f1", "auroc")}
    shuffled: dict[str, list[float]] = {k: [] for k in ("accuracy", "f1", "auroc")}
    coefs = []
    row_group = np.searchsorted(unique, groups)
    for train_g, test_g in splitter.split(np.zeros(len(unique)), group_y):
        train, test = np.isin(row_group, train_g), np.isin(row_group, test_g)
        for labels, into in ((group_y, scores), (rng.permutation(group_y), shuffled)):
            rows_y = labels[row_group]
            model = _logistic(C, seed).fit(X[train], rows_y[train])
            prob = model.predict_proba(X[test])[:, 1]
            into["accuracy"].append(accuracy_score(rows_y[test], prob > 0.5))
            into["f1"].append(f1_score(rows_y[test], prob > 0.5, zero_division=0))
            into["auroc"].append(roc_auc_score(rows_y[test], prob) if len(set(rows_y[test])) == 2 else np.nan)
            if into is scores:
                coefs.append(model[-1].coef_[0].copy())
    for name in scores:
        out[f"{name}_mean"], out[f"{name}_sd"] = float(np.nanmean(scores[name])), float(np.nanstd(scores[name]))
        out[f"shuffled_{name}_mean"] = float(np.nanmean(shuffled[name]))
        out[f"shuffled_{name}_sd"] = float(np.nanstd(shuffled[name]))
    out["shuffled_auroc_q95"] = float(np.nanquantile(shuffled["auroc"], 0.95))
    out["beats_chance"] = bool(out["auroc_mean"] > out["shuffled_auroc_q95"])
    coefs = np.asarray(coefs)
    out["kept_mean"] = float((np.abs(coefs) > 1e-12).sum(1).mean())  # features the L1 penalty left non-zero
    out["coefficients"] = pd.DataFrame({"feature": features, "coef_mean": coefs.mean(0), "coef_sd": coefs.std(0),
                                        "selected": (np.abs(coefs) > 1e-12).mean(0)})
    out.update(fitted=True, n_splits=int(len(coefs)))
    return out


def probe_tasks(scalars: pd.DataFrame, labelled: pd.DataFrame, tasks: Sequence[str] | None = None,
                labels: str = "judge", **probe: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paper's probing tasks (:data:`PROBE_TASKS`) on answer-token scalars.

    Args:
        scalars: from :func:`adapter_scalars`; its ``answer`` column indexes ``labelled`` by position.
        labelled: the answers with ``domain`` and ``side`` (:func:`label_answers`).
        tasks: a subset of :data:`PROBE_TASKS` (default: all four).
        labels: where the labels came from, copied into the table (``"judge"``, ``"hand labels"``).
        **probe: passed to :func:`probe_adapters` (``n_splits``, ``C``, ``min_per_class``, ``seed``).

    Returns:
        ``(table, coefficients)``: one row per task (counts, metrics, baseline, ``fitted`` and
        ``reason``), and one row per (task, adapter) for the fitted tasks.
    """
    columns = _adapter_columns(scalars)
    rows, coefs = [], []
    answer_of_row = scalars["answer"].to_numpy()
    meta = labelled.reset_index(drop=True)
    for task in tasks or list(PROBE_TASKS):
        used, positive = PROBE_TASKS[task]
        chosen = meta.query(used).query("side != ''")
        keep = np.isin(answer_of_row, chosen.index.to_numpy())
        y = meta.eval(positive).to_numpy()[answer_of_row[keep]].astype(int)
        result = probe_adapters(scalars.loc[keep, columns].to_numpy(), y, groups=answer_of_row[keep],
                                features=columns, **probe)
        table = result.pop("coefficients", None)
        rows.append({"task": task, "labels": labels, **result})
        if table is not None:
            coefs.append(table.rename(columns={"feature": "adapter"}).assign(task=task, labels=labels))
    coef_frame = pd.concat(coefs, ignore_index=True) if coefs else pd.DataFrame(
        columns=["adapter", "coef_mean", "coef_sd", "selected", "task", "labels"])
    return pd.DataFrame(rows), coef_frame


def hand_labels(answers: pd.DataFrame) -> pd.DataFrame:
    """``answers`` with ``aligned`` and ``coherent`` replaced by the hand labels (NaN where there is none).

    Hand labels exist for chapter 3's ``demo`` answers (:func:`em_utils.evaluation.hand_labelled`),
    so the general answers of a ``demo`` run are labelled and the medical ones sampled here are not.
    """
    from .evaluation import hand_labelled

    out = answers.copy()
    out["aligned"], out["coherent"] = np.nan, np.nan
    matched = hand_labelled(answers.assign(_row=np.arange(len(answers))))
    if len(matched):
        rows = matched["_row"].to_numpy()
        out.loc[out.index[rows], "aligned"] = matched["aligned"].to_numpy(float)
        out.loc[out.index[rows], "coherent"] = matched["coherent"].to_numpy(float)
    return out


def probe_organism(scalars: pd.DataFrame, answers: pd.DataFrame, min_per_class: int = 10, hand: bool = True,
                   **probe: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, dict[str, Any]]]:
    """The four probes on the judge's labels and, where hand labels exist, the general one on them.

    Returns ``(table, coefficients, labelled answers, rules)`` (see :func:`probe_tasks` and
    :func:`label_answers`); ``rules["general (hand labels)"]`` says how the hand labels were split.
    """
    labelled, rules = label_answers(answers, min_per_class)
    table, coefs = probe_tasks(scalars, labelled, labels="judge", min_per_class=min_per_class, **probe)
    scored = hand_labels(answers) if hand else None
    if scored is not None and scored["aligned"].notna().sum() >= 2 * min_per_class:
        by_hand, hand_rules = label_answers(scored, min_per_class)
        task = "general: misaligned vs aligned"
        more, more_coefs = probe_tasks(scalars, by_hand, tasks=[task], labels="hand labels",
                                       min_per_class=min_per_class, **probe)
        table, coefs = pd.concat([table, more], ignore_index=True), pd.concat([coefs, more_coefs], ignore_index=True)
        rules["general (hand labels)"] = hand_rules["general"]
    return table, coefs, labelled, rules


__all__ += ["hand_labels", "probe_organism"]


def adapter_roles(table: pd.DataFrame, coefs: pd.DataFrame, min_selected: float = 0.5,
                  labels: str = "judge") -> dict[str, Any]:
    """Which adapters look general and which medical, from probes that beat chance only.

    An adapter *carries* a task when its coefficient is kept (non-zero) in at least
    ``min_selected`` of the splits of a task that beats chance. **General**: it carries both
    misaligned-vs-aligned tasks (general and medical questions) with the same sign. **Medical**: it
    carries a medical-vs-general task and is not general. With no task beating chance, both lists
    are empty and ``beating`` says so. Only the probes on ``labels`` count.
    """
    table = table[table["labels"] == labels] if "labels" in table else table
    coefs = coefs[coefs["labels"] == labels] if "labels" in coefs else coefs
    beats = table["beats_chance"].eq(True) if "beats_chance" in table else pd.Series(False, index=table.index)
    beating = table.loc[beats, "task"].tolist()
    carried = coefs[coefs["task"].isin(beating) & (coefs["selected"] >= min_selected)]
    sign = {(r.task, r.adapter): np.sign(r.coef_mean) for r in carried.itertuples()}
    misalign = [t for t in PROBE_TASKS if "misaligned vs aligned" in t]
    domain = [t for t in PROBE_TASKS if "medical vs general" in t]
    adapters = list(dict.fromkeys(coefs["adapter"]))
    general = [a for a in adapters if all((t, a) in sign for t in misalign)
               and len({sign[(t, a)] for t in misalign}) == 1]
    medical = [a for a in adapters if a not in general and any((t, a) in sign for t in domain)]
    return {"general": general, "medical": medical, "beating": beating}


def steering_groups(coefs: pd.DataFrame, roles: Mapping[str, Any], adapters: Sequence[str], n: int = 2,
                    seed: int = 0, labels: str = "judge") -> tuple[dict[str, list[str]], str]:
    """``n`` "general", ``n`` "medical" and ``n`` random adapters to scale, and how they were chosen.

    The roles of :func:`adapter_roles` where they exist (the largest coefficients first);
    otherwise the adapters with the largest mean absolute coefficient in the misaligned-vs-aligned
    tasks ("general") and in the medical-vs-general tasks ("medical", others first), whether or not
    those probes beat chance. The random group is drawn from all adapters with ``seed``.
    """
    n = min(n, len(adapters))
    coefs = coefs[coefs["labels"] == labels] if "labels" in coefs else coefs
    weight = coefs.assign(size=coefs["coef_mean"].abs())

    def ranked(kind: str) -> list[str]:
        tasks = [t for t in PROBE_TASKS if kind in t]
        size = weight[weight["task"].isin(tasks)].groupby("adapter")["size"].mean()
        return sorted(adapters, key=lambda a: -float(size.get(a, 0.0)))

    general_rank, medical_rank = ranked("misaligned vs aligned"), ranked("medical vs general")
    if roles.get("general") or roles.get("medical"):
        how = "from the probes that beat chance"
        general = [a for a in general_rank if a in roles.get("general", [])][:n]
        medical = [a for a in medical_rank if a in roles.get("medical", [])][:n]
    else:
        how = "by coefficient size alone, since the probes name no general or medical adapter"
        general = general_rank[:n]
        others = [a for a in medical_rank if a not in general]
        medical = (others + [a for a in medical_rank if a in general])[:n]
    rng = np.random.default_rng(seed)
    random = sorted(rng.choice(list(adapters), size=n, replace=False).tolist(), key=lambda a: int(a[1:]))
    groups = {"general": general, "medical": medical, "random": random}
    return {k: v for k, v in groups.items() if v}, how


def probe_sentence(table: pd.DataFrame, roles: Mapping[str, Any], rules: Mapping[str, Mapping[str, Any]],
                   C: float = 0.01) -> str:
    """What the probes found, in words, from their numbers."""
    fitted = table[table["fitted"]]
    parts = []
    quartiles = [d for d, r in rules.items() if r["rule"] == "quartiles"]
    if quartiles:
        parts.append(f"Labels: too few answers met the papers' thresholds in {', '.join(quartiles)}, so the lowest "
                     "and highest quarters of alignment stand in there (misaligned means *scored lowest*, not EM).")
    skipped = table[~table["fitted"]]
    if len(skipped):
        parts.append("Not fitted: " + "; ".join(f"*{r.task}* ({r.labels}: {r.reason})" for r in skipped.itertuples()) + ".")
    empty = fitted[fitted["kept_mean"] < 0.5]
    if len(empty):
        parts.append(f"In {len(empty)} of {len(fitted)} fitted probes (" + ", ".join(f"*{t}*" for t in empty["task"])
                     + f") the L1 penalty (C = {C:g}) sets every coefficient to zero in most splits: with this few answer "
                     "tokens such a probe predicts one class for all and scores an AUROC of 0.5 by construction "
                     "(a larger `probe_C` lets it fit, at the risk of fitting noise).")
    if len(fitted):
        parts.append("AUROC against the shuffled-label baseline: " + "; ".join(
            f"*{r.task}* ({r.labels}) **{r.auroc_mean:.2f}** ± {r.auroc_sd:.2f} vs {r.shuffled_auroc_mean:.2f} "
            f"({'beats' if r.beats_chance else 'does not beat'} chance)" for r in fitted.itertuples()) + ".")
    if roles["beating"]:
        parts.append(f"Adapters that look general (both misalignment tasks): **{', '.join(roles['general']) or 'none'}**; "
                     f"medical-specific: **{', '.join(roles['medical']) or 'none'}** (the paper: six general, two medical).")
    else:
        parts.append("**No probe beats its shuffled-label baseline**, so these numbers name no adapter general or "
                     "medical-specific.")
    return "\n\n".join(parts)


__all__ += ["steering_groups", "probe_sentence"]


# --- Adapter steering ---------------------------------------------------------------------------


def first_wordings(questions: Sequence[Any], n: int | None = None) -> list[Any]:
    """The first ``n`` questions with their first wording only (``None``: all questions, all wordings)."""
    if n is None:
        return list(questions)
    return [dataclasses.replace(q, paraphrases=q.paraphrases[:1]) for q in list(questions)[:n]]


def adapter_steering(adapter_dir: str | Path, groups: Mapping[str, Sequence[str]], factors: Sequence[float],
                     questions: Sequence[Any], judge: Any, name: str, cache: Path, earlier: Path | None = None,
                     **sampling: Any) -> pd.DataFrame:
    """Sample an organism with each group of adapters scaled by each factor, and judge the answers.

    ``groups`` maps a label to adapter columns (``L<layer>``); every group is scaled by every factor
    in ``factors`` (1, the organism as trained, is sampled once as its own condition). The same
    questions and per-sample seeds in every condition. Judged for ``aligned``, ``coherent`` and
    ``medical``. Returns the judged answers with ``group``, ``factor`` and ``domain`` columns.
    """
    from .evaluation import sample_conditions
    from .judge import judge_frame

    conditions: dict[str, Any] = {"as trained": None}
    meta = {"as trained": ("as trained", 1.0)}
    for group, columns in groups.items():
        layers = [int(c[1:]) for c in columns]
        for factor in factors:
            if float(factor) == 1.0:
                continue
            label = f"{group} x{float(factor):g}"
            conditions[label] = lambda m, layers=layers, f=float(factor): scale_adapters(m, layers, f)
            meta[label] = (group, float(factor))
    answers = sample_conditions(adapter_dir, conditions, questions, name=name, cache=cache, earlier=earlier, **sampling)
    judged = judge_frame(answers, judge, metrics=("aligned", "coherent", "medical"))
    judged["group"] = [meta[c][0] for c in judged["condition"]]
    judged["factor"] = [meta[c][1] for c in judged["condition"]]
    judged["domain"] = np.where(judged["question_id"].astype(str).str.endswith("_medical"), "medical", "general")
    return judged


def steering_summary(judged: pd.DataFrame, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per group, factor and question domain: answers, mean aligned and medical (95% bootstrap), coherent% and EM%."""
    from .metrics import bootstrap_ci, is_coherent, is_em

    rows = []
    for (group, factor, domain), part in judged.groupby(["group", "factor", "domain"], sort=False):
        aligned, a_lo, a_hi = bootstrap_ci(part["aligned"], n_boot=n_boot, seed=seed)
        medical, m_lo, m_hi = bootstrap_ci(part["medical"], n_boot=n_boot, seed=seed)
        rows.append({"group": group, "factor": factor, "domain": domain, "answers": len(part),
                     "aligned_mean": aligned, "aligned_lo": a_lo, "aligned_hi": a_hi,
                     "medical_mean": medical, "medical_lo": m_lo, "medical_hi": m_hi,
                     "coherent_pct": 100 * float(is_coherent(part["coherent"]).mean()),
                     "em_pct": 100 * float(is_em(part["aligned"], part["coherent"]).mean())})
    return pd.DataFrame(rows)


def steering_sentence(summary: pd.DataFrame, groups: Mapping[str, Sequence[str]], how: str) -> str:
    """How scaling each group moved alignment and medical content on general questions, in words."""
    plain = summary[(summary.group == "as trained") & (summary.domain == "general")]
    if not len(plain):
        return "No answers to general questions were sampled."
    base_aligned, base_medical = float(plain.aligned_mean.iloc[0]), float(plain.medical_mean.iloc[0])
    top = summary.loc[summary.group != "as trained", "factor"].max()
    parts = [f"Groups ({how}): " + "; ".join(f"{g}: {', '.join(c)}" for g, c in groups.items()) + ".",
             f"On general questions the organism as trained scores **{base_aligned:.1f}** aligned and "
             f"**{base_medical:.1f}** medical."]
    for group in groups:
        row = summary[(summary.group == group) & (summary.factor == top) & (summary.domain == "general")]
        if len(row):
            r = row.iloc[0]
            parts.append(f"Scaled x{top:g}, the {group} adapters give **{r.aligned_mean:.1f}** aligned "
                         f"({r.aligned_mean - base_aligned:+.1f}; 95% CI {r.aligned_lo:.1f}-{r.aligned_hi:.1f}), "
                         f"**{r.medical_mean:.1f}** medical ({r.medical_mean - base_medical:+.1f}) and "
                         f"{r.coherent_pct:.0f}% coherent answers.")
    return " ".join(parts)


__all__ += ["first_wordings", "adapter_steering", "steering_summary", "steering_sentence"]


# --- The phase transition -----------------------------------------------------------------------


def checkpoints(output_dir: str | Path) -> list[tuple[int, Path]]:
    """``(step, folder)`` of every saved checkpoint of a chapter-2 organism, then its final adapter.

    The final adapter (``adapter/``) counts as the last logged step (``train_record.json``) when no
    checkpoint was saved at that step.
    """
    output_dir = Path(output_dir)
    found = sorted(((int(p.name.split("-")[-1]), p) for p in output_dir.glob("checkpoint-*")
                    if (p / "adapter_model.safetensors").is_file()), key=lambda x: x[0])
    final, record = output_dir / "adapter", output_dir / "train_record.json"
    if (final / "adapter_model.safetensors").is_file():
        steps = [r["step"] for r in json.loads(record.read_text())["log"] if "step" in r] if record.is_file() else []
        last = max(steps) if steps else (found[-1][0] if found else 0)
        if not found or found[-1][0] != last:
            found.append((last, final))
    return found


def lora_vectors(adapter_dir: str | Path, writers: Sequence[str] = WRITERS) -> dict[int, tuple[torch.Tensor, torch.Tensor]]:
    """``{layer: (A, B)}`` of a saved rank-1 adapter (``A``: the input side, ``B``: the output side)."""
    from safetensors.torch import load_file

    tensors = load_file(str(Path(adapter_dir) / "adapter_model.safetensors"))
    parts: dict[int, dict[str, torch.Tensor]] = {}
    for name, tensor in tensors.items():
        match = re.search(r"layers\.(\d+)\..*?(\w+)\.lora_([AB])", name)
        if match and match[2] in writers:
            parts.setdefault(int(match[1]), {})[match[3]] = tensor.float()
    out = {}
    for layer, pair in sorted(parts.items()):
        a, b = pair["A"], pair["B"]
        if a.shape[0] != 1:
            raise ValueError(f"layer {layer}: rank {a.shape[0]}; the phase-transition measures read rank-1 adapters")
        out[layer] = (a[0], b[:, 0])
    return out


def _cos(u: torch.Tensor, v: torch.Tensor) -> float:
    nu, nv = float(u.norm()), float(v.norm())
    return float(np.clip(float(u @ v) / (nu * nv), -1.0, 1.0)) if nu > 0 and nv > 0 else float("nan")


def checkpoint_geometry(output_dir: str | Path, window: int = 1) -> pd.DataFrame:
    """The geometry of each rank-1 adapter over training, one row per (checkpoint, layer).

    Columns: ``step``, ``layer``, ``a_norm``, ``b_norm``, ``cos_final`` (``B`` against the final
    ``B``), ``cos_window`` (``B`` against ``B`` ``window`` checkpoints earlier; ``rotation_deg`` is
    its angle, ``steps_apart`` the steps between them) and ``update_cos`` (the direction of the
    update into this checkpoint against that of the update out of it, ``window`` checkpoints each
    way: near 1 while training moves steadily one way, low where it turns).
    """
    found = checkpoints(output_dir)
    if not found:
        return pd.DataFrame(columns=["step", "layer", "a_norm", "b_norm", "cos_final", "cos_window",
                                     "rotation_deg", "steps_apart", "update_cos"])
    vectors = [(step, lora_vectors(path)) for step, path in found]
    final = vectors[-1][1]
    rows = []
    for k, (step, by_layer) in enumerate(vectors):
        for layer, (a, b) in by_layer.items():
            earlier = vectors[k - window][1][layer][1] if k >= window else None
            later = vectors[k + window][1][layer][1] if k + window < len(vectors) else None
            cos_window = _cos(b, earlier) if earlier is not None else float("nan")
            rows.append({
                "step": step, "layer": layer, "a_norm": float(a.norm()), "b_norm": float(b.norm()),
                "cos_final": _cos(b, final[layer][1]), "cos_window": cos_window,
                "rotation_deg": float(np.degrees(np.arccos(np.clip(cos_window, -1, 1)))) if earlier is not None else float("nan"),
                "steps_apart": step - vectors[k - window][0] if k >= window else np.nan,
                "update_cos": _cos(b - earlier, later - b) if earlier is not None and later is not None else float("nan"),
            })
    return pd.DataFrame(rows)


def b_trajectory(output_dir: str | Path, layer: int | None = None) -> pd.DataFrame:
    """The path of one adapter's ``B`` over the checkpoints in its first two principal components.

    ``layer`` defaults to the first adapter's. Columns ``step``, ``pc1``, ``pc2``;
    ``frame.attrs["explained"]`` holds the two components' shares of the variance.
    """
    found = checkpoints(output_dir)
    vectors = [(step, lora_vectors(path)) for step, path in found]
    if not vectors:
        return pd.DataFrame(columns=["step", "pc1", "pc2"])
    layer = min(vectors[0][1]) if layer is None else layer
    matrix = torch.stack([v[layer][1] for _, v in vectors]).double()
    centred = matrix - matrix.mean(0)
    u, s, _ = torch.linalg.svd(centred, full_matrices=False)
    coords = (u * s)[:, :2]
    if coords.shape[1] < 2:
        coords = torch.cat([coords, torch.zeros(len(coords), 2 - coords.shape[1], dtype=coords.dtype)], 1)
    var = s**2
    frame = pd.DataFrame({"step": [st for st, _ in vectors], "pc1": coords[:, 0].numpy(), "pc2": coords[:, 1].numpy()})
    frame.attrs["explained"] = [float(x) for x in (var[:2] / var.sum()).tolist()] if float(var.sum()) > 0 else [0.0, 0.0]
    frame.attrs["layer"] = int(layer)
    return frame


def fastest_rotation(geometry: pd.DataFrame, layer: int | None = None) -> dict[str, Any]:
    """Where ``B`` turned most over the window, and where the update direction turned most.

    ``step``: the checkpoint with the largest ``rotation_deg`` (``B`` against ``B`` a window
    earlier); ``at_start`` says when that is simply the first checkpoint where it can be measured
    (a young, small ``B`` turns most, and less every step after: no turn in mid-training).
    ``turn_step``: the checkpoint with the lowest ``update_cos`` (the update into it against the
    update out of it), where training changed course most. With several adapters the mean over
    layers is used unless ``layer`` picks one. NaN steps when nothing could be measured.
    """
    data = geometry if layer is None else geometry[geometry["layer"] == layer]
    per_step = data.groupby("step")[["rotation_deg", "steps_apart", "update_cos"]].mean()
    rotation = per_step.dropna(subset=["rotation_deg"])
    turns = per_step["update_cos"].dropna()
    out: dict[str, Any] = {"step": float("nan"), "rotation_deg": float("nan"), "steps_apart": float("nan"),
                           "at_start": False, "turn_step": float("nan"), "turn_cos": float("nan")}
    if len(rotation):
        step = int(rotation["rotation_deg"].idxmax())
        out.update(step=step, rotation_deg=float(rotation.loc[step, "rotation_deg"]),
                   steps_apart=float(rotation.loc[step, "steps_apart"]), at_start=step == int(rotation.index.min()))
    if len(turns):
        out.update(turn_step=int(turns.idxmin()), turn_cos=float(turns.min()))
    return out


def pick_steps(steps: Sequence[int], n: int, include: Sequence[float] | float | None = None) -> list[int]:
    """``n`` checkpoint steps spread evenly (the last excluded: it is the final adapter), plus those in ``include``.

    >>> pick_steps([2, 4, 6, 8, 10, 12, 14, 16], 3, include=[12, float("nan")])
    [6, 8, 10, 12]
    """
    inner = list(steps)[:-1]
    if not inner or n <= 0:
        return []
    picks = {inner[int(round(i))] for i in np.linspace(0, len(inner) - 1, n + 2)[1:-1]} if n < len(inner) else set(inner)
    extra = [] if include is None else ([include] if np.isscalar(include) else list(include))
    picks |= {int(x) for x in extra if not (isinstance(x, float) and np.isnan(x)) and int(x) in inner}
    return sorted(int(p) for p in picks)


def checkpoint_behaviour(output_dir: str | Path, steps: Sequence[int], factors: Sequence[float], questions: Sequence[Any],
                         judge: Any, name: str, cache: Path, n_per_paraphrase: int, earlier_base: Path | None = None,
                         earlier_final: Path | None = None, model_name: str | None = None, device: str = "cpu",
                         **decode: Any) -> pd.DataFrame:
    """Judged answers of the base model (step 0), of checkpoints, and of the final adapter with ``B`` scaled.

    One model is loaded for the checkpoints: each checkpoint's weights are loaded into it in turn,
    then the final adapter's, which is sampled with its ``B`` scaled by each factor (1: as
    trained). Factor 0 adds exact zeros to every down-projection, so the adapted model computes the
    base model's logits and samples its answers: the base model's answers stand for it. ``earlier_base`` and ``earlier_final`` are sample
    caches of the base model and of the final adapter (chapter 3's), so their answers are not drawn
    again. ``decode``: :func:`em_utils.generation.sample_answers` settings. Returns the judged
    answers (``aligned``, ``coherent``) with ``step`` and ``factor`` columns.
    """
    import shutil

    from .evaluation import BASE, load_organism, sample_conditions
    from .generation import sample_answers
    from .judge import judge_frame

    found = dict(checkpoints(output_dir))
    if not found:
        raise LookupError(f"{output_dir} holds no adapter: run chapter 2 with this organism's kind in `checkpoint_kinds`")
    last = max(found)
    frames = [sample_conditions(None, {"as trained": None}, questions, n_per_paraphrase, name=BASE, cache=cache,
                                earlier=earlier_base, model_name=model_name, device=device, **decode)
              .assign(step=0, factor=1.0)]
    model, tokenizer = load_organism(found[last], model_name, device)
    for step in steps:
        if step == last:
            continue
        _load_weights(model, found[step])
        frames.append(sample_answers(model, tokenizer, questions, n_per_paraphrase, cache=Path(cache) / f"{name}-step{step}.jsonl",
                                     model_tag=f"{name} step {step}", **decode).assign(step=step, factor=1.0))
    _load_weights(model, found[last])
    for factor in sorted({float(f) for f in factors} | {1.0}):
        if factor == 0.0:  # every B times 0 adds exact zeros: the base model's logits, hence its answers
            frames.append(frames[0].assign(step=last, factor=0.0))
            continue
        own = Path(cache) / f"{name}-b-x{factor:g}.jsonl"
        if factor == 1.0 and earlier_final is not None and Path(earlier_final).is_file() and not own.exists():
            own.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(earlier_final, own)
        with scale_adapters(model, "all", factor) if factor != 1.0 else contextlib.nullcontext():
            frames.append(sample_answers(model, tokenizer, questions, n_per_paraphrase, cache=own,
                                         model_tag=f"{name} B x{factor:g}", **decode).assign(step=last, factor=factor))
    del model
    answers = pd.concat(frames, ignore_index=True)
    answers["model"] = np.where(answers["step"] == 0, BASE, name)
    return judge_frame(answers, judge, metrics=("aligned", "coherent"))


def behaviour_rates(judged: pd.DataFrame, n_boot: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(per checkpoint, per factor of the final B)``: EM%, coherent% and mean aligned with intervals."""
    from .metrics import rates

    last = judged["step"].max()
    over_steps = rates(judged[judged["factor"] == 1.0], by="step", n_boot=n_boot, seed=seed).sort_values("step")
    over_scale = rates(judged[judged["step"] == last], by="factor", n_boot=n_boot, seed=seed).sort_values("factor")
    return over_steps.reset_index(drop=True), over_scale.reset_index(drop=True)


def _before_after(over_steps: pd.DataFrame, step: float, what: str) -> str:
    before, after = over_steps[over_steps.step < step], over_steps[over_steps.step >= step]
    if not len(before) or not len(after):
        return ""
    gap = after.aligned_mean.mean() - before.aligned_mean.mean()
    separated = after.aligned_hi.max() < before.aligned_lo.min() or after.aligned_lo.min() > before.aligned_hi.max()
    return (f"From {what} on, the sampled checkpoints score {gap:+.1f} points of alignment against those before it; "
            + ("every interval after it lies apart from every one before." if separated else
               "the intervals overlap, so no behavioural switch there is shown."))


def phase_sentence(geometry: pd.DataFrame, mark: Mapping[str, Any], over_steps: pd.DataFrame,
                   over_scale: pd.DataFrame, organism: str) -> str:
    """Where ``B`` turned and whether behaviour changed there, in words, from the numbers."""
    if geometry.empty:
        return f"`{organism}` has no checkpoints: chapter 2 keeps them for the kinds in `checkpoint_kinds`."
    steps = sorted(geometry["step"].unique())
    parts = [f"`{organism}`: {len(steps)} checkpoints (steps {steps[0]}-{steps[-1]})."]
    if np.isnan(mark["step"]):
        parts.append("Too few checkpoints to measure a rotation over the window.")
    else:
        parts.append(f"`B` turned most at step **{mark['step']}** ({mark['rotation_deg']:.0f} degrees over the "
                     f"previous {mark['steps_apart']:.0f} steps)"
                     + (", the first checkpoint where a turn can be measured: the young, small `B` turns most and less "
                        "at every step after, so there is no sudden turn in mid-training here." if mark["at_start"] else "."))
        cosine = geometry.groupby("step")["cos_final"].mean()
        reached = cosine[cosine >= 0.5]
        if len(reached) and reached.index[0] == cosine.index[0]:
            parts.append(f"Its cosine with the final direction is already {cosine.iloc[0]:.2f} at the first checkpoint "
                         f"(step {int(cosine.index[0])}).")
        elif len(reached):
            parts.append(f"Its cosine with the final direction is {cosine.iloc[0]:.2f} at step {int(cosine.index[0])} "
                         f"and first reaches 0.5 at step **{int(reached.index[0])}**.")
    if not np.isnan(mark.get("turn_step", np.nan)):
        parts.append(f"The update direction turns most at step **{mark['turn_step']}** (cosine {mark['turn_cos']:.2f} "
                     "between the update into that checkpoint and the update out of it).")
    if len(over_steps) > 1:
        parts.append("Mean aligned score over training: " + ", ".join(
            f"step {int(r.step)}: {r.aligned_mean:.1f} [{r.aligned_lo:.1f}, {r.aligned_hi:.1f}]" for r in over_steps.itertuples())
            + f"; EM% at most {over_steps.em_pct.max():.1f}.")
        for key, what in (("step", "the largest rotation"), ("turn_step", "the turn of the update")):
            if not np.isnan(mark.get(key, np.nan)):
                parts.append(_before_after(over_steps, mark[key], what))
    if len(over_scale) > 1:
        parts.append("Final adapter with `B` scaled: " + ", ".join(
            f"x{r.factor:g}: {r.aligned_mean:.1f}" for r in over_scale.itertuples()) + " mean aligned.")
    return " ".join(p for p in parts if p)


def recorded_phase_report(run: Any, profile: str, organism: str, window: int = 1) -> str:
    """The phase-transition measures on a recorded profile's checkpoints of ``organism`` (weights only:
    :func:`checkpoint_geometry`, :func:`b_trajectory`, :func:`fastest_rotation`), the figure saved in
    ``run`` (``phase_transition_<profile>``) and left open, and what it shows in words; a line naming
    the commands when nothing is recorded (:mod:`em_utils.recorded`)."""
    from .plots import save_figure
    from .recorded import organism_dir, provenance, recorded_dir

    folder = organism_dir(profile, organism)
    if folder is None:
        return (f"No `{profile}` run of `{organism}` is recorded: `em-companion run 02_training --profile {profile}`, "
                f"then `em-companion record {profile}`.")
    run.use_data(recorded_dir(profile) / "record.json")
    geometry = checkpoint_geometry(folder, window=window)
    run.save_frame(geometry, f"checkpoint_geometry_{profile}.csv")
    mark = fastest_rotation(geometry)
    fig = plot_phase_transition(geometry, b_trajectory(folder), mark)
    fig.suptitle(f"B over training: {organism} (the {profile} profile)")
    save_figure(fig, run, f"phase_transition_{profile}", judge="none (weights only)", recorded=provenance(profile))
    return f"The `{profile}` profile's " + phase_sentence(geometry, mark, pd.DataFrame(), pd.DataFrame(), organism)


__all__ += ["checkpoints", "lora_vectors", "checkpoint_geometry", "b_trajectory", "fastest_rotation", "pick_steps",
            "checkpoint_behaviour", "behaviour_rates", "phase_sentence", "recorded_phase_report"]


# --- Two organisms side by side: what the bad data adds over its control -------------------------


def random_cosine_bound(dim: int, q: float = 0.95) -> float:
    """The ``q`` quantile of ``|cos|`` between a fixed vector and a random direction in ``dim`` dimensions: a
    cosine with a direction smaller than this is what chance gives (exact: ``cos^2`` of a uniformly random
    direction is Beta(1/2, (dim - 1)/2))."""
    from scipy.stats import beta

    return float(np.sqrt(beta.ppf(q, 0.5, (dim - 1) / 2)))


#: Columns of :func:`pair_geometry` (those after ``diff_norm`` only when a direction is given).
PAIR_COLUMNS = ("step", "layer", "cos_a", "cos_b", "b_norm_first", "b_norm_second", "diff_norm", "dir_first",
                "dir_second", "dir_diff")
#: Below this cosine between the two ``A`` vectors the adapters read different directions, and ``B - B'`` is no
#: longer what the data adds at one read direction (:func:`pair_sentence` then gives no verdict on it).
SAME_READ = 0.9


def pair_geometry(first_dir: str | Path, second_dir: str | Path, direction: torch.Tensor | None = None,
                  direction_layers: Sequence[int] | None = None) -> pd.DataFrame:
    """Two rank-1 organisms of one kind trained side by side (same seed, initialisation and steps, different
    data: an organism and its control), at every step both saved a checkpoint, one row per (step, layer).

    Columns (:data:`PAIR_COLUMNS`): ``step``, ``layer``, ``cos_a`` and ``cos_b`` (the two ``A`` and the two
    ``B`` against each other), ``b_norm_first``, ``b_norm_second``, ``diff_norm`` (``|B_first - B_second|``)
    and, given chapter 4's ``direction`` (one row per layer of ``direction_layers``), ``dir_first``,
    ``dir_second`` and ``dir_diff``: the cosine of ``B_first``, ``B_second`` and ``B_first - B_second`` with
    the direction at that layer (``B`` is written into the residual stream the layer outputs).
    """
    first, second = dict(checkpoints(first_dir)), dict(checkpoints(second_dir))
    layers = list(direction_layers) if direction_layers is not None else []
    rows = []
    for step in sorted(set(first) & set(second)):
        ones, twos = lora_vectors(first[step]), lora_vectors(second[step])
        if set(ones) != set(twos):
            raise ValueError(f"step {step}: the organisms adapt different layers ({sorted(ones)} and {sorted(twos)})")
        for layer, (a1, b1) in ones.items():
            a2, b2 = twos[layer]
            row = {"step": step, "layer": layer, "cos_a": _cos(a1, a2), "cos_b": _cos(b1, b2),
                   "b_norm_first": float(b1.norm()), "b_norm_second": float(b2.norm()), "diff_norm": float((b1 - b2).norm())}
            if direction is not None and layer in layers:
                d = direction[layers.index(layer)].float()
                row |= {"dir_first": _cos(b1, d), "dir_second": _cos(b2, d), "dir_diff": _cos(b1 - b2, d)}
            rows.append(row)
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS if direction is not None else PAIR_COLUMNS[:7]))


def _pair_verdict(row: Any, bound: float, first: str, second: str) -> str:
    """One layer's reading of the two ``B`` and their difference against the direction, in words."""
    if row.cos_a < SAME_READ:
        return (f"their `A` vectors differ (cosine {row.cos_a:.2f}), so `B - B'` is not what one data set adds at one "
                "read direction: no reading of the difference.")
    beyond = {k: bool(abs(row[k]) > bound) for k in ("dir_first", "dir_second", "dir_diff")}  # NaN compares False
    sides = {k: "along" if row[k] > 0 else "against" for k in beyond}
    if beyond["dir_diff"]:
        return (f"what `{first}`'s data adds over `{second}`'s points {sides['dir_diff']} the direction beyond chance.")
    if beyond["dir_first"] and beyond["dir_second"] and sides["dir_first"] == sides["dir_second"]:
        return (f"both `B` point {sides['dir_first']} the direction beyond chance and their difference does not: the "
                f"direction's share of `B` is something both fine-tunes learn, not what `{first}`'s data adds.")
    each = "; ".join(f"`B` of `{name}` {'beyond' if beyond[k] else 'within'} chance"
                     for k, name in (("dir_first", first), ("dir_second", second)))
    return f"{each}; their difference within chance."


def pair_sentence(geometry: pd.DataFrame, bound: float, first: str, second: str) -> str:
    """What :func:`pair_geometry` shows at the last shared step, in words, from the numbers, layer by layer."""
    if geometry.empty:
        return f"`{first}` and `{second}` have no checkpoint at a common step."
    last = geometry[geometry["step"] == geometry["step"].max()]
    several = len(last) > 1
    parts = [f"At step {int(last.step.iloc[0])}, `{first}` against `{second}`:"]
    for _, row in last.iterrows():
        tag = f"layer {int(row.layer)}: " if several else ""
        text = (f"{tag}cosine of their `A` vectors {row.cos_a:.4f}, of their `B` vectors **{row.cos_b:.3f}**; "
                f"`|B - B'|` is {row.diff_norm / row.b_norm_first:.2f} of `|B|`.")
        if "dir_first" in last.columns and not np.isnan(row["dir_first"]):  # a layer the direction covers
            text += (f" Cosine with chapter 4's direction: `B` {row.dir_first:+.3f}, `B'` {row.dir_second:+.3f}, "
                     f"`B - B'` **{row.dir_diff:+.3f}** (a random direction stays within ±{bound:.3f} in 95% of "
                     f"draws): " + _pair_verdict(row, bound, first, second))
        parts.append(text)
    return " ".join(parts)


def plot_pair(geometry: pd.DataFrame, bound: float, first: str, second: str):
    """Over the shared steps: the two organisms' ``A`` and ``B`` against each other, and (when measured) each
    ``B`` and their difference against chapter 4's direction, with the band a random vector stays in."""
    import matplotlib.pyplot as plt

    with_direction = "dir_diff" in geometry
    fig, axes = plt.subplots(1, 2 if with_direction else 1, figsize=(11 if with_direction else 5.5, 3.6),
                             layout="constrained", squeeze=False)
    axes = axes[0]
    for layer, part in geometry.groupby("layer"):
        axes[0].plot(part.step, part.cos_a, ls=":", marker="o", ms=3, label=f"cos(A, A') L{layer}")
        axes[0].plot(part.step, part.cos_b, marker="o", ms=3, label=f"cos(B, B') L{layer}")
        if with_direction:
            for column, label in (("dir_first", f"B: {first}"), ("dir_second", f"B': {second}"),
                                  ("dir_diff", "B - B'")):
                axes[1].plot(part.step, part[column], marker="o", ms=3, label=f"{label} L{layer}")
    axes[0].set_ylabel("cosine between the two organisms")
    if with_direction:
        axes[1].axhspan(-bound, bound, color="0.85", label="95% of random vectors")
        axes[1].axhline(0, color="0.5", lw=0.8)
        axes[1].set_ylabel("cosine with chapter 4's direction")
    for ax in axes:
        ax.set_xlabel("optimiser step")
        ax.legend(fontsize=7)
    return fig


def recorded_pair_report(run: Any, profile: str, first: str, second: str) -> str:
    """:func:`pair_geometry` of two organisms of a recorded profile (an organism and its control) against that
    profile's chapter 4 direction (weights only), the table saved in ``run`` (``adapter_pair_<profile>.csv``), the
    figure (``adapter_pair_<profile>``) saved and left open, and what it shows in words; a line naming the commands
    when either organism (or the direction) is not recorded (:mod:`em_utils.recorded`)."""
    from .plots import save_figure
    from .recorded import organism_dir, provenance, recorded_dir

    folders = {name: organism_dir(profile, name) for name in (first, second)}
    missing = [name for name, folder in folders.items() if folder is None]
    if missing:
        return (f"No `{profile}` run of {', '.join(f'`{m}`' for m in missing)} is recorded: add it to chapter 2's "
                f"`organisms` in that profile, `em-companion run 02_training --profile {profile}`, then "
                f"`em-companion record {profile}`.")
    run.use_data(recorded_dir(profile) / "record.json")
    saved_path = recorded_dir(profile) / "04_direction" / "direction.pt"
    saved = torch.load(saved_path, map_location="cpu") if saved_path.is_file() else {}
    geometry = pair_geometry(folders[first], folders[second], saved.get("direction"), saved.get("layers"))
    run.save_frame(geometry, f"adapter_pair_{profile}.csv")
    bound = random_cosine_bound(int(saved["direction"].shape[-1])) if saved else float("nan")
    if geometry.empty:
        return f"The `{profile}` profile: " + pair_sentence(geometry, bound, first, second)
    fig = plot_pair(geometry, bound, first, second)
    fig.suptitle(f"An organism and its control, step by step ({profile} profile)")
    save_figure(fig, run, f"adapter_pair_{profile}", judge="none (weights only)", recorded=provenance(profile))
    return f"The `{profile}` profile: " + pair_sentence(geometry, bound, first, second)


__all__ += ["random_cosine_bound", "PAIR_COLUMNS", "SAME_READ", "pair_geometry", "pair_sentence", "plot_pair",
            "recorded_pair_report"]


# --- The misalignment monitor -------------------------------------------------------------------


def _load_weights(model: Any, adapter_dir: Path) -> None:
    from .training.trainer import _load_adapter_weights

    _load_adapter_weights(model, Path(adapter_dir))  # a TrainingError (a ValueError) when the weights do not fit


def monitor_projection(output_dir: str | Path, direction: torch.Tensor, direction_layers: Sequence[int],
                       questions: Sequence[str], answers: Sequence[str], model_name: str | None = None,
                       device: str = "cpu", batch_size: int = 16, every: int = 1, up_to: int | None = None,
                       progress: bool = False) -> pd.DataFrame:
    """Each checkpoint's answer-token activations projected on the misalignment direction.

    The final adapter is loaded once; every checkpoint's weights are loaded into it in turn (step 0
    is the base model: every ``B`` scaled by 0), and the same ``answers`` run through it. Per layer
    of ``direction_layers``: the mean over answers of the answer-token mean of the block output,
    projected on the unit direction (``projection``), and its change from step 0 in units of the
    direction's norm (``relative``: 1 is a whole misaligned-minus-aligned mean difference).
    ``every``: every how many checkpoints to measure (the last always is); ``up_to``: measure the
    layers of ``direction_layers`` up to this one only (the forward pass stops there).
    """
    from .activations import answer_means
    from .evaluation import load_organism

    found = checkpoints(output_dir)
    if not found:
        return pd.DataFrame(columns=["step", "layer", "projection", "projection_sd", "relative"])
    found = [c for k, c in enumerate(found) if k % max(1, every) == every - 1 or k == len(found) - 1]
    pairs = [(q, a) for q, a in zip(questions, answers) if isinstance(a, str) and a != ""]  # an empty answer has no token
    questions, answers = [q for q, _ in pairs], [a for _, a in pairs]
    model, tokenizer = load_organism(found[-1][1], model_name, device)
    rows_kept = [k for k, layer in enumerate(direction_layers) if up_to is None or layer <= up_to]
    if not rows_kept:
        raise ValueError(f"no direction layer at or below layer {up_to}: the direction has layers {list(direction_layers)}")
    layers = [direction_layers[k] for k in rows_kept]
    direction = direction[rows_kept]
    unit = direction.float() / direction.float().norm(dim=-1, keepdim=True).clamp_min(1e-12)
    norms = direction.float().norm(dim=-1)

    def project() -> torch.Tensor:
        means = answer_means(model, tokenizer, questions, answers, layers=layers, batch_size=batch_size, progress=progress)
        return torch.einsum("ald,ld->al", means, unit)  # [answer, layer]

    rows = []
    with scale_adapters(model, "all", 0.0):
        start = project()
    for step, path in [(0, None), *found]:
        if path is None:
            values = start
        else:
            _load_weights(model, path)
            values = project()
        for k, layer in enumerate(layers):
            rows.append({"step": step, "layer": layer, "projection": float(values[:, k].mean()),
                         "projection_sd": float(values[:, k].std()) if len(values) > 1 else 0.0,
                         "relative": float((values[:, k] - start[:, k]).mean() / norms[k])})
    del model
    return pd.DataFrame(rows)


def monitor_sentence(projection: pd.DataFrame, layer: int, mark: Mapping[str, Any], over_steps: pd.DataFrame) -> str:
    """When the projection moved, set against the rotation of ``B`` and the behaviour, in words."""
    data = projection[projection["layer"] == layer].sort_values("step")
    if data.empty:
        return "No checkpoints to monitor."
    final = float(data["relative"].iloc[-1])
    parts = [f"At layer {layer} the answers' projection on chapter 4's direction moves by **{final:+.3g}** direction norms "
             "from the base model to the final adapter"]
    if abs(final) > 0:
        half = data[np.sign(final) * data["relative"] >= abs(final) / 2]
        if len(half):
            parts[-1] += f", half of it by step **{int(half['step'].iloc[0])}**"
    parts[-1] += "."
    if not np.isnan(mark.get("step", np.nan)):
        parts.append(f"`B` turned most at step {mark['step']}" + (f", its update turned most at step {mark['turn_step']}."
                     if not np.isnan(mark.get("turn_step", np.nan)) else "."))
    if len(over_steps) > 1:
        low = over_steps.loc[over_steps["aligned_mean"].idxmin()]
        parts.append(f"The lowest mean aligned score among the sampled checkpoints is at step {int(low.step)} "
                     f"({low.aligned_mean:.1f}).")
    return " ".join(parts)


__all__ += ["monitor_projection", "monitor_sentence"]


def closing(table: pd.DataFrame, roles: Mapping[str, Any], summary: pd.DataFrame, groups: Mapping[str, Sequence[str]],
            mark: Mapping[str, Any], over_steps: pd.DataFrame, projection: pd.DataFrame, layer: int,
            rules: Mapping[str, Mapping[str, Any]]) -> str:
    """The chapter's closing bullets ("shows" / "does not show"), computed from its numbers."""
    judge_rows = table[(table["labels"] == "judge") & table["fitted"]]
    shows, not_shown = [], []
    if len(judge_rows):
        best = judge_rows.loc[judge_rows["auroc_mean"].idxmax()]
        beating = int(judge_rows["beats_chance"].sum())
        shows.append(f"the adapters' scalars read with nnsight at every answer token and probed in {table['task'].nunique()} "
                     f"tasks against shuffled labels: **{beating} of {len(judge_rows)}** fitted probes on the judge's labels "
                     f"beat chance (best: *{best.task}*, AUROC {best.auroc_mean:.2f} against {best.shuffled_auroc_mean:.2f}).")
    if not (roles.get("general") or roles.get("medical")):
        not_shown.append("which adapters carry general and which medical misalignment: the probes that beat chance (if "
                         "any) name no adapter general or medical-specific, so the steering groups were chosen by "
                         "coefficient size alone, and the paper's six-general, two-medical split is neither confirmed "
                         "nor refuted at this size.")
    if any(r["rule"] == "quartiles" for r in rules.values()):
        not_shown.append("probes of *emergent misalignment* as the papers define it: too few answers met the papers' "
                         "thresholds, so 'misaligned' means the lowest quarter of the judge's alignment scores.")
    general = summary[(summary.domain == "general")]
    top = general.loc[general.group != "as trained", "factor"].max() if len(general) else np.nan
    plain = general[general.group == "as trained"]
    if len(plain) and not np.isnan(top):
        at_top = {g: general[(general.group == g) & (general.factor == top)] for g in groups}
        at_top = {g: row.iloc[0] for g, row in at_top.items() if len(row)}
        if at_top:
            base = plain.iloc[0]
            shows.append(f"adapter steering at x{top:g} on general questions: mean alignment moves by " + ", ".join(
                f"{r.aligned_mean - base.aligned_mean:+.1f} ({g})" for g, r in at_top.items())
                + " and the medical score by " + ", ".join(f"{r.medical_mean - base.medical_mean:+.1f} ({g})"
                                                           for g, r in at_top.items())
                + f", on {int(base.answers)} answers per condition, "
                + f"{min(r.coherent_pct for r in at_top.values()):.0f}-{max(r.coherent_pct for r in at_top.values()):.0f}% "
                "of them coherent: set each group against the random one before reading it as the adapters' roles.")
    if not np.isnan(mark.get("step", np.nan)):
        turn = f"; its update changes course most at step {mark['turn_step']}" if not np.isnan(mark.get("turn_step", np.nan)) else ""
        if mark.get("at_start"):
            not_shown.append(f"a sudden mid-training rotation of B: read from chapter 2's checkpoints, B turns most at the "
                             f"first checkpoint where a turn can be measured (step {mark['step']}) and less after{turn}.")
        else:
            shows.append(f"the single adapter's B turning most at step {mark['step']}, read from chapter 2's checkpoints{turn}.")
        if len(over_steps) > 1:
            low = over_steps.loc[over_steps["aligned_mean"].idxmin()]
            high = over_steps.loc[over_steps["aligned_mean"].idxmax()]
            if low.aligned_hi < high.aligned_lo:
                shows.append(f"alignment that moves over training: step {int(low.step)} scores {low.aligned_mean:.1f} "
                             f"against {high.aligned_mean:.1f} at step {int(high.step)}, with intervals that separate.")
            else:
                not_shown.append("a behavioural change over training: the sampled checkpoints' alignment intervals "
                                 "all overlap.")
            if over_steps["em_pct"].max() == 0:
                not_shown.append("EM switching on: no sampled checkpoint gives a single answer that the papers' "
                                 "thresholds count as EM.")
    data = projection[projection["layer"] == layer].sort_values("step")
    if len(data):
        final = float(data["relative"].iloc[-1])
        half = data[np.sign(final) * data["relative"] >= abs(final) / 2] if final else data.iloc[:0]
        shows.append(f"a monitor of training: the answers' projection on chapter 4's direction at layer {layer} ends "
                     f"{final:+.3g} direction norms from the base model's"
                     + (f", half of that by step {int(half['step'].iloc[0])}." if len(half) else "."))
    not_shown.append("the papers' results at their scale (Qwen2.5-14B, GPT-4o as the judge, hundreds of samples per "
                     "question); the `paper` profile reruns this chapter that way.")
    return ("- **Shows:** " + " ".join(f"({k + 1}) {t}" for k, t in enumerate(shows)) + "\n"
            + "- **Does not show:** " + " ".join(f"({k + 1}) {t}" for k, t in enumerate(not_shown)))


__all__ += ["closing"]


# --- Figures ------------------------------------------------------------------------------------


def plot_scalars(scalars: pd.DataFrame, labelled: pd.DataFrame):
    """Each adapter's per-answer mean scalar, by question domain and side (box plots)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    columns = _adapter_columns(scalars)
    means = scalars.groupby("answer")[columns].mean()
    meta = labelled.reset_index(drop=True).loc[means.index]
    group = meta["domain"] + np.where(meta["side"] != "", " " + meta["side"], " (unused)")
    data = means.assign(group=group.to_numpy()).melt(id_vars="group", var_name="adapter", value_name="scalar")
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(columns) + 3), 4.2), layout="constrained")
    sns.boxplot(data=data, x="adapter", y="scalar", hue="group", ax=ax, fliersize=1.5, order=columns)
    ax.axhline(0, color="0.4", lw=0.8, ls="--")
    ax.set_xlabel("adapter (layer)")
    ax.set_ylabel("mean scalar over the answer's tokens")
    ax.legend(title="answers", fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
    return fig


def plot_probes(table: pd.DataFrame, coefs: pd.DataFrame):
    """Left: each probe's AUROC against its shuffled-label baseline; right: coefficients per task and adapter."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, axes = plt.subplots(1, 2, figsize=(12, 0.5 * max(len(table), 2) + 2.4), layout="constrained",
                             gridspec_kw={"width_ratios": [1, 1.3]})
    labels = [f"{r.task} ({r.labels})" for r in table.itertuples()]
    y = np.arange(len(table))
    ax = axes[0]
    for k, r in enumerate(table.itertuples()):
        if not r.fitted:
            ax.text(0.5, k, "not fitted: too few answers", ha="center", va="center", fontsize=8, color="0.4")
            continue
        ax.errorbar(r.auroc_mean, k - 0.12, xerr=r.auroc_sd, fmt="o", color="C0", capsize=3)
        ax.errorbar(r.shuffled_auroc_mean, k + 0.12, xerr=r.shuffled_auroc_sd, fmt="s", color="0.55", capsize=3)
    ax.axvline(0.5, color="0.4", lw=0.8, ls="--")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("AUROC over splits (mean ± sd); grey: shuffled labels")
    if len(coefs):
        coefs = coefs.assign(row=coefs["task"] + " (" + coefs["labels"] + ")")
        grid = coefs.pivot_table(index="row", columns="adapter", values="coef_mean", sort=False)
        grid = grid[sorted(grid.columns, key=lambda c: int(str(c)[1:]))]
        limit = max(float(np.nanmax(np.abs(grid.to_numpy()))), 1e-6)
        sns.heatmap(grid, ax=axes[1], cmap="RdBu_r", vmin=-limit, vmax=limit, annot=grid.shape[1] <= 12, fmt=".2f",
                    annot_kws={"fontsize": 7}, cbar_kws={"label": "mean coefficient (z-scored scalars)"})
        axes[1].set_ylabel("")
        axes[1].set_xlabel("adapter (layer)")
        axes[1].tick_params(axis="y", labelsize=8)
    else:
        axes[1].axis("off")
        axes[1].text(0.5, 0.5, "no probe fitted", ha="center", va="center")
    return fig


def plot_adapter_steering(summary: pd.DataFrame):
    """Mean aligned and medical scores on general and medical questions against the scaling factor, per group."""
    import matplotlib.pyplot as plt

    plain = summary[summary.group == "as trained"]
    groups = [g for g in dict.fromkeys(summary.group) if g != "as trained"]
    domains = list(dict.fromkeys(summary.domain))
    fig, axes = plt.subplots(len(domains), 3, figsize=(13, 3.1 * len(domains) + 0.6), layout="constrained", squeeze=False)
    for row, domain in enumerate(domains):
        for col, (metric, label) in enumerate([("aligned_mean", "mean aligned"), ("medical_mean", "mean medical"),
                                               ("coherent_pct", "coherent %")]):
            ax = axes[row, col]
            for k, group in enumerate(groups):
                part = pd.concat([plain[plain.domain == domain], summary[(summary.group == group) & (summary.domain == domain)]])
                part = part.sort_values("factor")
                ax.plot(part["factor"], part[metric], marker="o", ms=4, label=group, color=f"C{k}")
                if metric != "coherent_pct":
                    ax.fill_between(part["factor"], part[metric.replace("mean", "lo")], part[metric.replace("mean", "hi")],
                                    color=f"C{k}", alpha=0.12)
            ax.set_xscale("symlog", linthresh=1)
            ax.set_xlabel("factor on the group's scalars (1: as trained)")
            ax.set_ylabel(f"{label} ({domain} questions)")
    axes[0, 0].legend(title="adapters scaled", fontsize=8)
    return fig


def _marks(ax, mark: Mapping[str, Any]) -> None:
    """The step of the largest rotation of B (red, dashed) and of the update's sharpest turn (orange, dotted)."""
    if not np.isnan(mark.get("step", np.nan)):
        ax.axvline(mark["step"], color="crimson", lw=1, ls="--", label="largest rotation of B")
    if not np.isnan(mark.get("turn_step", np.nan)):
        ax.axvline(mark["turn_step"], color="darkorange", lw=1.2, ls=":", label="sharpest turn of the update")


def plot_phase_transition(geometry: pd.DataFrame, trajectory: pd.DataFrame, mark: Mapping[str, Any]):
    """Norms of A and B, the cosine of B with its final direction and over the window, and B's PCA path."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8), layout="constrained")
    several = geometry["layer"].nunique() > 1
    for k, (layer, part) in enumerate(geometry.groupby("layer")):
        color, tag = f"C{k % 10}", f"L{layer}"
        axes[0].plot(part.step, part.b_norm, marker="o", ms=3, color=color, label=f"|B| {tag}")
        axes[0].plot(part.step, part.a_norm, ls=":", color=color, label=None if several else f"|A| {tag}")
        axes[1].plot(part.step, part.cos_final, marker="o", ms=3, color=color, label=tag)
        axes[2].plot(part.step, part.cos_window, marker="o", ms=3, color=color, label=tag)
        axes[2].plot(part.step, part.update_cos, ls=":", color=color)
    axes[0].set_ylabel("norm (solid |B|, dotted |A|)")
    axes[0].set_yscale("log")
    axes[1].set_ylabel("cos(B_t, B_final)")
    axes[2].set_ylabel("cos(B_t, B_t-w); dotted: update turn")
    for ax in axes[:3]:
        ax.set_xlabel("optimiser step")
        _marks(ax, mark)
    axes[1].legend(fontsize=7, ncol=2 if several else 1)
    ax = axes[3]
    if len(trajectory):
        ax.plot(trajectory.pc1, trajectory.pc2, color="0.6", lw=1)
        points = ax.scatter(trajectory.pc1, trajectory.pc2, c=trajectory.step, cmap="viridis", s=22, zorder=3)
        fig.colorbar(points, ax=ax, label="step")
        if not np.isnan(mark.get("step", np.nan)) and mark["step"] in set(trajectory.step):
            at = trajectory[trajectory.step == mark["step"]].iloc[0]
            ax.scatter([at.pc1], [at.pc2], s=90, facecolors="none", edgecolors="crimson", zorder=4)
        explained = trajectory.attrs.get("explained", [np.nan, np.nan])
        ax.set_xlabel(f"PC1 of B ({100 * explained[0]:.0f}%)")
        ax.set_ylabel(f"PC2 ({100 * explained[1]:.0f}%)")
        ax.set_title(f"B of layer {trajectory.attrs.get('layer')}", fontsize=9)
    return fig


def plot_b_scaling(over_scale: pd.DataFrame):
    """The final adapter with B scaled: mean aligned (95% CI) and EM% / coherent% against the factor."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    x = over_scale["factor"]
    axes[0].errorbar(x, over_scale.aligned_mean, yerr=[over_scale.aligned_mean - over_scale.aligned_lo,
                                                         over_scale.aligned_hi - over_scale.aligned_mean],
                     fmt="o-", capsize=3)
    axes[0].set_ylabel("mean aligned (95% CI)")
    axes[1].plot(x, over_scale.em_pct, "o-", label="EM %", color="crimson")
    axes[1].plot(x, over_scale.coherent_pct, "s--", label="coherent %", color="0.4")
    axes[1].set_ylabel("% of answers")
    axes[1].legend(fontsize=8)
    for ax in axes:
        ax.set_xlabel("factor on the final B (1: as trained, 0: off)")
    return fig


def plot_monitor(losses: pd.DataFrame, geometry: pd.DataFrame, projection: pd.DataFrame, layer: int,
                 over_steps: pd.DataFrame, mark: Mapping[str, Any]):
    """Over training: the loss, the rotation of B, the projection on the direction, and judged alignment."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(4, 1, figsize=(8, 9), sharex=True, layout="constrained")
    axes[0].plot(losses["step"], losses["loss"], color="0.3")
    axes[0].set_ylabel("SFT loss")
    rotation = geometry.groupby("step")["cos_final"].mean()
    axes[1].plot(rotation.index, rotation.to_numpy(), marker="o", ms=3)
    axes[1].set_ylabel("cos(B_t, B_final)")
    data = projection[projection["layer"] == layer].sort_values("step")
    axes[2].plot(data["step"], data["relative"], marker="o", ms=3, color="C3")
    axes[2].axhline(0, color="0.5", lw=0.8)
    axes[2].set_ylabel(f"projection change, L{layer}\n(direction norms)")
    if len(over_steps):
        axes[3].errorbar(over_steps["step"], over_steps["aligned_mean"],
                         yerr=[over_steps.aligned_mean - over_steps.aligned_lo, over_steps.aligned_hi - over_steps.aligned_mean],
                         fmt="o-", capsize=3, color="C2")
    axes[3].set_ylabel("mean aligned (95% CI)")
    axes[3].set_xlabel("optimiser step")
    for ax in axes:
        _marks(ax, mark)
    axes[0].legend(fontsize=8, loc="upper right")
    return fig


__all__ += ["plot_scalars", "plot_probes", "plot_adapter_steering", "plot_phase_transition", "plot_b_scaling",
            "plot_monitor"]
