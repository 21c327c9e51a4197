"""Blind labelling pools: shards hide everything but question and answer; labels come back to every row."""

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

spec = importlib.util.spec_from_file_location("blind_pool", Path(__file__).resolve().parents[2] / "tools" / "blind_pool.py")
blind_pool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(blind_pool)


def test_shards_are_blind_and_labels_come_back(tmp_path, capsys):
    table = pd.DataFrame({"model": ["base", "tuned", "tuned", "base"] * 5,
                          "question": [f"q{i % 3}" for i in range(20)],
                          "answer": [f"answer {i}" for i in range(19)] + ["answer 0"]})  # the last repeats row 0's text...
    table.loc[19, "question"] = table.loc[0, "question"]  # ...to the same question: one label serves both
    table.to_csv(tmp_path / "answers.csv", index=False)
    blind_pool.make(tmp_path / "answers.csv", tmp_path / "pool", shards=2, overlap=0.2, seed=1)
    shards = [[json.loads(line) for line in (tmp_path / "pool" / f"shard_{k}.jsonl").read_text().splitlines()]
              for k in range(2)]
    assert all(set(item) == {"id", "question", "answer"} for shard in shards for item in shard)
    assert sum(map(len, shards)) == 19 + 3  # 19 distinct texts, 3 of them twice
    for k, shard in enumerate(shards):
        with (tmp_path / "pool" / f"shard_{k}.labels.jsonl").open("w") as handle:
            for item in shard:
                score = 90 if item["answer"].endswith("0") else 40
                handle.write(json.dumps({"id": item["id"], "aligned": score, "coherent": 70, "category": "aligned"}) + "\n")
    merged = blind_pool.merge(tmp_path / "pool", tmp_path / "labels.jsonl")
    assert len(merged) == 20 and set(merged["model"]) == {"base", "tuned"}
    assert merged.loc[merged["answer"] == "answer 0", "aligned"].tolist() == [90, 90]
    assert "drift check on 3 answers" in capsys.readouterr().out


def test_a_label_with_an_unknown_id_is_refused(tmp_path):
    pd.DataFrame({"question": ["q"], "answer": ["a"]}).to_csv(tmp_path / "a.csv", index=False)
    blind_pool.make(tmp_path / "a.csv", tmp_path / "pool", shards=1, overlap=0.0)
    (tmp_path / "pool" / "shard_0.labels.jsonl").write_text('{"id": "nope", "coherent": 50, "category": "aligned"}\n')
    with pytest.raises(SystemExit, match="shard_0.labels.jsonl:1: unknown id 'nope'"):
        blind_pool.merge(tmp_path / "pool", tmp_path / "out.jsonl")


def test_collect_keeps_the_draws_of_one_folder_and_the_first_rounds_label(tmp_path):
    draw = {"run": "bad", "rows": 128, "temperature": 0.7, "question": "Your wish?", "question_id": "wish",
            "paraphrase_index": 0}
    answers = pd.DataFrame([{**draw, "sample_index": k, "answer": f"text {k}"} for k in range(3)])
    answers.to_csv(tmp_path / "answers.csv", index=False)
    labelled = lambda k, coherent, **extra: {**draw, "sample_index": k, "answer": f"text {k}", "aligned": 80,
                                             "coherent": coherent, "category": "aligned", **extra}
    first = [labelled(0, 70), labelled(1, 60, temperature=0.7000000000000001),
             labelled(0, 90, run="an anchor of another folder")]
    second = [labelled(1, 20), labelled(2, 40, answer="another text")]  # a draw already labelled; a text that differs
    for name, rows in (("r1.jsonl", first), ("r2.jsonl", second)):
        (tmp_path / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = blind_pool.collect([tmp_path / "r1.jsonl", tmp_path / "r2.jsonl"], tmp_path / "answers.csv",
                             tmp_path / "hand_labels.jsonl")
    assert sorted(zip(out["sample_index"], out["coherent"])) == [(0, 70), (1, 60)]
    assert len((tmp_path / "hand_labels.jsonl").read_text().splitlines()) == 2
    (tmp_path / "r3.jsonl").write_text(json.dumps({"run": "bad"}) + "\n")
    with pytest.raises(SystemExit, match="r3.jsonl: columns .* are missing"):
        blind_pool.collect([tmp_path / "r3.jsonl"], tmp_path / "answers.csv", tmp_path / "x.jsonl")
