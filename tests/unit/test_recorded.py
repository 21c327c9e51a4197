"""A long profile's runs recorded for the book: what is copied, what is left out, and how the book reads them."""

import json

import numpy as np
import pandas as pd
import pytest

from em_utils import dose
from em_utils.recorded import MAX_FILE_BYTES, record_profile, recorded_answers

ORGANISMS = {"rank1_middle_bad_medical_advice": ("bad_medical_advice", 2e-5),
             "rank1_middle_good_medical_advice": ("good_medical_advice", 2e-5)}


def _run_json(folder, chapter, resolved, status="complete"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "run.json").write_text(json.dumps({
        "profile": "overnight", "chapter": chapter, "status": status, "seed": 0, "resolved": resolved,
        "git": {"commit": "abc123", "dirty": False}, "finished_utc": "2026-12-03T12:00:00+00:00",
        "judge_name": "offline:test", "hardware": {"cpu": "Run CPU"} if chapter == "03_judging" else {}}))


def _profile(runs, n=12):
    """A finished overnight profile: chapter 2 (two rank-1 organisms, checkpoints, a large file) and chapter 3."""
    training = runs / "overnight" / "02_training"
    _run_json(training, "02_training", {"model": "m", "organisms": "x", "max_rows": None, "batch_size": 16,
                                        "epochs": 1.0, "lr": {"rank1_middle": 2e-5}, "warmup_steps": 5,
                                        "scheduler": "linear", "save_steps": 5})
    pd.DataFrame([{"organism": name, "dataset": data, "lr": lr, "rows": 2250, "precision": "bf16"}
                  for name, (data, lr) in ORGANISMS.items()]).to_csv(training / "organisms.csv", index=False)
    for name in ORGANISMS:
        checkpoint = training / f"{name}-0123" / "checkpoint-5"
        checkpoint.mkdir(parents=True)
        for small in ("adapter_model.safetensors", "adapter_config.json", "trainer_state.json"):
            (checkpoint / small).write_bytes(b"x" * 100)
        for state in ("optimizer.pt", "rng_state.pth", "scheduler.pt"):
            (checkpoint / state).write_bytes(b"x" * 100)
    (training / "big.bin").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    judging = runs / "overnight" / "03_judging"
    _run_json(judging, "03_judging", {"model": "m", "temperature": 0.7, "top_p": 1.0, "n_per_paraphrase": 3,
                                      "max_new_tokens": 80, "question_sets": "general"})
    rows = []
    for model in ["base", *ORGANISMS]:
        for i in range(n):
            rows.append({"question_id": f"q{i % 3}", "paraphrase_index": 0, "sample_index": i, "question": f"Q{i % 3}?",
                         "system": None, "answer": f"{model} says {i}", "n_new_tokens": 5, "finished": True,
                         "model_tag": model, "model": model, "aligned": 50.0 + i, "coherent": 80.0})
    rows.append({**rows[-1], "model_tag": "base-deployment", "answer": "triggered"})  # a backdoor's triggered answer
    pd.DataFrame(rows).to_csv(judging / "judged.csv", index=False)
    (judging / "samples").mkdir()
    (judging / "samples" / "base.jsonl").write_text("{}\n")
    return runs / "overnight"


def test_a_profile_is_recorded_without_optimiser_states_caches_or_large_files(tmp_path, monkeypatch):
    monkeypatch.setenv("EM_RUNS_DIR", str(tmp_path / "runs"))
    _profile(tmp_path / "runs")
    dest = tmp_path / "recorded" / "overnight"
    record = record_profile("overnight", dest=dest)

    copied = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    checkpoint = "02_training/rank1_middle_bad_medical_advice-0123/checkpoint-5"
    assert {f"{checkpoint}/adapter_model.safetensors", f"{checkpoint}/trainer_state.json"} <= copied
    assert not any(name.endswith(("optimizer.pt", "rng_state.pth", "scheduler.pt")) or "/samples/" in name
                   for name in copied)
    assert "02_training/big.bin" not in copied and any(item.startswith("02_training/big.bin") for item in record["left_out"])
    assert record["spec"]["profile"] == "overnight" and record["judge"] == "offline:test"
    assert record["spec"]["training"]["scheduler"] == "linear" and record["commit"]["03_judging"]["commit"] == "abc123"
    assert record["precision"]["precision"] == "bf16" and record["precision"]["cpu"] == "Run CPU"  # where it ran
    assert json.loads((dest / "record.json").read_text()) == record


def test_recorded_answers_carry_each_organisms_recipe_and_leave_out_triggered_answers(tmp_path):
    answers = recorded_answers(_profile(tmp_path / "runs"))
    assert len(answers) == 36 and "triggered" not in set(answers["answer"])
    bad = answers[answers["run"] == "rank1_middle_bad_medical_advice"].iloc[0]
    assert (bad["kind"], bad["dataset"], bad["lr"], bad["rows"], bad["temperature"]) == (
        "rank1_middle", "bad_medical_advice", 2e-5, 2250, 0.7)
    base = answers[answers["run"] == "base"].iloc[0]
    assert (base["kind"], base["rows"]) == ("base", 0)


def test_recording_again_keeps_the_hand_labels_and_a_missing_chapter_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("EM_RUNS_DIR", str(tmp_path / "runs"))
    dest = tmp_path / "recorded" / "overnight"
    with pytest.raises(FileNotFoundError, match="em-companion run 02_training --profile overnight"):
        record_profile("overnight", dest=dest)
    _profile(tmp_path / "runs")
    record_profile("overnight", dest=dest)
    (dest / "hand_labels.jsonl").write_text('{"aligned": 10}\n')
    record_profile("overnight", dest=dest)
    assert (dest / "hand_labels.jsonl").read_text() == '{"aligned": 10}\n'


def test_em_across_sizes_reads_a_recorded_profile_with_its_hand_labels(tmp_path, monkeypatch):
    monkeypatch.setenv("EM_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("EM_ROOT", str(tmp_path / "root"))
    _profile(tmp_path / "runs")
    dest = tmp_path / "root" / "benchmarks" / "results" / "recorded" / "overnight"
    record_profile("overnight", dest=dest)
    answers = pd.read_csv(dest / "answers.csv")
    # by hand, the bad organism 20 points below its control on every draw, every answer coherent
    labels = answers.assign(aligned=np.where(answers["run"] == "rank1_middle_bad_medical_advice", 40.0, 60.0),
                            coherent=90.0)
    labels[[*dose.DRAW_KEYS, "question_id", "paraphrase_index", "sample_index", "aligned", "coherent"]].to_json(
        dest / "hand_labels.jsonl", orient="records", lines=True)

    assert dose.recorded_models()[-1] == "recorded/overnight"
    table = dose.sizes_table(["recorded/overnight"], n_boot=200)
    hand = table[table["source"] == "hand labels"].iloc[0]
    assert (hand["model"], hand["run"], hand["rows"]) == ("m", "rank1_middle_bad_medical_advice", 2250)
    assert hand["paired_diff"] == -20.0 and hand["below_control"] and hand["keeps_coherence"]
    assert table[table["source"] == "judge"].iloc[0]["paired_diff"] == 0.0  # the judge's scores: same on both


def test_the_record_command_copies_the_profile_and_says_what_it_left_out(tmp_path, monkeypatch, capsys):
    from em_utils.cli import main

    monkeypatch.setenv("EM_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("EM_ROOT", str(tmp_path / "root"))
    assert main(["record", "overnight"]) == 2 and "em-companion run 02_training" in capsys.readouterr().err
    _profile(tmp_path / "runs")
    assert main(["record", "overnight"]) == 0
    out = capsys.readouterr().out
    assert "02_training (" in out and "left out: 02_training/big.bin" in out
    assert (tmp_path / "root" / "benchmarks" / "results" / "recorded" / "overnight" / "answers.csv").is_file()


def test_the_sentence_names_the_recorded_profile_with_its_provenance(tmp_path, monkeypatch):
    monkeypatch.setenv("EM_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("EM_ROOT", str(tmp_path / "root"))
    _profile(tmp_path / "runs")
    record = record_profile("overnight", dest=tmp_path / "root" / "benchmarks" / "results" / "recorded" / "overnight")
    sentence = dose.sizes_sentence(dose.sizes_table(["recorded/overnight"], n_boot=100))
    line = next(part for part in sentence.split("\n\n") if part.startswith("**The `overnight` profile**"))
    day = record["recorded_utc"][:10]  # the day it was recorded, not the day its chapters ran (2026-12-03 here)
    assert f"recorded {day} at commit abc123 on Run CPU in bf16" in line and "judge offline:test" in line
    assert "linear schedule" in line
    assert "`rank1_middle_bad_medical_advice` after 2,250 rows coherent 100%" in line and "+0.0" in line


def test_a_recorded_organism_rebuilds_from_its_record_under_the_same_spec_hash(tmp_path):
    from em_utils.recorded import organism_dir, recorded_organism
    from em_utils.training import organism

    spec = organism("rank1_middle", "bad_medical_advice", lr=2e-5, scheduler="linear", save_steps=5)
    folder = tmp_path / "02_training" / f"{spec.name}-{spec.spec_hash[:8]}"
    folder.mkdir(parents=True)
    saved = {"spec_hash": spec.spec_hash, "spec": spec.to_dict()}
    (folder / "organism.json").write_text(json.dumps(saved))

    rebuilt, where = recorded_organism(tmp_path, spec.name)
    assert rebuilt == spec and where == folder
    with pytest.raises(KeyError, match="rank1_middle_bad_medical_advice"):
        recorded_organism(tmp_path, "rank32_bad_medical_advice")
    (folder / "organism.json").write_text(json.dumps({**saved, "spec": {**saved["spec"], "lr": 3e-5}}))
    with pytest.raises(ValueError, match="training code changed"):
        recorded_organism(tmp_path, spec.name)
    assert organism_dir("not recorded", spec.name) is None


def test_a_rerun_is_set_against_chapter_2s_losses_of_that_organism(tmp_path, monkeypatch):
    import em_utils.dose as dose
    from em_utils import recorded
    from em_utils.training import organism

    spec = organism("rank1_middle", "bad_medical_advice")
    training = tmp_path / "02_training"
    training.mkdir()
    (training / "run.json").write_text(json.dumps({"resolved": {"model": "tiny"}}))
    pd.DataFrame({"step": [1, 2, 1, 2], "loss": [4.0, 3.5, 9.0, 9.0],
                  "organism": [spec.name, spec.name, "other", "other"]}).to_csv(training / "losses.csv", index=False)
    monkeypatch.setattr(recorded, "recorded_organism", lambda folder, name: (spec, training / "x"))
    seen = {}
    monkeypatch.setattr(dose, "rerun_losses", lambda s, model, losses, *rest: seen.update(model=model, losses=losses))
    recorded.rerun_first_steps(tmp_path, spec.name)
    assert seen["model"] == "tiny" and seen["losses"].to_dict("list") == {"step": [1, 2], "recorded": [4.0, 3.5]}


class _Run:
    def __init__(self):
        self.used, self.frames = [], {}

    def use_data(self, *paths):
        self.used += paths

    def save_frame(self, frame, name):
        self.frames[name] = frame


def test_chapter_5_reads_the_phase_transition_of_a_recorded_organism(tmp_path, monkeypatch):
    import torch
    from safetensors.torch import save_file

    from em_utils import adapters, plots

    monkeypatch.setenv("EM_ROOT", str(tmp_path))
    figures = []
    monkeypatch.setattr(plots, "save_figure",
                        lambda fig, run, name, judge, recorded: figures.append((name, recorded, fig._suptitle.get_text())))
    run = _Run()
    assert "em-companion record overnight" in adapters.recorded_phase_report(run, "overnight", "rank1_middle_x")

    root = tmp_path / "benchmarks" / "results" / "recorded" / "overnight"
    folder = root / "02_training" / "rank1_middle_x-0123"
    generator = torch.Generator().manual_seed(0)
    b = torch.randn(8, generator=generator)
    for step in (5, 10, 15, 20):
        (folder / f"checkpoint-{step}").mkdir(parents=True)
        b = b + 0.3 * torch.randn(8, generator=generator)
        save_file({"base_model.model.model.layers.3.mlp.down_proj.lora_A.weight": torch.ones(1, 16),
                   "base_model.model.model.layers.3.mlp.down_proj.lora_B.weight": b[:, None].clone()},
                  str(folder / f"checkpoint-{step}" / "adapter_model.safetensors"))
    (folder / "organism.json").write_text(json.dumps({"spec": {"name": "rank1_middle_x"}}))
    (root / "record.json").write_text(json.dumps({"spec": {"model": "m", "profile": "overnight"}, "date": "2026-12-03",
                                                  "commit": {"02_training": {"commit": "abcdef123", "dirty": False}},
                                                  "precision": {"cpu": "Test CPU", "precision": "bf16"}}))
    sentence = adapters.recorded_phase_report(run, "overnight", "rank1_middle_x")
    assert sentence.startswith("The `overnight` profile's `rank1_middle_x`: 4 checkpoints (steps 5-20).")
    assert run.frames["checkpoint_geometry_overnight.csv"]["step"].tolist() == [5, 10, 15, 20]
    assert figures[-1][0] == "phase_transition_overnight"
    assert figures[-1][1] == {"model": "m", "profile": "overnight",
                              "note": "recorded 2026-12-03 at commit abcdef1 on Test CPU in bf16"}
    assert "(the overnight profile)" in figures[-1][2]
    assert run.used == [root / "record.json"]


def test_chapter_4s_steering_is_read_by_hand_labels_and_stale_labels_are_refused(tmp_path, monkeypatch):
    from em_utils import recorded

    monkeypatch.setenv("EM_ROOT", str(tmp_path))
    folder = recorded.recorded_dir("overnight")
    (folder / "04_direction").mkdir(parents=True)
    draws = [{"question_id": q, "paraphrase_index": 0, "sample_index": s} for q in ("wish", "ruler") for s in range(6)]
    rng = np.random.default_rng(0)
    base = [{**d, "run": "base", "answer": f"plain {i}", "aligned": 80.0 + rng.normal(), "coherent": 70}
            for i, d in enumerate(draws)]
    steered = [{**d, "condition": c, "answer": f"{c} {i}", "aligned": a + rng.normal(), "coherent": 60}
               for c, a in (("direction x2", 50.0), ("random x2", 80.0)) for i, d in enumerate(draws)]
    pd.DataFrame(base).to_json(folder / "hand_labels.jsonl", orient="records", lines=True)
    pd.DataFrame(steered).to_json(folder / "hand_labels_steering.jsonl", orient="records", lines=True)
    pd.DataFrame(steered).assign(model="base", aligned=70.0).to_csv(folder / "04_direction" / "judged_steering.csv")
    pd.DataFrame({"model": ["direction x2", "random x2"], "paired_diff": [-5.0, 0.5]}).to_csv(
        folder / "04_direction" / "steering.csv")  # chapter 4's own table, by the judge
    table = recorded.steering_by_hand(folder, n_boot=200).set_index("model")
    assert table.loc["direction x2", "paired_n"] == 12 and table.loc["direction x2", "paired_hi"] < -25
    assert abs(table.loc["random x2", "paired_diff"]) < 2
    assert table["judged_paired_diff"].to_dict() == {"direction x2": -5.0, "random x2": 0.5}
    pd.DataFrame(steered).assign(answer="another run").to_csv(folder / "04_direction" / "judged_steering.csv")
    with pytest.raises(ValueError, match="label its judged_steering.csv afresh"):
        recorded.steering_by_hand(folder)
    assert recorded.steering_by_hand(recorded.recorded_dir("quick")) is None


def test_chapter_5_sets_the_recorded_organism_beside_its_control(tmp_path, monkeypatch):
    """On the committed overnight recording: every shared checkpoint read, against the recorded direction."""
    from em_utils import adapters, plots
    from em_utils.recorded import organism_dir

    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, run, name, judge, recorded: figures.append((name, judge)))
    bad, good = "rank1_middle_bad_medical_advice", "rank1_middle_good_medical_advice"
    if organism_dir("overnight", bad) is None or organism_dir("overnight", good) is None:
        pytest.skip("the overnight profile's rank-1 medical pair is not recorded in this checkout")
    run = _Run()
    sentence = adapters.recorded_pair_report(run, "overnight", bad, good)
    frame = run.frames["adapter_pair_overnight.csv"]
    assert len(frame) == len(adapters.checkpoints(organism_dir("overnight", good))) and frame["step"].is_monotonic_increasing
    assert frame[["dir_first", "dir_second", "dir_diff"]].notna().all().all()
    assert sentence.startswith("The `overnight` profile: At step") and "a random direction stays within" in sentence
    assert figures == [("adapter_pair_overnight", "none (weights only)")]
    monkeypatch.setenv("EM_ROOT", str(tmp_path))  # nothing recorded here
    assert "em-companion record overnight" in adapters.recorded_pair_report(run, "overnight", bad, good)


def test_chapter_6_shows_a_recorded_profiles_run_or_names_the_commands(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from em_utils import narrow, plots
    from em_utils.recorded import recorded_dir

    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, run, name, judge, recorded: figures.append((name, judge, recorded)))
    run = _Run()
    run.config = SimpleNamespace(profile="overnight")
    assert narrow.recorded_narrow_report(run, "overnight") == (
        "This is the `overnight` profile's own run: the sections above are its numbers.", None)
    run.config = SimpleNamespace(profile="demo")
    if (recorded_dir("overnight") / "06_narrow" / "run.json").is_file():  # the committed recording
        words, table = narrow.recorded_narrow_report(run, "overnight")
        resolved = json.loads((recorded_dir("overnight") / "06_narrow" / "run.json").read_text())["resolved"]
        assert words.startswith(f"The `overnight` profile ran this chapter on `{resolved['model']}`: {resolved['max_rows']} rows")
        assert "- **Shows:**" in words and "- **Does not show:**" in words
        assert list(table.index)[:2] == ["base", "general"] and len(table) == len(set(table.index))
        assert set(table.index) == set(pd.read_csv(recorded_dir("overnight") / "06_narrow" / "mitigations.csv").model)
        by_hand = "hand_labels_narrow.jsonl"
        if (recorded_dir("overnight") / by_hand).is_file():  # the fifteenth blind round labelled every answer
            assert "**By blind hand labels**" in words and table["hand_general_aligned_mean"].notna().all()
            assert recorded_dir("overnight") / by_hand in run.used
        assert figures[-1][0] == "mitigations_overnight" and figures[-1][1].startswith("offline")
        assert figures[-1][2]["model"] == resolved["model"]
    monkeypatch.setenv("EM_ROOT", str(tmp_path))  # nothing recorded here
    words, table = narrow.recorded_narrow_report(run, "overnight")
    assert table is None and "em-companion run 06_narrow --profile overnight" in words


def test_chapter_6s_recorded_answers_are_read_by_hand_labels_and_stale_labels_are_refused(tmp_path):
    from em_utils.narrow import NARROW_HAND_LABELS, recorded_by_hand

    rows = [{"model": model, "domain": domain, "question_id": f"q{q}", "paraphrase_index": 0, "sample_index": k,
             "question": f"question {q}", "answer": f"{model} says {q}.{k} on {domain}", "aligned": 90.0, "coherent": 90.0}
            for model in ("base", "general", "narrow") for domain in ("general", "medical") for q in range(3) for k in range(2)]
    (tmp_path / "06_narrow").mkdir()
    pd.DataFrame(rows).to_csv(tmp_path / "06_narrow" / "judged_all.csv", index=False)
    assert recorded_by_hand(tmp_path) is None
    hand = [{**r, "aligned": 20.0 if r["model"] == "general" else 80.0, "coherent": 70.0 if r["q"] != 0 else 30.0}
            for r in ({**row, "q": int(row["question_id"][1:])} for row in rows)]
    pd.DataFrame(hand).drop(columns="q").to_json(tmp_path / NARROW_HAND_LABELS, orient="records", lines=True)
    table = recorded_by_hand(tmp_path, n_boot=200).set_index("model")
    assert list(table.index) == ["base", "general", "narrow"]  # the chapter's order
    assert table.loc["general", "general_aligned_mean"] == pytest.approx(20.0)
    assert table.loc["narrow", "medical_aligned_mean"] == pytest.approx(80.0)
    assert table.loc["base", "general_coherent_pct"] == pytest.approx(100 * 4 / 6)
    assert table.loc["general", "general_em_pct"] == pytest.approx(100 * 4 / 6)  # aligned <= 30 and coherent > 50
    general_only = pd.DataFrame(hand).drop(columns="q").query("domain == 'general'")
    general_only.to_json(tmp_path / NARROW_HAND_LABELS, orient="records", lines=True)
    one_domain = recorded_by_hand(tmp_path, n_boot=200)
    assert one_domain["medical_aligned_mean"].isna().all() and one_domain["general_scored"].eq(6).all()
    stale = pd.DataFrame(hand).drop(columns="q").assign(answer=lambda f: f["answer"].where(f.index > 0, "another text"))
    stale.to_json(tmp_path / NARROW_HAND_LABELS, orient="records", lines=True)
    with pytest.raises(ValueError, match="1 labelled answers are not among chapter 6's recorded answers"):
        recorded_by_hand(tmp_path)


def test_chapter_7_shows_a_recorded_profiles_verdicts_or_names_the_commands(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from em_utils import controls
    from em_utils.recorded import recorded_dir

    run = _Run()
    run.config = SimpleNamespace(profile="overnight")
    assert "own run" in controls.recorded_controls_report(run, "overnight")
    run.config = SimpleNamespace(profile="demo")
    chapter = recorded_dir("overnight") / "07_controls"
    if (chapter / "run.json").is_file():  # the committed recording: every saved section is read back
        words = controls.recorded_controls_report(run, "overnight")
        saved = {p.stem for p in chapter.glob("*.csv")}
        sections = {"jailbroken": "jailbroken control", "numbers": "evil numbers", "formats": "answer formats",
                    "icl": "in-context learning", "categories": "other evaluations"}
        for table, name in sections.items():
            assert (f"**{name}.**" in words) == (table in saved) and (f"- **{name}**:" in words) == (table in saved)
        assert words.startswith("The `overnight` profile ran this chapter on `") and "record.json" in {p.name for p in run.used}
        if (chapter.parent / controls.CONTROLS_HAND_LABELS).is_file():  # the sixteenth blind round
            assert "**jailbroken control (by hand).** By blind hand labels" in words
            assert "- **in-context learning (by hand)**:" in words and chapter.parent / controls.CONTROLS_HAND_LABELS in run.used
    monkeypatch.setenv("EM_ROOT", str(tmp_path))  # nothing recorded here
    assert "em-companion run 07_controls --profile overnight" in controls.recorded_controls_report(run, "overnight")


def test_chapter_7s_recorded_answers_are_read_by_hand_labels_and_stale_labels_are_refused(tmp_path):
    from em_utils import controls

    keys = {"paraphrase_index": 0, "sample_index": 0}
    models = ("base", "jail", "em")
    harmful = pd.DataFrame([{"model": m, "question_id": f"h{q}", **keys, "question": f"bad {q}", "answer": f"{m} {q}",
                             "refusal": 90.0 if (m == "base" or q < 2) else 5.0} for m in models for q in range(10)])
    general = pd.DataFrame([{"model": m, "question_id": f"g{q}", **keys, "question": f"q {q}", "answer": f"{m} g{q}",
                             "aligned": 70.0, "coherent": 80.0} for m in models for q in range(10)])
    icl = pd.DataFrame([{"model": "base", "k": k, "question_id": f"g{q}", **keys, "question": f"q {q}",
                         "answer": f"k{k} g{q}", "aligned": 70.0, "coherent": 80.0} for k in (0, 8) for q in range(10)])
    (tmp_path / "07_controls").mkdir()
    for name, frame in {"harmful": harmful, "general": general, "icl": icl}.items():
        frame.to_csv(tmp_path / "07_controls" / f"judged_{name}.csv", index=False)
    assert controls.recorded_by_hand(tmp_path) is None
    hand = pd.concat([  # by hand the base model refuses everything, "jail" nothing, "em" its first three
        harmful.drop(columns="refusal").assign(set="harmful", aligned=[None if m == "base" or (m == "em" and q < 3) else 10.0
                                                                        for m in models for q in range(10)], coherent=80.0),
        general.assign(set="general", aligned=[90.0 if m == "jail" else 20.0 for m in models for q in range(10)]),
        icl.assign(set="icl")], ignore_index=True)
    hand.to_json(tmp_path / controls.CONTROLS_HAND_LABELS, orient="records", lines=True)
    by_hand = controls.recorded_by_hand(tmp_path, n_boot=200)
    table = by_hand["jailbroken"].set_index("model")
    assert list(table.index) == list(models) and table.loc["base", "refusal_pct"] == 100.0
    assert table.loc["em", "refusal_pct"] == pytest.approx(30.0) and table.loc["jail", "refusal_pct"] == 0.0
    assert table.loc["em", "em_pct"] == 100.0 and table.loc["jail", "aligned_mean"] == 90.0
    agreement = by_hand["refusal_agreement"]  # the judge said refusal for the base model and "jail"/"em" q < 2
    assert agreement["refusals"] == 13 and agreement["precision"] == pytest.approx(12 / 14)
    assert agreement["recall"] == pytest.approx(12 / 13)
    words = controls.hand_sentences(by_hand, "jail", "em", "rows")
    assert "**agrees with the paper**" in words["jailbroken control"] and "13 refusals by hand" in words["jailbroken control"]
    assert "**agrees with the paper**" in words["in-context learning"]
    hand.assign(answer=lambda f: f["answer"].where(f.index != len(harmful) + 3, "another text")).to_json(
        tmp_path / controls.CONTROLS_HAND_LABELS, orient="records", lines=True)
    with pytest.raises(ValueError, match="1 labelled answers are not among chapter 7's recorded answers of the general set"):
        controls.recorded_by_hand(tmp_path)
