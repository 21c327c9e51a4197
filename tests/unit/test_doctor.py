"""`em-companion doctor`: a read-only report that names what is missing and never shows a key."""

import json

from em_utils.cli import main
from tests.conftest import FAKE_KEY


def test_doctor_reports_the_judge_choice_without_the_key(capsys, monkeypatch, tmp_runs):
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    main(["doctor", "--json", "--no-measure", "--profile", "smoke"])
    text = capsys.readouterr().out
    report = json.loads(text)
    assert FAKE_KEY not in text and report["judge"]["auto"] == "openai"
    assert [c["chapter"] for c in report["chapters"]][:2] == ["01_datasets", "02_training"]
    assert all(c["status"] == "not run here" for c in report["chapters"])  # tmp_runs is empty
    assert {m["model"] for m in report["models"]} >= {"smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct"}
    for model in report["models"]:  # a model that is not ready says which command fixes it
        assert model["ready"] or model["fix"] in {"make env", "make models"}
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    main(["doctor", "--no-measure"])
    assert "judge: auto -> offline" in capsys.readouterr().out


def test_doctor_tells_a_fitted_judge_from_its_feature_store(capsys, monkeypatch, tmp_path, tmp_runs):
    monkeypatch.setenv("EM_CACHE_DIR", str(tmp_path))
    store = tmp_path / "offline_judge" / "features" / "minilm-0123"
    store.mkdir(parents=True)
    (store / "shard.npz").write_bytes(b"x" * 2**20)
    main(["doctor", "--json", "--no-measure"])
    judge = json.loads(capsys.readouterr().out)["judge"]
    assert judge["offline_judge_fitted"] is False and judge["offline_judge_feature_store_mb"] == 1.0
    (tmp_path / "offline_judge" / "abc.joblib").write_bytes(b"fit")
    main(["doctor", "--no-measure"])
    assert "offline judge fitted in the cache: yes; feature store 1.0 MB" in capsys.readouterr().out
