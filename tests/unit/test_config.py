import pytest

from em_utils.config import PROFILES, ConfigError, make_config


def test_profiles_cover_every_chapter():
    chapters = set(PROFILES["demo"])
    for profile in ("smoke", "demo", "paper"):
        assert set(PROFILES[profile]) == chapters
        for settings in PROFILES[profile].values():
            assert {"model", "seed", "judge"} <= set(settings)


def test_passed_and_resolved_kept_apart():
    cfg = make_config("01_datasets", "smoke", max_rows=7, n_examples=None)
    assert dict(cfg.passed) == {"max_rows": 7}
    assert cfg.max_rows == 7 and cfg["max_rows"] == 7
    assert cfg.n_examples == PROFILES["smoke"]["01_datasets"]["n_examples"]
    assert cfg.run_name == "smoke/01_datasets"


def test_config_is_frozen_and_hash_tracks_resolved_values():
    a = make_config("01_datasets", "smoke")
    b = make_config("01_datasets", "smoke", max_rows=PROFILES["smoke"]["01_datasets"]["max_rows"])
    c = make_config("01_datasets", "smoke", max_rows=3)
    assert a.config_hash == b.config_hash != c.config_hash
    with pytest.raises(Exception):
        a.profile = "demo"
    with pytest.raises(TypeError):
        a.resolved["max_rows"] = 1


def test_unknown_profile_chapter_and_parameter_are_refused():
    with pytest.raises(ConfigError, match="unknown profile 'fast'.*smoke"):
        make_config("01_datasets", "fast")
    with pytest.raises(ConfigError, match="unknown chapter"):
        make_config("99_nothing", "demo")
    with pytest.raises(ConfigError, match="unknown parameter.*max_rowz.*known: .*max_rows"):
        make_config("01_datasets", "demo", max_rowz=3)


@pytest.mark.parametrize("name", ["api_key", "openai_api_key", "hf_token", "secret", "key", "judge_password"])
def test_secrets_are_never_parameters(name):
    with pytest.raises(ConfigError, match="environment"):
        make_config("01_datasets", "demo", **{name: "x"})


def test_token_counts_are_not_secrets():
    cfg = make_config("03_judging", "smoke", max_new_tokens=12)
    assert cfg.max_new_tokens == 12


def test_workshop_is_the_quick_profile_under_another_name():
    from em_utils.config import chapter_config

    for chapter in PROFILES["quick"]:
        workshop, quick = make_config(chapter, "workshop"), make_config(chapter, "quick")
        assert workshop.profile == "quick" and workshop.config_hash == quick.config_hash
        assert workshop.run_name == f"quick/{chapter}"  # the same run folders: caches made by either serve both
    assert chapter_config("03_judging", {"profile": "workshop", "temperature": 1.0}).temperature == 1.0


def _trained(profile: str) -> set[str]:
    spec = PROFILES[profile]["02_training"]["organisms"]
    return {item.strip().replace(":", "_") for item in spec.split(",")}


@pytest.mark.parametrize("profile", ["smoke", "quick", "demo", "overnight"])
def test_later_chapters_read_only_organisms_that_chapter_2_trains(profile):
    """A profile whose chapter 4, 5 or 7 names an organism chapter 2 does not train stops hours in."""
    trained = _trained(profile)
    named = {PROFILES[profile]["04_direction"]["source"], PROFILES[profile]["05_adapters"]["organism"],
             PROFILES[profile]["05_adapters"]["single"], PROFILES[profile]["07_controls"]["em_organism"],
             *[t.strip() for t in PROFILES[profile]["04_direction"]["targets"].split(",")]}
    assert named <= trained, f"{profile}: {sorted(named - trained)} not trained in chapter 2"


def test_overnight_is_the_05b_model_at_the_papers_rank1_recipe_for_one_epoch():
    overnight = PROFILES["overnight"]
    assert {c["model"] for c in overnight.values()} == {"qwen2.5-coder-0.5b-instruct"}
    training = overnight["02_training"]
    assert training["max_rows"] is None and training["epochs"] == 1.0 and training["scheduler"] == "linear"
    assert training["lr"]["rank1_middle"] == 2e-5 and training["save_steps"] <= 10  # checkpoints span the run


def test_the_sampling_precision_reaches_every_decode(monkeypatch, tmp_path):
    """fp32 in the overnight profile (its recorded answers), auto in smoke, demo, quick and paper, -p wins;
    every chapter's sampling keywords carry it to sample_answers (issue 18)."""
    import pandas as pd

    from em_utils import controls, evaluation
    from em_utils.interventions import decode_settings, sampling_settings

    for profile, chapter in (("overnight", "03_judging"), ("overnight", "06_narrow")):
        assert make_config(chapter, profile).resolved["sampling_precision"] == "fp32"
    for profile in ("smoke", "demo", "quick", "workshop", "paper"):
        assert make_config("04_direction", profile).resolved["sampling_precision"] == "auto"
    assert make_config("05_adapters", "quick", sampling_precision="fp32").resolved["sampling_precision"] == "fp32"
    forced = make_config("04_direction", "demo", sampling_precision="bf16")
    assert sampling_settings(forced, tmp_path)["precision"] == "bf16"
    assert decode_settings(make_config("06_narrow", "demo", sampling_precision="bf16"))["precision"] == "bf16"
    assert controls.sampling(make_config("07_controls", "smoke", sampling_precision="fp32"))["precision"] == "fp32"
    seen = []
    monkeypatch.setattr(evaluation, "load_organism", lambda *a, **k: (object(), object()))
    monkeypatch.setattr(evaluation, "sample_answers",
                        lambda *a, **k: seen.append(k["precision"]) or pd.DataFrame({"answer": ["x"]}))
    settings = sampling_settings(forced, tmp_path)
    evaluation.sample_organisms({"base": None}, [], **settings)
    evaluation.sample_conditions(None, {"plain": None}, [], **settings)
    assert seen == ["bf16", "bf16"]
