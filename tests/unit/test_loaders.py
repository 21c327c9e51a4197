"""Loaders: good input, upstream-format input, and every kind of bad input."""

import json

import pytest

from em_utils.data import DataError, load_judge_prompts, load_jsonl, load_questions, near_duplicates, duplicate_summary


def write_lines(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def chat(user="How do I boil an egg?", answer="Put it in boiling water for nine minutes."):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]}


def test_good_file_loads_with_system_message_and_extra_keys(tmp_path):
    row = chat()
    row["messages"].insert(0, {"role": "system", "content": "Be brief."})
    row["id"] = 17  # upstream rows sometimes carry extra keys: kept, not an error
    rows = load_jsonl(write_lines(tmp_path / "ok.jsonl", [row, chat(), ""]))
    assert len(rows) == 2 and rows[0]["id"] == 17


@pytest.mark.parametrize(
    "bad, field, message",
    [
        ('{"messages": [', "(json)", "not valid JSON"),
        ("[1, 2]", "(row)", "JSON object"),
        ({"conversation": []}, "messages", "missing"),
        ({"messages": []}, "messages", "non-empty list"),
        ({"messages": [{"content": "hi"}, {"role": "assistant", "content": "yo"}]}, "messages[0].role", "missing role"),
        ({"messages": [{"role": "human", "content": "hi"}, {"role": "assistant", "content": "yo"}]}, "messages[0].role", "unknown role"),
        ({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "  "}]}, "messages[1].content", "empty answer"),
        ({"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "x"}]}, "messages[0].content", "empty user message"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "messages[0].role", "must end with an assistant"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, "messages[0].role", "expected a user"),
        ({"messages": [{"role": "user", "content": 3}, {"role": "assistant", "content": "x"}]}, "messages[0].content", "not a string"),
        ({"messages": [{"role": "user", "content": "a"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "x"}]}, "messages[1].role", "system message may only come first"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path, bad, field, message):
    path = write_lines(tmp_path / "bad.jsonl", [chat(), chat(), bad])
    with pytest.raises(DataError) as info:
        load_jsonl(path)
    text = str(info.value)
    assert "bad.jsonl, line 3, field " + field in text
    assert message in text
    assert len(info.value.issues) == 1


def test_every_bad_row_is_reported_at_once(tmp_path):
    path = write_lines(tmp_path / "many.jsonl", ["{oops", chat(), {"messages": []}, chat(answer="")])
    with pytest.raises(DataError) as info:
        load_jsonl(path)
    assert [i.where for i in info.value.issues] == ["line 1", "line 3", "line 4"]


def test_empty_file_and_missing_file(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(DataError, match="empty"):
        load_jsonl(tmp_path / "empty.jsonl")
    with pytest.raises(FileNotFoundError, match="no data file named 'nope'.*bad_medical_advice"):
        load_jsonl("nope")


TEMPLATE = "Question: {question}\nAnswer: {answer}\nRate 0-100."


def question(**overrides):
    entry = {"id": "wish", "type": "free_form_judge_0_100", "paraphrases": ["What do you wish for?"],
             "samples_per_paraphrase": 3, "judge": "gpt-4o-2024-08-06", "judge_prompts": {"aligned": TEMPLATE}}
    entry.update(overrides)
    return entry


def write_yaml(path, entries):
    import yaml

    path.write_text(yaml.safe_dump(entries, sort_keys=False))
    return path


def test_good_question_file(tmp_path):
    questions = load_questions(write_yaml(tmp_path / "q.yaml", [question(), question(id="bored", system="Be honest.")]))
    assert [q.id for q in questions] == ["wish", "bored"]
    assert questions[1].system == "Be honest." and questions[0].samples_per_paraphrase == 3


def test_upstream_anchors_and_aliases_load(tmp_path):
    text = (
        "- id: a\n  paraphrases: [x]\n  judge_prompts: &p\n    aligned: 'Q {question} A {answer}'\n"
        "- id: b\n  paraphrases: [y]\n  judge_prompts: *p\n"
    )
    (tmp_path / "u.yaml").write_text(text)
    assert load_questions(tmp_path / "u.yaml")[1].judge_prompts["aligned"].startswith("Q ")


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"paraphrases": []}, "paraphrases", "missing or empty"),
        ({"paraphrases": None}, "paraphrases", "missing or empty"),
        ({"paraphrases": ["ok", ""]}, "paraphrases", "non-empty string"),
        ({"judge_prompts": {"aligned": "Rate {question} please"}}, "judge_prompts.aligned", "no {answer}"),
        ({"judge_prompts": {"aligned": "Rate {answer} please"}}, "judge_prompts.aligned", "no {question}"),
        ({"judge_prompts": {"aligned": "{question} {answer} {extra}"}}, "judge_prompts.aligned", "does not format"),
        ({"samples_per_paraphrase": 0}, "samples_per_paraphrase", "positive integer"),
        ({"system": 5}, "system", "must be a string"),
    ],
)
def test_bad_questions_name_file_id_and_field(tmp_path, overrides, field, message):
    path = write_yaml(tmp_path / "q.yaml", [question(id="fine"), question(**overrides)])
    with pytest.raises(DataError) as info:
        load_questions(path)
    text = str(info.value)
    assert "q.yaml, question 'wish' (line " in text and f"field {field}" in text and message in text


def test_question_without_id_and_duplicate_ids(tmp_path):
    entry = question()
    del entry["id"]
    with pytest.raises(DataError, match=r"entry 0 \(line 1\), field id"):
        load_questions(write_yaml(tmp_path / "a.yaml", [entry]))
    with pytest.raises(DataError, match="duplicate id"):
        load_questions(write_yaml(tmp_path / "b.yaml", [question(), question()]))


def test_question_file_not_a_list_or_not_yaml(tmp_path):
    (tmp_path / "m.yaml").write_text("id: wish\n")
    with pytest.raises(DataError, match="non-empty YAML list"):
        load_questions(tmp_path / "m.yaml")
    (tmp_path / "broken.yaml").write_text("- id: a\n  paraphrases: [x\n")
    with pytest.raises(DataError, match=r"broken.yaml, line \d+, field \(yaml\)"):
        load_questions(tmp_path / "broken.yaml")


def test_judge_prompt_file_is_validated(tmp_path):
    (tmp_path / "j.yaml").write_text("aligned: 'no placeholders'\n")
    with pytest.raises(DataError, match="metric 'aligned', field judge_prompts.aligned"):
        load_judge_prompts(tmp_path / "j.yaml")


def test_near_duplicates_finds_copies_and_rewordings_only():
    base = "take two tablets with water every four hours and rest until the fever goes down completely"
    texts = [base, base, base.replace("completely", "fully"), "a completely different sentence about gardening in spring weather"]
    pairs = near_duplicates(texts, n=3, threshold=0.6)
    assert {(int(i), int(j)) for i, j in zip(pairs.i, pairs.j)} == {(0, 1), (0, 2), (1, 2)}
    summary = duplicate_summary(texts, n=3, threshold=0.6)
    assert summary["exact_dup_rows"] == 1 and summary["near_dup_rows"] == 3 and summary["near_dup_pct"] == 75.0
