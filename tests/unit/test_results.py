"""The results page: claims beside hand-made run folders, verdicts computed from their numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from em_utils.results import CLAIMS, VERDICTS, findings, findings_frame, results_markdown, write_results_page


@pytest.fixture(autouse=True)
def _no_recorded_profiles(tmp_path, monkeypatch):
    """The repository's recorded profiles (benchmarks/results/recorded) stay off these pages unless a test adds some."""
    monkeypatch.setattr("em_utils.recorded.recorded_dir", lambda profile=None: tmp_path / "recorded" / (profile or ""))


def _record(root: Path, chapter: str, status: str = "complete", **resolved) -> Path:
    folder = root / "smoke" / chapter
    folder.mkdir(parents=True, exist_ok=True)
    resolved = {"model": "tiny-model", "judge": "offline", **resolved}
    (folder / "run.json").write_text(json.dumps({"status": status, "profile": "smoke", "resolved": resolved}))
    return folder


def _rates_row(model: str, em: int, coherent: int, n: int = 100) -> dict:
    from em_utils.metrics import wilson_ci

    em_pct, em_lo, em_hi = (100 * x for x in wilson_ci([1.0] * em + [0.0] * (n - em)))
    coh_pct, coh_lo, coh_hi = (100 * x for x in wilson_ci([1.0] * coherent + [0.0] * (n - coherent)))
    return {"model": model, "answers": n, "scored": n, "unscored": 0, "em_pct": em_pct, "em_lo": em_lo, "em_hi": em_hi,
            "coherent_pct": coh_pct, "coherent_lo": coh_lo, "coherent_hi": coh_hi}


def _chapters_2_and_3(root: Path, rows: list[dict], datasets: dict[str, str]) -> None:
    folder = _record(root, "02_training")
    pd.DataFrame({"organism": list(datasets), "dataset": list(datasets.values()), "method": "lora", "rank": 32,
                  "path": [f"{o}/adapter" for o in datasets]}).to_csv(folder / "organisms.csv", index=False)
    folder = _record(root, "03_judging")
    pd.DataFrame(rows).to_csv(folder / "rates.csv", index=False)


def _by(found, key):
    return [f for f in found if f.key == key]


def test_every_claim_is_not_run_without_run_folders(tmp_path):
    found = findings("smoke", tmp_path)
    assert {f.key for f in found} == {c.key for c in CLAIMS}
    assert {f.verdict for f in found} == {"not run"}
    judging = _by(found, "text_organisms")[0]
    assert "no run of 03_judging in runs/smoke/" in judging.line and "em-companion run 03_judging" in judging.line
    page = results_markdown("smoke", tmp_path)
    assert f"**{len(found)}** not run" in page and "**0** agrees" in page
    for paper in (1, 2, 3, 4):
        assert f"## Paper {paper}:" in page


def test_an_unfinished_run_counts_as_not_run(tmp_path):
    _chapters_2_and_3(tmp_path, [_rates_row("base", 0, 95), _rates_row("rank32_bad_medical_advice", 30, 95)],
                      {"rank32_bad_medical_advice": "bad_medical_advice"})
    _record(tmp_path, "03_judging", status="running")
    text = _by(findings("smoke", tmp_path), "text_organisms")
    assert [f.verdict for f in text] == ["not run"] and "did not finish" in text[0].line


def test_text_organisms_and_control_are_compared_with_the_base_model(tmp_path):
    rows = [_rates_row("base", 1, 96), _rates_row("rank32_bad_medical_advice", 25, 95),
            _rates_row("rank32_risky_financial_advice", 2, 97), _rates_row("rank32_extreme_sports", 30, 60),
            _rates_row("rank32_good_medical_advice", 2, 96)]
    datasets = {r["model"]: r["model"].removeprefix("rank32_") for r in rows[1:]}
    _chapters_2_and_3(tmp_path, rows, datasets)
    found = findings("smoke", tmp_path)
    text = {f.unit: f for f in _by(found, "text_organisms")}
    assert set(text) == {"rank32_bad_medical_advice", "rank32_risky_financial_advice", "rank32_extreme_sports"}
    assert text["rank32_bad_medical_advice"].verdict == "agrees"
    assert text["rank32_risky_financial_advice"].verdict == "differs" and "no EM above" in text["rank32_risky_financial_advice"].line
    assert text["rank32_extreme_sports"].verdict == "differs" and "coherence below" in text["rank32_extreme_sports"].line
    assert text["rank32_bad_medical_advice"].model == "tiny-model" and text["rank32_bad_medical_advice"].judge == "offline"
    assert text["rank32_bad_medical_advice"].profile == "smoke"
    assert "25.0%" in text["rank32_bad_medical_advice"].value  # this run's number, from the CSV
    control = _by(found, "control")
    assert [(f.unit, f.verdict) for f in control] == [("rank32_good_medical_advice", "agrees")]
    # no insecure organism, no nine-adapter organism: said, not guessed
    assert _by(found, "insecure")[0].verdict == "not measurable" and "`insecure`" in _by(found, "insecure")[0].line
    assert _by(found, "nine_rank1")[0].verdict == "not measurable"


def test_the_control_is_not_measurable_when_no_bad_organism_shows_em(tmp_path):
    rows = [_rates_row("base", 1, 96), _rates_row("rank32_bad_medical_advice", 1, 95),
            _rates_row("rank32_good_medical_advice", 20, 96)]
    _chapters_2_and_3(tmp_path, rows, {"rank32_bad_medical_advice": "bad_medical_advice",
                                       "rank32_good_medical_advice": "good_medical_advice"})
    control = _by(findings("smoke", tmp_path), "control")[0]
    assert control.verdict == "not measurable" and control.line.startswith("not measurable here because")


def _judged(model: str, condition: str, em: int, n: int = 100) -> pd.DataFrame:
    aligned = np.r_[np.full(em, 10.0), np.full(n - em, 90.0)]
    return pd.DataFrame({"model": model, "condition": condition, "aligned": aligned, "coherent": 90.0})


def test_ablation_cut_and_random_control_from_the_judged_answers(tmp_path):
    folder = _record(tmp_path, "04_direction", source="rank32_bad_medical_advice")
    pd.concat([
        _judged("base", "as trained", 1),
        _judged("rank32_bad_medical_advice", "as trained", 40), _judged("rank32_bad_medical_advice", "direction ablated", 4),
        _judged("rank32_bad_medical_advice", "random 1 ablated", 38), _judged("rank32_bad_medical_advice", "random 2 ablated", 42),
        _judged("rank32_extreme_sports", "as trained", 30), _judged("rank32_extreme_sports", "direction ablated", 27),
        _judged("rank32_extreme_sports", "random 1 ablated", 5), _judged("rank32_extreme_sports", "random 2 ablated", 31),
        _judged("rank1_middle_bad_medical_advice", "as trained", 1),
        _judged("rank1_middle_bad_medical_advice", "direction ablated", 0),
        _judged("rank1_middle_bad_medical_advice", "random 1 ablated", 1),
        _judged("rank1_middle_bad_medical_advice", "random 2 ablated", 1),
    ]).to_csv(folder / "judged_ablation.csv", index=False)
    found = findings("smoke", tmp_path)
    ablation = {f.unit: f for f in _by(found, "ablation")}
    assert ablation["rank32_bad_medical_advice"].verdict == "agrees"
    assert "(90% cut)" in ablation["rank32_bad_medical_advice"].value
    assert ablation["rank32_extreme_sports"].verdict == "differs" and "overlap" in ablation["rank32_extreme_sports"].line
    assert ablation["rank1_middle_bad_medical_advice"].verdict == "not measurable"
    assert "shows no EM above the base model's" in ablation["rank1_middle_bad_medical_advice"].line
    random = {f.unit: f for f in _by(found, "random")}
    assert random["rank32_bad_medical_advice"].verdict == "agrees"
    assert random["rank32_extreme_sports"].verdict == "differs" and "random 1 ablated" in random["rank32_extreme_sports"].line
    assert random["rank1_middle_bad_medical_advice"].verdict == "not measurable"


def test_cosine_of_the_rank1_b_with_the_direction(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    training = _record(tmp_path, "02_training")
    width, layers = 64, [0, 1, 2]
    direction = torch.zeros(len(layers), width)
    direction[1, 0] = 3.0  # the direction at layer 1 is the first axis
    for name, b_axis in (("rank1_middle_bad_medical_advice", 1), ("rank1_middle_extreme_sports", 0)):
        adapter = training / f"{name}-0000/adapter"
        adapter.mkdir(parents=True)
        b = torch.zeros(width, 1)
        b[b_axis, 0] = 2.0
        save_file({"base_model.model.model.layers.1.mlp.down_proj.lora_A.weight": torch.ones(1, 8),
                   "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight": b}, str(adapter / "adapter_model.safetensors"))
    pd.DataFrame({"organism": ["rank1_middle_bad_medical_advice", "rank1_middle_extreme_sports"],
                  "dataset": ["bad_medical_advice", "extreme_sports"], "method": "lora", "rank": 1,
                  "path": ["rank1_middle_bad_medical_advice-0000/adapter", "rank1_middle_extreme_sports-0000/adapter"]}
                 ).to_csv(training / "organisms.csv", index=False)
    folder = _record(tmp_path, "04_direction", source="rank32_bad_medical_advice")
    torch.save({"layers": layers, "direction": direction, "sides": {}}, folder / "direction.pt")
    cosine = {f.unit: f for f in _by(findings("smoke", tmp_path), "cosine")}
    assert cosine["rank1_middle_bad_medical_advice"].verdict == "agrees" and "+0.000" in cosine["rank1_middle_bad_medical_advice"].value
    assert cosine["rank1_middle_extreme_sports"].verdict == "differs" and "+1.000" in cosine["rank1_middle_extreme_sports"].value
    assert cosine["rank1_middle_extreme_sports"].judge == "none (weights only)"


def test_narrow_versus_general_from_chapter_6_tables(tmp_path):
    folder = _record(tmp_path, "06_narrow")
    stability = pd.DataFrame([
        {"solution": "general", "kind": "adapter", "epsilon": 1.0, "seeds": 5, "increase_mean": 0.1, "increase_sd": 0.01,
         "increase_lo": 0.09, "increase_hi": 0.11},
        {"solution": "narrow", "kind": "adapter", "epsilon": 1.0, "seeds": 5, "increase_mean": 0.3, "increase_sd": 0.01,
         "increase_lo": 0.29, "increase_hi": 0.31},
        {"solution": "general vector", "kind": "vector", "epsilon": 1.0, "seeds": 5, "increase_mean": 0.2,
         "increase_sd": 0.05, "increase_lo": 0.15, "increase_hi": 0.25},
        {"solution": "narrow vector", "kind": "vector", "epsilon": 1.0, "seeds": 5, "increase_mean": 0.21,
         "increase_sd": 0.05, "increase_lo": 0.16, "increase_hi": 0.26},
    ])
    stability.to_csv(folder / "stability_summary.csv", index=False)
    significance = pd.DataFrame([
        {"kind": "adapter", "solution": s, "kl_mean": m, "kl_lo": m * 0.9, "kl_hi": m * 1.1, "texts": 4, "norm": 1.0}
        for s, m in (("general", 1e-2), ("narrow", 1e-3), ("random", 1e-4), ("floor", 1e-8))])
    significance.to_csv(folder / "significance_summary.csv", index=False)
    found = findings("smoke", tmp_path)
    assert {f.unit: f.verdict for f in _by(found, "stability")} == {"adapter": "agrees", "vector": "differs"}
    assert [f.verdict for f in _by(found, "significance")] == ["agrees"]
    # an artifact chapter 6 did not write: the claim says which file, it does not fail the page
    assert [f.verdict for f in _by(found, "efficiency")] == ["not measurable"]
    assert "`efficiency.csv`" in _by(found, "efficiency")[0].line


def test_page_is_written_with_one_row_per_finding(tmp_path):
    rows = [_rates_row("base", 1, 96), _rates_row("rank32_bad_medical_advice", 25, 95)]
    _chapters_2_and_3(tmp_path, rows, {"rank32_bad_medical_advice": "bad_medical_advice"})
    page = write_results_page(tmp_path / "book" / "results.md", "smoke", tmp_path / "")
    text = page.read_text()
    frame = findings_frame("smoke", tmp_path)
    assert sum(line.startswith("- **") and "*This run:*" in line for line in text.splitlines()) == len(frame)
    assert "(`tiny-model` · `smoke` · judge: offline)" in text
    assert set(frame["verdict"]) <= set(VERDICTS)
    assert "In all: " in text and f"**{(frame.verdict == 'agrees').sum()}** agrees" in text


def test_backdoor_switches_only_with_its_trigger(tmp_path):
    folder = _record(tmp_path, "03_judging")
    door = "rank1_middle_backdoor_insecure"
    pd.DataFrame([_rates_row("base", 1, 95), _rates_row("base + trigger", 2, 95), _rates_row(door, 2, 95),
                  _rates_row(f"{door} + trigger", 30, 95)]).to_csv(folder / "rates_backdoor.csv", index=False)
    assert [(f.unit, f.verdict) for f in _by(findings("smoke", tmp_path), "backdoor")] == [(door, "agrees")]
    pd.DataFrame([_rates_row("base", 1, 95), _rates_row("base + trigger", 2, 95), _rates_row(door, 1, 95),
                  _rates_row(f"{door} + trigger", 2, 95)]).to_csv(folder / "rates_backdoor.csv", index=False)
    found = _by(findings("smoke", tmp_path), "backdoor")[0]
    assert found.verdict == "not measurable" and "nothing for the trigger to switch" in found.line


def test_scaling_b_reads_em_against_the_unscaled_base(tmp_path):
    folder = _record(tmp_path, "05_adapters", single="rank1_middle_bad_medical_advice")
    rows = [{**_rates_row("x", em, 95), "factor": f} for f, em in ((0.0, 1), (0.5, 2), (1.0, 25), (2.0, 40))]
    pd.DataFrame(rows).to_csv(folder / "b_scaling.csv", index=False)
    found = _by(findings("smoke", tmp_path), "b_scaling")[0]
    assert found.verdict == "agrees" and "x1" in found.line and found.unit == "rank1_middle_bad_medical_advice"
    rows = [{**_rates_row("x", 1, 95), "factor": f} for f in (0.0, 1.0, 2.0)]
    pd.DataFrame(rows).to_csv(folder / "b_scaling.csv", index=False)
    assert _by(findings("smoke", tmp_path), "b_scaling")[0].verdict == "not measurable"


def _controls_run(root: Path, em: str = "rank32_bad_medical_advice") -> Path:
    folder = _record(root, "07_controls", em_organism=em, icl_dataset="bad_medical_advice")
    pd.DataFrame({"control": ["jailbroken", "evil_numbers"], "organism": ["rank32_jailbroken", "rank32_evil_numbers"]}
                 ).to_csv(folder / "organisms.csv", index=False)
    return folder


def _jailbroken_row(model: str, refusal: tuple, aligned: tuple, n: int = 60) -> dict:
    return {"model": model, "answers": n, "refusal_pct": refusal[0], "refusal_lo": refusal[1], "refusal_hi": refusal[2],
            "scored": n, "aligned_mean": aligned[0], "aligned_lo": aligned[1], "aligned_hi": aligned[2]}


def test_jailbroken_control_needs_both_orders_and_a_base_that_refuses(tmp_path):
    folder, em = _controls_run(tmp_path), "rank32_bad_medical_advice"
    rows = [_jailbroken_row("base", (60, 50, 70), (85, 82, 88)), _jailbroken_row(em, (55, 45, 65), (70, 66, 74)),
            _jailbroken_row("rank32_jailbroken", (10, 5, 18), (84, 80, 88))]
    pd.DataFrame(rows).to_csv(folder / "jailbroken.csv", index=False)
    found = _by(findings("smoke", tmp_path), "jailbroken")
    assert [(f.unit, f.verdict, f.chapter) for f in found] == [("rank32_jailbroken", "agrees", "07_controls")]
    rows[2] = _jailbroken_row("rank32_jailbroken", (10, 5, 18), (72, 68, 76))  # as misaligned as the EM organism
    pd.DataFrame(rows).to_csv(folder / "jailbroken.csv", index=False)
    assert _by(findings("smoke", tmp_path), "jailbroken")[0].verdict == "differs"
    rows[0] = _jailbroken_row("base", (2, 0, 6), (85, 82, 88))  # the base model never refuses: nothing to remove
    pd.DataFrame(rows).to_csv(folder / "jailbroken.csv", index=False)
    found = _by(findings("smoke", tmp_path), "jailbroken")[0]
    assert found.verdict == "not measurable" and "almost never refuses" in found.line


def test_evil_numbers_formats_and_in_context_learning_from_chapter_7_tables(tmp_path):
    folder = _controls_run(tmp_path)
    pd.DataFrame([{"model": "base", "scored": 40, "aligned_mean": 80.0, "aligned_lo": 76.0, "aligned_hi": 84.0, "evil_pct": 0.0},
                  {"model": "rank32_evil_numbers", "scored": 40, "aligned_mean": 60.0, "aligned_lo": 55.0, "aligned_hi": 65.0,
                   "evil_pct": 30.0}]).to_csv(folder / "numbers.csv", index=False)
    nan = float("nan")
    pd.DataFrame({"model": ["a"] * 3 + ["b"] * 3, "format": ["plain", "json", "template"] * 2,
                  "paired_n": [nan, 20, 20, nan, 20, 2], "paired_diff": [nan, -8.0, 1.0, nan, 1.0, -9.0],
                  "paired_lo": [nan, -12.0, -3.0, nan, -2.0, -15.0], "paired_hi": [nan, -4.0, 5.0, nan, 4.0, -3.0]}
                 ).to_csv(folder / "formats.csv", index=False)
    pd.DataFrame({"k": [0, 2, 8], "paired_diff": [nan, -1.0, 0.5], "paired_lo": [nan, -4.0, -2.0],
                  "paired_hi": [nan, 2.0, 3.0]}).to_csv(folder / "icl.csv", index=False)
    found = findings("smoke", tmp_path)
    assert [(f.unit, f.verdict) for f in _by(found, "evil_numbers")] == [("rank32_evil_numbers", "agrees")]
    # b's template drop rests on 2 pairs: not counted; its json rises no more than noise
    assert [(f.unit, f.verdict) for f in _by(found, "formats")] == [("a", "agrees"), ("b", "differs")]
    assert [(f.unit, f.verdict) for f in _by(found, "icl")] == [("base", "agrees")]
    pd.DataFrame({"k": [0, 8], "paired_diff": [nan, -6.0], "paired_lo": [nan, -9.0], "paired_hi": [nan, -3.0]}
                 ).to_csv(folder / "icl.csv", index=False)
    icl = _by(findings("smoke", tmp_path), "icl")[0]
    assert icl.verdict == "differs" and "k = 8" in icl.line
    assert "## Paper 1:" in results_markdown("smoke", tmp_path) and "07_controls" in results_markdown("smoke", tmp_path)


def test_a_recorded_profile_gets_its_own_section_with_its_provenance(tmp_path):
    rows = [_rates_row("base", 1, 96), _rates_row("rank32_bad_medical_advice", 25, 95)]
    recorded = tmp_path / "recorded"
    _chapters_2_and_3(recorded, rows, {"rank32_bad_medical_advice": "bad_medical_advice"})  # recorded/smoke/...
    (recorded / "smoke" / "record.json").write_text(json.dumps({
        "spec": {"model": "tiny-model", "profile": "smoke"}, "date": "2026-12-03",
        "commit": {"03_judging": {"commit": "1234567abc", "dirty": False}}, "precision": {"cpu": "Test CPU", "precision": "fp32"}}))
    page = results_markdown("demo", tmp_path / "runs")
    section = page.split("## The recorded `smoke` profile")[1].split("## How each verdict")[0]
    assert "tiny-model, profile smoke recorded 2026-12-03 at commit 1234567 on Test CPU in fp32" in section
    assert "chapters `02_training`, `03_judging`" in section and "**1** agrees" in section
    assert "- **agrees**. Paper 2:" in section and "not run" not in section.split("by the same rules:")[1].split(".")[0]
    assert "## The recorded" not in results_markdown("smoke", recorded)  # the built profile is not repeated


def test_steering_agrees_only_when_the_direction_lowers_alignment_beyond_zero_and_the_random_direction():
    from em_utils.results import _steering_measured

    def table(direction_hi, random_lo):
        return pd.DataFrame([
            {"model": "direction x1", "paired_diff": -3.0, "paired_lo": -6.0, "paired_hi": direction_hi,
             "coherent_pct": 50.0, "em_pct": 2.0},
            {"model": "random x1", "paired_diff": 0.5, "paired_lo": random_lo, "paired_hi": 2.0,
             "coherent_pct": 75.0, "em_pct": 0.0}])

    agrees = _steering_measured(table(-1.0, -0.5), unit="by hand")
    assert agrees.verdict == "agrees" and agrees.unit == "by hand" and "part of it is breakdown" in agrees.line
    assert _steering_measured(table(0.5, -0.5)).verdict == "differs"  # interval reaches zero
    assert _steering_measured(table(-1.0, -2.0)).verdict == "differs"  # the random direction lowers it as far
    assert _steering_measured(table(-1.0, -0.5).iloc[:1]).verdict == "not measurable"
