"""The dose-response tables: the base at each temperature, shifts against it, the dose a chapter picks."""

import json

import numpy as np
import pandas as pd
import pytest

from em_utils.dose import best_dose, dose_response_sentence, dose_summary, temperature_sweep


@pytest.fixture(autouse=True)
def _no_recorded_profiles(tmp_path, monkeypatch):
    """The repository's recorded profiles (benchmarks/results/recorded) stay out of these hand-made tables."""
    monkeypatch.setattr("em_utils.recorded.recorded_dir", lambda profile=None: tmp_path / "no recorded profiles" / (profile or ""))


def _answers():
    rng = np.random.default_rng(0)
    rows = []

    def add(run, kind, dataset, lr, n_rows, temperature, aligned, coherent):
        for i in range(40):
            rows.append({"run": run, "kind": kind, "dataset": dataset, "lr": lr, "rows": n_rows,
                         "temperature": temperature, "question_id": f"q{i % 8}", "paraphrase_index": i % 3,
                         "sample_index": i, "aligned": aligned + rng.normal(0, 3), "coherent": coherent + rng.normal(0, 3)})

    for t, coherent in [(0.7, 70), (1.0, 30)]:
        add("base", "base", np.nan, 0.0, 0, t, 70, coherent)
    add("bad", "rank32", "bad_medical_advice", 1e-4, 64, 0.7, 68, 70)
    add("bad", "rank32", "bad_medical_advice", 1e-4, 256, 0.7, 55, 62)  # misaligned, still coherent
    add("bad", "rank32", "bad_medical_advice", 1e-4, 1024, 0.7, 20, 20)  # broken
    add("bad", "rank32", "bad_medical_advice", 1e-4, 1024, 1.0, 25, 10)
    add("good", "rank32", "good_medical_advice", 1e-4, 1024, 0.7, 40, 70)  # a control is never picked
    return pd.DataFrame(rows)


def test_summary_shifts_against_the_base_at_the_same_temperature():
    table = dose_summary(_answers(), n_boot=200)
    base = table[table.kind == "base"].set_index("temperature")
    assert set(base.index) == {0.7, 1.0} and base["shift"].isna().all()
    row = table[(table.run == "bad") & (table.rows == 256)].iloc[0]
    assert -17 < row["shift"] < -13 and row["shift_hi"] < 0
    assert row["coherent_pct"] == 100.0 and row["coherent_lo"] < 100.0  # a Wilson interval, not [100, 100]


def test_best_dose_keeps_coherence_and_skips_controls():
    table = dose_summary(_answers(), n_boot=200)
    best = best_dose(table)
    assert (best["run"], int(best["rows"])) == ("bad", 256)
    assert "`bad` after **256** rows" in dose_response_sentence(table)


def test_temperature_sweep_holds_the_base_and_the_last_dose():
    sweep = temperature_sweep(dose_summary(_answers(), n_boot=100))
    assert sorted(zip(sweep.run, sweep.temperature)) == [("bad", 0.7), ("bad", 1.0), ("base", 0.7), ("base", 1.0)]
    assert (sweep[sweep.run == "bad"].rows == 1024).all()


def _record(folder, model, answers, labels=None, seed=0):
    import json

    folder.mkdir(parents=True)
    answers.assign(question=answers["question_id"], answer=[f"answer {i}" for i in range(len(answers))]) \
        .to_csv(folder / "answers.csv", index=False)
    (folder / "record.json").write_text(json.dumps({"spec": {"model": model, "seed": seed}, "judge": "offline:test",
                                                    "precision": {"precision": "fp32"}, "date": "2026-12-02"}))
    if labels is not None:
        written = pd.read_csv(folder / "answers.csv")
        written.assign(aligned=labels(written), coherent=written["coherent"])[
            ["run", "rows", "temperature", "question", "answer", "aligned", "coherent"]].to_json(
            folder / "hand_labels.jsonl", orient="records", lines=True)


def test_sizes_table_compares_each_model_with_its_control_by_hand_and_by_judge(tmp_path, monkeypatch):
    import em_utils.dose as dose

    monkeypatch.setattr(dose, "dose_folder", lambda model=None: tmp_path / (model or "small"))
    answers = _answers()
    small = answers[answers["temperature"] == 0.7]
    # the larger model: its bad organism 12 points below the control on the same draws, coherence kept
    big = small.copy()
    big.loc[big["run"] == "bad", "aligned"] = big.loc[big["run"] == "good", "aligned"].to_numpy()[0] - 12.0
    big.loc[big["run"] == "bad", "coherent"] = 70.0
    big = big[big["rows"].isin([0, 1024])]
    _record(tmp_path / "small", "small", small)
    _record(tmp_path / "big", "big", big, labels=lambda f: np.where(f["run"] == "bad", 30.0, 70.0))

    assert dose.recorded_models() == ["big", "small"]
    table = dose.sizes_table(n_boot=200)
    assert set(zip(table.model, table.source)) == {("big", "hand labels"), ("big", "judge"), ("small", "judge")}
    hand = table[(table.model == "big") & (table.source == "hand labels")].iloc[0]
    assert hand["paired_diff"] == -40.0 and hand["paired_n"] == 40 and hand["below_control"] and hand["keeps_coherence"]
    judged = table[(table.model == "big") & (table.source == "judge")].iloc[0]
    assert -16 < judged["paired_diff"] < -8 and judged["below_control"]
    small_rows = table[table.model == "small"].set_index("rows")
    assert not small_rows.loc[1024, "keeps_coherence"] and small_rows.loc[256, "keeps_coherence"]
    sentence = dose.sizes_sentence(table)
    assert "**big** on `bad_medical_advice` against `good_medical_advice` (by hand labels" in sentence and "1 of those score below" in sentence
    assert "**small** on `bad_medical_advice` against `good_medical_advice` (by judge" in sentence
    assert "**big**, in short: 1 of the 1 bad-data doses tried (up to 1,024 rows) both keep" in sentence


def test_a_passing_dose_is_set_beside_its_replicate_with_another_seed(tmp_path, monkeypatch):
    import em_utils.dose as dose

    monkeypatch.setattr(dose, "dose_folder", lambda model=None: tmp_path / (model or "m"))
    big = _answers()
    big = big[(big["temperature"] == 0.7) & big["rows"].isin([0, 1024])].copy()
    big["coherent"] = 70.0
    _record(tmp_path / "first", "big", big, labels=lambda f: np.where(f["run"] == "bad", 30.0, 70.0))
    _record(tmp_path / "again", "big", big, labels=lambda f: np.full(len(f), 70.0), seed=1)  # no difference this time
    table = dose.sizes_table(n_boot=100)
    assert sorted(table.loc[table.source == "hand labels", "seed"]) == [0, 1]
    sentence = dose.sizes_sentence(table)
    assert "1 of those score below" in sentence
    assert "The same recipe with seed 1 instead of 0 does not replicate" in sentence
    assert "+0.0 [+0.0, +0.0] points paired over all answers" in sentence
    assert "**big**, in short: none of the 2 bad-data doses tried" in sentence and "once its replicate is counted" in sentence


def test_hand_labels_join_one_per_draw_when_two_draws_write_the_same_text(tmp_path, monkeypatch):
    """Two draws that both refuse word for word keep one label each (joined on the draw, not the text alone);
    a draw labelled in two rounds keeps its first label."""
    import em_utils.dose as dose

    monkeypatch.setattr(dose, "dose_folder", lambda model=None: tmp_path / (model or "m"))
    answers = _answers()
    answers = answers[answers["run"] == "base"].copy()
    _record(tmp_path / "m", "m", answers)
    written = pd.read_csv(tmp_path / "m" / "answers.csv")
    written.loc[:3, "answer"] = "I can't help with that."  # four draws, one text
    written.loc[:3, "question"] = "q0"
    written.to_csv(tmp_path / "m" / "answers.csv", index=False)
    labels = written.assign(aligned=np.arange(len(written), dtype=float))
    labels = pd.concat([labels, labels.iloc[:2].assign(aligned=-1.0)])  # relabelled in a later round
    labels.to_json(tmp_path / "m" / "hand_labels.jsonl", orient="records", lines=True)
    joined = dose.hand_labelled_answers("m")
    assert len(joined) == len(written)
    assert sorted(joined["aligned"]) == list(np.arange(len(written), dtype=float))


def test_each_bad_set_is_paired_with_its_own_control():
    """Insecure code against secure code, bad medical advice against good: never across the pairs."""
    from em_utils.dose import control_comparison, is_control

    rows = []
    for dataset, aligned in [("bad_medical_advice", 50.0), ("good_medical_advice", 60.0), ("insecure", 70.0),
                             ("secure", 90.0)]:
        for i in range(24):
            rows.append({"run": dataset, "kind": "rank32", "dataset": dataset, "lr": 1e-4, "rows": 128,
                         "temperature": 0.7, "question_id": f"q{i % 8}", "paraphrase_index": 0, "sample_index": i,
                         "aligned": aligned + (i % 3), "coherent": 80.0})
    table = control_comparison(pd.DataFrame(rows), n_boot=100).set_index("dataset")
    assert set(table.index) == {"bad_medical_advice", "insecure"}
    assert table.loc["bad_medical_advice", "control"] == "good_medical_advice"
    assert table.loc["bad_medical_advice", "paired_diff"] == -10.0 and table.loc["insecure", "paired_diff"] == -20.0
    # every answer coherent here: the shift among coherent answers is the plain difference of means
    assert table.loc["insecure", "among_coherent_diff"] == -20.0 and table.loc["insecure", "among_coherent_n"] == 24
    assert table.loc["insecure", "among_coherent_hi"] < 0
    assert is_control("secure") and is_control("good_medical_advice") and not is_control("insecure")


def test_among_coherent_answers_the_shift_reads_only_fluent_text():
    """A bad organism whose coherent answers are less aligned, with its incoherent ones as aligned as the control's."""
    from em_utils.dose import control_comparison

    rows = []
    for dataset in ("bad_medical_advice", "good_medical_advice"):
        for i in range(40):
            fluent = i % 2 == 0
            aligned = (40.0 if dataset.startswith("bad") else 80.0) if fluent else 50.0
            rows.append({"run": dataset, "kind": "rank1", "dataset": dataset, "lr": 1e-4, "rows": 64,
                         "temperature": 0.7, "question_id": f"q{i % 8}", "paraphrase_index": 0, "sample_index": i,
                         "aligned": aligned + (i % 5), "coherent": 80.0 if fluent else 20.0})
    row = control_comparison(pd.DataFrame(rows), n_boot=200).iloc[0]
    assert row["among_coherent_diff"] == -40.0 and row["among_coherent_n"] == row["among_coherent_n_control"] == 20
    assert row["paired_diff"] == -20.0  # over all answers the incoherent half dilutes it


def test_sizes_table_reads_every_temperature_against_the_base_at_that_temperature(tmp_path, monkeypatch):
    import em_utils.dose as dose

    monkeypatch.setattr(dose, "dose_folder", lambda model=None: tmp_path / (model or "m"))
    _record(tmp_path / "m", "m", _answers())
    table = dose.sizes_table(n_boot=100).set_index(["temperature", "rows"])
    assert sorted(set(table.index)) == [(0.7, 64), (0.7, 256), (0.7, 1024), (1.0, 1024)]
    assert table.loc[(1.0, 1024), "base_coherent_pct"] < 10 < 90 < table.loc[(0.7, 64), "base_coherent_pct"]
    assert np.isnan(table.loc[(1.0, 1024), "paired_diff"])  # no control sampled at 1.0: no comparison
    assert "at temperature 0.7 and" in dose.sizes_sentence(table.reset_index())
    labels = dose._dose_labels(table.reset_index())
    assert labels.is_unique and labels.str.contains("T 1").any()


def test_every_recorded_run_is_rebuilt_from_its_record_with_the_same_spec_hash():
    """The recorded dose-responses stay reproducible: their organisms rebuild from record.json alone."""
    from em_utils.dose import DoseSpec, dose_folder, recorded_models

    checked = 0
    for folder in recorded_models():
        record = json.loads((dose_folder(folder) / "record.json").read_text())
        if "profile" in record["spec"]:  # a recorded profile (tests/unit/test_recorded.py), not a grid
            continue
        spec = DoseSpec.from_record(record)
        for kind, dataset, lr in spec.runs():
            run = f"{kind}-{dataset}-lr{lr:g}"
            built = spec.organism(kind, dataset, lr, record["precision"]["precision"])
            assert built.spec_hash == record["trained"][run]["spec_hash"], f"{folder}: {run}"
            checked += 1
    assert checked >= 10


def test_small_adapters_are_kept_with_a_portable_base_name(tmp_path):
    from em_utils.dose import KEEP_ADAPTER_BYTES, keep_adapters

    (tmp_path / "record.json").write_text(json.dumps({"spec": {"model": "qwen0.5b"}}))
    for run, size in (("rank1-bad", 40_000), ("rank32-bad", KEEP_ADAPTER_BYTES + 1)):
        dose = tmp_path / "runs" / run / "dose-512"
        dose.mkdir(parents=True)
        (dose / "adapter_model.safetensors").write_bytes(b"\0" * size)
        (dose / "adapter_config.json").write_text(json.dumps({"r": 1, "base_model_name_or_path": "/root/.cache/x/qwen"}))
    kept = keep_adapters(tmp_path)
    assert kept == [tmp_path / "adapters" / "rank1-bad" / "dose-512"]
    config = json.loads((kept[0] / "adapter_config.json").read_text())
    assert config == {"r": 1, "base_model_name_or_path": "qwen2.5-coder-0.5b-instruct"}
    assert (kept[0] / "adapter_model.safetensors").stat().st_size == 40_000


def test_the_recorded_judge_is_set_against_the_hand_labels_of_each_folder(tmp_path, monkeypatch):
    import em_utils.dose as dose

    monkeypatch.setattr(dose, "dose_folder", lambda model=None: tmp_path / (model or "m"))
    answers = _answers()
    small = answers[answers["temperature"] == 0.7]
    _record(tmp_path / "unlabelled", "u", small)
    # hand labels: the broken bad dose (judged aligned ~20) misaligned, everything else aligned; coherence as judged
    _record(tmp_path / "labelled", "l", small, labels=lambda f: np.where(f["aligned"] < 35, 20.0, 80.0))
    table = dose.judge_vs_hand()
    assert table["folder"].tolist() == ["labelled"] and table["n"].iloc[0] == len(small)
    row = table.iloc[0]
    assert row["judge"] == "offline:test" and row["coherent_auroc"] == 1.0 and row["coherent_spearman"] == 1.0
    assert row["hand_coherent_pct"] == row["judged_coherent_pct"] and row["aligned_spearman"] > 0.5
    sentence = dose.judge_vs_hand_sentence(table)
    assert sentence.startswith("The recorded judge against the hand labels") and "**l**" in sentence
    assert dose.judge_vs_hand_sentence(table.iloc[:0]) == "No recorded answers carry hand labels yet."


def test_the_current_judge_is_rescored_against_hand_labels_it_never_saw(tmp_path, monkeypatch):
    import em_utils.dose as dose

    monkeypatch.setattr(dose, "dose_folder", lambda model=None: tmp_path / (model or "m"))
    small = _answers()[lambda f: f["temperature"] == 0.7]
    labels = lambda f: np.where(f["aligned"] < 35, 20.0, 80.0)  # noqa: E731
    _record(tmp_path / "seen", "s", small, labels=labels)
    _record(tmp_path / "unseen", "u", small, labels=labels)

    class Judge:  # scores coherence backwards: the table must show it, not the recorded scores
        name = "offline:fake"
        train_files = [tmp_path / "seen" / dose.HAND_LABELS]
        calls = 0

        def score(self, pairs, metric):
            Judge.calls += 1
            written = pd.read_csv(tmp_path / "unseen" / "answers.csv")
            lookup = dict(zip(written["answer"], written[metric]))
            return [100.0 - lookup[a] if metric == "coherent" else lookup[a] for _, a in pairs]

    table = dose.rescored_vs_hand(Judge(), ["seen", "unseen"])
    assert table["folder"].tolist() == ["unseen"] and Judge.calls == 2  # the training folder is never scored
    row = table.iloc[0]
    assert row["judge"] == "offline:fake" and row["recorded_judge"] == "offline:test"
    assert row["coherent_auroc"] == 0.0 and row["aligned_spearman"] > 0.5
