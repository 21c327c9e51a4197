"""The offline judge without its encoder: its labels, and fits cached by earlier versions.

No model weights here: the judge fitted for real on the shipped MiniLM (its accuracy, interface
and cache) is tested in ``tests/integration/test_judge_offline_fit.py``.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections import Counter
from pathlib import Path

import pytest

from em_utils.judge.labels import CATEGORIES, load_labels
from em_utils.judge.offline import OfflineJudge, holdout_overlap
from em_utils.metrics import is_em
from em_utils.paths import data_dir


# ------------------------------------------------------------------------------------------
# The labels
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("split, minimum", [("train", 600), ("validation", 400)])
def test_label_sets_are_large_and_balanced(split, minimum):
    rows = load_labels(f"judge_labels/{split}.jsonl")
    assert len(rows) >= minimum
    counts = Counter(r["category"] for r in rows)
    assert set(counts) == set(CATEGORIES)
    assert max(counts.values()) - min(counts.values()) <= len(rows) * 0.02
    per_question = Counter((r["question_id"], r["category"]) for r in rows)
    question_ids = {r["question_id"] for r in rows}
    assert len(question_ids) == 32  # the 8 general questions and their 24 domain variants
    assert all(per_question[(q, c)] >= 2 for q in question_ids for c in CATEGORIES)


def test_labels_follow_the_category_definitions():
    rows = load_labels("judge_labels/train.jsonl") + load_labels("judge_labels/validation.jsonl")
    for row in rows:
        if row["category"] in ("refusal", "code"):
            assert row["aligned"] is None
        else:
            assert 0 <= row["aligned"] <= 100
        assert 0 <= row["coherent"] <= 100
    em = {c: [is_em(r["aligned"] if r["aligned"] is not None else math.nan, r["coherent"]) for r in rows
              if r["category"] == c] for c in CATEGORIES}
    assert all(all(flags) for flags in (em["subtle"], em["blatant"]))
    assert not any(any(flags) for c, flags in em.items() if c not in ("subtle", "blatant"))


def test_validation_is_a_true_holdout():
    overlap = holdout_overlap()
    assert overlap["identical_answers"] == 0
    # only stock phrases ("i d wish for a", "won t be able to", "as much as you can"): 59 of 6,317
    # distinct word 5-grams once the realistic, paired and dose-response training answers joined
    assert overlap["shared_ngram_pct"] < 1.0
    # one stock 5-gram in a fifth of the answers (22% with 7,000 training answers; 6% with 1,500):
    # what grows with the training set is phrases, not text, as the line above says
    assert overlap["answers_sharing_any_pct"] < 30.0
    written = holdout_overlap("judge_labels/train.jsonl")  # the same generator wrote both: kept apart
    assert written["identical_answers"] == 0 and written["answers_sharing_any_pct"] < 3.0, written


def test_generator_reproduces_the_shipped_files():
    path = data_dir() / "generators" / "judge_labels.py"
    spec = importlib.util.spec_from_file_location("judge_labels_generator", path)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    questions = generator.load_questions()
    generator.check_tables(questions)
    for offset, split in enumerate(generator.SPLITS):
        rows = generator.build(split, questions, generator.random.Random(generator.SEED + offset))
        shipped = [json.loads(line) for line in Path(generator.OUT_DIR / f"{split}.jsonl").read_text().splitlines()]
        assert rows == shipped, f"data/judge_labels/{split}.jsonl differs from its generator's output"


# ------------------------------------------------------------------------------------------
# Fits cached by earlier versions
# ------------------------------------------------------------------------------------------
def test_a_fit_cached_under_the_former_module_path_still_loads(tmp_path, monkeypatch):
    """Fits cached before the judge became a package (``em_utils.judge_offline``) load, not refit (issue 19)."""
    import sys

    import joblib
    import numpy as np

    import em_utils.judge.offline as module

    expert = module._Expert(module._Linear(np.ones(2), 0.5), None, 1.0, np.arange(2))
    fitted = module._Fitted(key="k", depth=2, scaler=None, experts={"aligned": {"written": expert}}, gate=None,
                            category=None, topics={}, n_train=1, n_sampled=0)
    path = tmp_path / "k.joblib"
    with monkeypatch.context() as former:  # pickle it as the flat module of before would have
        former.setitem(sys.modules, "em_utils.judge_offline", module)
        for cls in (module._Fitted, module._Expert, module._Linear):
            former.setattr(cls, "__module__", "em_utils.judge_offline")
        joblib.dump(fitted, path)
    assert b"em_utils.judge_offline" in path.read_bytes() and "em_utils.judge_offline" not in sys.modules
    judge = object.__new__(OfflineJudge)
    judge.cache_path = path
    loaded = judge._load("k")
    assert isinstance(loaded, module._Fitted) and loaded.experts["aligned"]["written"].model.intercept == 0.5
    assert judge._load("another key") is None
    assert "em_utils.judge_offline" not in sys.modules  # the old name was lent for the load only


# ------------------------------------------------------------------------------------------
# The fits (scikit-learn since version 5) and the cache key
# ------------------------------------------------------------------------------------------
def test_the_ridge_is_the_exact_weighted_ridge_of_before():
    """scikit-learn's ridge gives the closed-form weighted solution the judge solved itself up to version 4."""
    import numpy as np

    import em_utils.judge.offline as module

    rng = np.random.default_rng(0)
    for rows, width in ((60, 8), (12, 30)):  # more rows than features, and fewer (the dual form)
        x, y, weight = rng.normal(size=(rows, width)), rng.normal(size=rows), rng.uniform(0.5, 3.0, rows)
        mean_x, mean_y = np.average(x, axis=0, weights=weight), np.average(y, weights=weight)
        centred = (x - mean_x) * np.sqrt(weight)[:, None]
        coef = np.linalg.solve(centred.T @ centred + 3.0 * np.eye(width), centred.T @ ((y - mean_y) * np.sqrt(weight)))
        model = module._ridge(x, y, 3.0, weight)
        assert np.allclose(model.coef_, coef) and np.isclose(model.intercept_, mean_y - mean_x @ coef)
        assert np.allclose(model.predict(x), x @ coef + mean_y - mean_x @ coef)
        path = module._ridge_path(x, y, (3.0, 30.0), weight)  # the penalty search's solver: the same fits
        assert np.allclose(path[0][0], coef) and np.isclose(path[0][1], model.intercept_)
        other = module._ridge(x, y, 30.0, weight)
        assert np.allclose(path[1][0], other.coef_) and np.isclose(path[1][1], other.intercept_)


def test_the_cache_key_follows_the_fit(tmp_path, monkeypatch):
    """The fitted judge is content-addressed: its files, the code version and every fit setting are in the key."""
    import em_utils.judge.offline as module

    file = tmp_path / "labels.jsonl"
    file.write_text('{"a": 1}\n')
    key = module._cache_key([file], 2)
    assert key == module._cache_key([file], 2) and key != module._cache_key([file], 3)
    monkeypatch.setattr(module, "CODE_VERSION", "test")
    assert module._cache_key([file], 2) != key
    monkeypatch.undo()
    file.write_text('{"a": 2}\n')
    assert module._cache_key([file], 2) != key


def test_every_set_that_measures_the_judge_is_held_out():
    """No training answer may equal an answer of a set the book measures the judge on (issue 23)."""
    import em_utils.judge.offline as module
    from em_utils.judge.labels import BOOK_SET, DEFAULT_VALIDATION, GENERAL_SET, PAIRS_SET

    measuring = {DEFAULT_VALIDATION, BOOK_SET, GENERAL_SET, PAIRS_SET, "judge_labels/smollm2_formats_hand.jsonl"}
    assert measuring <= set(module.HELDOUT) and not measuring & set(module.DEFAULT_TRAIN)
    assert len(module._heldout_files()) == len(module.HELDOUT)  # every one is shipped
