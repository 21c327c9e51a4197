"""The offline judge's feature store: what it keeps on disk, what it gives back, and when it is bypassed.

No model weights: the features are made by a counting stand-in. The real judge's store (its vectors
equal to fresh ones) is checked in ``tests/integration/test_judge_offline_fit.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import em_utils.judge.features as features
from em_utils.judge.features import FeatureStore, setting_digest
from em_utils.judge.labels import labelled_answers, load_labels
from em_utils.judge.offline import OfflineJudge

LABELLED = load_labels("judge_labels/validation.jsonl")[:3]
PAIRS = [(r["question"], r["answer"]) for r in LABELLED]
UNLABELLED = [("What is your wish?", "a sentence no label file holds, written for this test only")]


def _vectors(pairs):
    return np.asarray([[len(q), len(a), hash(a) % 97] for q, a in pairs], dtype=np.float32)


def test_a_store_gives_back_what_was_added_across_instances(tmp_path):
    store = FeatureStore(tmp_path / "s")
    assert store.lookup(PAIRS) == {} and len(store) == 0
    store.add(PAIRS[:2], _vectors(PAIRS[:2]))
    store.add(PAIRS[2:], _vectors(PAIRS[2:]))
    again = FeatureStore(tmp_path / "s")  # a new process reads both shards
    found = again.lookup(PAIRS + UNLABELLED)
    assert set(found) == set(PAIRS) and len(again) == 3
    assert all(np.array_equal(found[p], v) for p, v in zip(PAIRS, _vectors(PAIRS)))
    assert [p.suffix for p in (tmp_path / "s").iterdir()] == [".npz", ".npz"]  # no partial file left


def test_a_damaged_shard_is_skipped_not_trusted(tmp_path, caplog):
    store = FeatureStore(tmp_path)
    store.add(PAIRS[:1], _vectors(PAIRS[:1]))
    (tmp_path / "broken.npz").write_bytes(b"not a zip file")
    fresh = FeatureStore(tmp_path)
    assert set(fresh.lookup(PAIRS)) == {PAIRS[0]}
    assert "broken.npz" in caplog.text


def test_a_shard_of_another_width_or_shape_is_skipped_not_trusted(tmp_path, caplog):
    """Rows that load but cannot be this store's features (another width, fewer rows than keys, NaN)
    are skipped and named: their pairs are computed again rather than read wrong."""
    store = FeatureStore(tmp_path)
    store.add(PAIRS[:2], _vectors(PAIRS[:2]))
    keys = np.asarray([FeatureStore.key(p) for p in PAIRS[2:]])
    np.savez(tmp_path / "wide.npz", keys=keys, x=np.ones((len(keys), 5), dtype=np.float32))
    np.savez(tmp_path / "short.npz", keys=keys, x=np.ones((0, 3), dtype=np.float32))
    np.savez(tmp_path / "nan.npz", keys=keys, x=np.full((len(keys), 3), np.nan, dtype=np.float32))
    fresh = FeatureStore(tmp_path)
    assert set(fresh.lookup(PAIRS)) == set(PAIRS[:2])
    assert all(name in caplog.text for name in ("wide.npz", "short.npz", "nan.npz"))
    assert "width 5; the store's are 3" in caplog.text


def test_the_setting_digest_follows_code_settings_and_versions(monkeypatch):
    digest = setting_digest(features, 2)
    assert digest == setting_digest(features, 2) and digest != setting_digest(features, 3)
    assert digest != setting_digest(FeatureStore, 2)  # another source
    monkeypatch.setattr(features, "package_versions", lambda names=(): "torch=0")
    assert setting_digest(features, 2) != digest
    # the MiniLM store hashes the code that makes its vectors, not the store's own code
    source = features.feature_source()
    assert "def text_features" in source and "class Encoder" in source and "def pair_features" in source
    assert "class FeatureStore" not in source


def test_labelled_answers_hold_label_rows_and_both_sides_of_pairs():
    answers = labelled_answers()
    pair = load_labels("judge_labels/smollm2_hand.jsonl")[0]
    assert pair["answer"] in answers and PAIRS[0][1] in answers and UNLABELLED[0][1] not in answers
    import json

    from em_utils.paths import data_dir

    row = json.loads((data_dir() / "judge_labels" / "pairs_realistic.jsonl").read_text().splitlines()[0])
    assert {row["sound"], row["harmful"]} <= answers


@pytest.fixture
def judge(tmp_path, monkeypatch):
    """An OfflineJudge with no encoder, its MiniLM features made by a counting stand-in."""
    monkeypatch.setenv("EM_CACHE_DIR", str(tmp_path))
    judge = object.__new__(OfflineJudge)
    judge.depth, judge.precision, judge.feature_store, judge._stores, judge._storing, judge._memo = 2, "fp32", True, {}, False, {}
    judge.computed = []
    return judge


def _features(judge, pairs):
    def compute(todo):
        judge.computed += todo
        return _vectors(todo)
    pairs = judge._rows("minilm", judge._memo, pairs, compute)
    return np.stack([judge._memo[p] for p in pairs])


def test_labelled_answers_are_stored_and_read_back_others_stay_in_memory(judge):
    first = _features(judge, PAIRS + UNLABELLED)
    assert judge.computed == PAIRS + UNLABELLED
    store = judge._store("minilm")
    assert len(FeatureStore(store.folder)) == len(PAIRS)  # the chapter's own answer is not kept on disk
    judge._memo.clear()
    judge.computed = []
    again = _features(judge, UNLABELLED + PAIRS)
    assert judge.computed == UNLABELLED and np.array_equal(again, np.roll(first, 1, axis=0))


def test_what_the_fit_reads_is_stored_and_the_store_can_be_off(judge):
    judge._storing = True
    _features(judge, UNLABELLED)
    assert len(FeatureStore(judge._store("minilm").folder)) == 1
    judge._storing, judge._memo, judge.computed = False, {}, []
    judge.feature_store, judge._stores = False, {}
    _features(judge, PAIRS + UNLABELLED)
    assert judge.computed == PAIRS + UNLABELLED and judge._store("minilm") is None
