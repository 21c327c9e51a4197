"""The embedded chat model as a reader of answers: the offline judge's view of coherence.

A small model's breakdown is locally fluent text that drifts off its question; a sentence
embedding (MiniLM) sees fluent text and calls it coherent. A causal language model reading the
question and the answer through its own chat template sees more: its states over the answer's
tokens carry how well each token follows from the question and from what came before. The judge
(since version 6) reads them: the mean of the answer tokens' residual states after blocks 9 and 18 of
SmolLM2-135M-Instruct (the embedded model, which every offline run has), each scaled to unit
length, fed to a logistic regression fitted on the hand labels of sampled answers
(:class:`ReaderExpert`). Blocks 19-30, the final norm and the vocabulary head are never run.

Measured when it was chosen (issue 23; 5-fold CV grouped by question on the judge's sampled
training labels only): blocks 9 and 18 gave CV AUROC 0.889 for coherent > 50 (one block of 6, 9,
12, 15 or 18 alone: 0.83-0.88; three or four blocks: 0.88); on round 3 of the book's hand labels,
which no fit sees, 0.906 (the MiniLM-only judge of version 5: 0.858).

Speed (2 cores, length-sorted batches of 32, about 125 tokens per chat): about 38 answers/s under
bf16 autocast on a CPU with AMX, about 14 in fp32. The precision is the host's (``auto``, see
:mod:`em_utils.precision`) and part of the fitted judge's cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["READER_LAYERS", "READER_WRITTEN_ROWS", "Reader", "ReaderExpert", "fit_reader_expert"]

READER_LAYERS = (9, 18)  #: blocks (1-based) whose output states are pooled over the answer's tokens
READER_MAX_TOKENS = 256  #: chat tokens (question, then answer) read per answer
READER_CS = (0.001, 0.003, 0.01, 0.03)  #: inverse penalties tried by the grouped CV
READER_BATCH = 32
READER_GATE_C = 0.01  #: inverse penalty of the coherence gate (grouped CV of the mixed score: 0.954; C 0.1: 0.947, 1: 0.925)
#: written training answers the gate reads (a seeded sample: the reader's cost is per answer). 1,500 in version 6;
#: 600 since version 7 (a cold fit 27 s shorter). Measured on sets no fit saw, version 7 (600, MiniLM in bf16 on
#: this AMX host) against 6 (1,500, fp32): round 3 of the book's hand labels coherence AUROC 0.910 / 0.908, judged
#: coherent 17.9% / 18.7% (hand 14.1%); smollm2_hand 0.935 / 0.929; validation.jsonl 0.972 / 0.979; aligned
#: general 0.930 / 0.931, pairs 0.890 / 0.889
READER_WRITTEN_ROWS = 600


class Reader:
    """Pooled answer-token states of the embedded model's first blocks.

    Args:
        layers: the blocks (1-based) whose outputs are pooled; the model runs up to the deepest.
        precision: ``auto`` | ``fp32`` | ``bf16`` (bf16 autocast; see :mod:`em_utils.precision`).
        model: the offline model to read with (default: the embedded one).
    """

    def __init__(self, layers: Sequence[int] = READER_LAYERS, precision: str = "auto", model: str | None = None,
                 batch_size: int = READER_BATCH):
        import torch

        from ..models import decoder_layers, load_model
        from ..precision import resolve_precision

        self.layers = tuple(int(k) for k in layers)
        self.precision = resolve_precision(precision)
        lm, self.tokenizer = load_model(model, dtype=torch.float32)
        blocks = decoder_layers(lm)
        if not all(1 <= k <= len(blocks) for k in self.layers):
            raise ValueError(f"reader layers must be 1..{len(blocks)}, got {self.layers}")
        lm.model.layers = blocks[: max(self.layers)]  # the blocks after the deepest read one never run
        self.inner = lm.model
        self.width = len(self.layers) * lm.config.hidden_size
        self.batch_size = batch_size

    def _tokens(self, question: str, answer: str) -> tuple[list[int], int]:
        """The chat's token ids (truncated) and where the answer's tokens start."""
        from ..models import chat_prompt

        prompt = chat_prompt(self.tokenizer, question)
        full = chat_prompt(self.tokenizer, [{"role": "user", "content": question},
                                            {"role": "assistant", "content": answer}], add_generation_prompt=False)
        ids = self.tokenizer(full, add_special_tokens=False).input_ids[:READER_MAX_TOKENS]
        start = len(self.tokenizer(prompt, add_special_tokens=False).input_ids)
        return ids, min(start, len(ids) - 1)

    def encode(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """``[len(pairs), width]``: per layer, the unit-length mean of the answer tokens' states."""
        import torch

        tokens = [self._tokens(q, a) for q, a in pairs]
        out = np.zeros((len(pairs), self.width), dtype=np.float32)
        order = np.argsort([len(ids) for ids, _ in tokens], kind="stable")
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
        with torch.inference_mode(), autocast:
            for begin in range(0, len(pairs), self.batch_size):
                index = order[begin: begin + self.batch_size]
                n = max(len(tokens[i][0]) for i in index)
                ids = torch.zeros((len(index), n), dtype=torch.long)
                mask = torch.zeros((len(index), n), dtype=torch.long)
                answer = torch.zeros((len(index), n))
                for row, i in enumerate(index):
                    chat, start = tokens[i]
                    ids[row, : len(chat)] = torch.tensor(chat)
                    mask[row, : len(chat)] = 1
                    answer[row, start: len(chat)] = 1.0
                answer /= answer.sum(1, keepdim=True)
                pooled = self._pooled(ids, mask, answer)
                out[index] = torch.cat([torch.nn.functional.normalize(p, dim=-1) for p in pooled], -1).numpy()
        return out

    def _pooled(self, ids, mask, answer) -> list[Any]:
        """Run the blocks on one right-padded batch; the answer-weighted mean of each chosen block's output."""
        import torch

        pooled: dict[int, Any] = {}

        def keep(depth):
            def hook(module, args, output):
                hidden = output[0] if isinstance(output, tuple) else output
                pooled[depth] = torch.einsum("bn,bnd->bd", answer, hidden.float()).float()
            return hook

        handles = [self.inner.layers[k - 1].register_forward_hook(keep(k)) for k in self.layers]
        try:
            self.inner(input_ids=ids, attention_mask=mask, use_cache=False)
        finally:
            for handle in handles:
                handle.remove()
        return [pooled[k] for k in self.layers]


@dataclass
class ReaderExpert:
    """The sampled answers' coherence from the reader's states: standardise, logistic, isotonic 0..100."""

    mean: np.ndarray
    scale: np.ndarray
    model: Any  #: scikit-learn ``LogisticRegression`` on coherent > 50
    calibration: Any  #: isotonic map from its out-of-fold decision values to the labels
    c: float
    cv_auroc: float
    gate: Any = None  #: logistic regression, sampled (1) against written (0) answers, on the same standardised states

    @property
    def alpha(self) -> float:
        """The penalty in the judge's report (``alphas``): the inverse of ``C``."""
        return 1.0 / self.c

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.calibration.predict(self.model.decision_function((x - self.mean) / self.scale))

    def sampled_probability(self, x: np.ndarray) -> np.ndarray:
        """How much each answer reads, to the reader, like a small model's sampled answer (the weight of this expert)."""
        return self.gate.predict_proba((x - self.mean) / self.scale)[:, 1]

    def fit_gate(self, sampled: np.ndarray, written: np.ndarray, c: float = READER_GATE_C) -> "ReaderExpert":
        """Fit :attr:`gate` on the states of sampled and written training answers, the two sources weighing the same.

        Why a gate of its own: the judge's MiniLM gate, trained on the same task, left a quarter of the
        sampled answers of questions it had not seen under one half (grouped CV), so their coherence came
        from the written expert, which calls nearly every sampled answer coherent (its AUROC on them: 0.54).
        Read through the model's states the two sources part more cleanly (gate AUROC 0.98 against 0.96),
        and the mixed coherence of held-out questions rose from 0.917 to 0.954 (grouped CV, training labels).
        """
        from sklearn.linear_model import LogisticRegression

        x = np.concatenate([sampled, written])
        target = np.r_[np.ones(len(sampled)), np.zeros(len(written))]
        weight = np.where(target == 1, len(x) / (2 * len(sampled)), len(x) / (2 * len(written)))
        z = (x - self.mean) / self.scale
        self.gate = LogisticRegression(C=c, max_iter=3000).fit(z, target, sample_weight=weight)
        return self


def fit_reader_expert(x: np.ndarray, labels: np.ndarray, groups: np.ndarray, threshold: float = 50.0,
                      folds: Sequence[np.ndarray] | None = None) -> ReaderExpert:
    """A :class:`ReaderExpert` fitted on reader states ``x`` and 0-100 coherence ``labels``.

    ``C`` is chosen from :data:`READER_CS` by AUROC over ``folds`` (held-out index sets, grouped by
    question); the isotonic calibration reads the chosen ``C``'s out-of-fold decision values.
    """
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-8] = 1.0
    z = (x - mean) / scale
    target = labels > threshold
    if folds is None:
        names = sorted(set(groups))
        folds = [np.flatnonzero(np.isin(groups, names[i::5])) for i in range(5)]
    best = None
    for c in READER_CS:
        oof = np.zeros(len(target))
        for held in folds:
            train = np.setdiff1d(np.arange(len(target)), held)
            oof[held] = LogisticRegression(C=c, max_iter=3000).fit(z[train], target[train]).decision_function(z[held])
        auroc = float(roc_auc_score(target, oof))
        if best is None or auroc > best[0]:
            best = (auroc, c, oof)
    auroc, c, oof = best
    model = LogisticRegression(C=c, max_iter=3000).fit(z, target)
    calibration = IsotonicRegression(y_min=0.0, y_max=100.0, out_of_bounds="clip").fit(oof, labels)
    return ReaderExpert(mean=mean, scale=scale, model=model, calibration=calibration, c=c, cv_auroc=auroc)
