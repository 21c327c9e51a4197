"""Run folders and records: what they hold, and that no secret gets in."""

import hashlib
import json

import pytest

from em_utils.config import make_config
from em_utils.runs import MissingRunError, require_run, start_run

FAKE = "sk-test-runrecordFAKE0123456789"


def test_record_holds_provenance(tmp_runs, tmp_path):
    cfg = make_config("01_datasets", "smoke", max_rows=5)
    run = start_run(cfg)
    data = tmp_path / "d.jsonl"
    data.write_text("x\n")
    run.use_data(data)
    with run.stage("work"):
        pass
    run.save_json({"a": 1}, "out.json")
    run.finish()
    record = json.loads((tmp_runs / "smoke" / "01_datasets" / "run.json").read_text())
    assert record["status"] == "complete" and record["finished_utc"].endswith("+00:00")
    assert record["passed"] == {"max_rows": 5} and record["resolved"]["max_rows"] == 5
    assert record["seed"] == 0 and record["config_hash"] == cfg.config_hash
    assert set(record["git"]) == {"commit", "dirty"}
    assert record["packages"]["torch"] and record["packages"]["python"]
    assert record["hardware"]["cpu_count"] >= 1
    assert record["hardware"]["cpu"] and set(record["hardware"]["cpu_flags"]) <= {"avx512", "avx512_bf16", "amx"}
    assert list(record["data"].values()) == [hashlib.sha256(b"x\n").hexdigest()]
    assert "work" in record["stages"] and record["artifacts"] == ["out.json"]


def test_interrupted_stage_leaves_a_truthful_partial_record(tmp_runs):
    run = start_run(make_config("01_datasets", "smoke"))
    with pytest.raises(RuntimeError):
        with run.stage("boom"):
            raise RuntimeError("interrupted")
    record = json.loads((run.folder / "run.json").read_text())
    assert record["status"] == "running" and "boom" in record["stages"]
    with pytest.raises(MissingRunError, match="did not finish.*notebooks/01_datasets.ipynb"):
        require_run("smoke", "01_datasets")


def test_missing_chapter_names_what_to_run(tmp_runs):
    with pytest.raises(MissingRunError, match="has not been run.*notebooks/01_datasets.ipynb"):
        require_run("demo", "01_datasets")


def test_secret_values_never_reach_the_run_folder(tmp_runs, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", FAKE)
    cfg = make_config("01_datasets", "smoke", datasets=f"bad_medical_advice,{FAKE}")  # a key pasted by mistake
    run = start_run(cfg)
    run.save_json({"note": f"key={FAKE}"}, "notes.json")
    run.finish()
    for path in tmp_runs.rglob("*"):
        if path.is_file():
            assert FAKE not in path.read_text()


def test_a_stage_starts_on_the_threads_the_book_command_last_gave_the_chapter(tmp_runs, tmp_path, monkeypatch):
    import torch

    from em_utils.runs import THREADS_FILE_ENV, adopt_threads

    before = torch.get_num_threads()
    share = tmp_path / "share"
    run = start_run(make_config("01_datasets", profile="smoke"))
    try:
        with run.stage("no command"):  # not under `book --jobs`: torch's own count, nothing recorded
            assert torch.get_num_threads() == before
        monkeypatch.setenv(THREADS_FILE_ENV, str(share))
        share.write_text("1")
        with run.stage("one"):
            assert torch.get_num_threads() == 1
        share.write_text("2")
        with run.stage("two"):
            assert torch.get_num_threads() == 2
        share.write_text("zero\n")  # unreadable: left as it is
        assert adopt_threads() is None and torch.get_num_threads() == 2
        share.unlink()
        assert adopt_threads() is None
        assert json.loads((run.folder / "run.json").read_text())["stage_threads"] == {"one": 1, "two": 2}
    finally:
        torch.set_num_threads(before)
