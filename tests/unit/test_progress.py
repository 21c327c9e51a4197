"""Live progress: the stage file a run writes, the lines the command prints, and a real kernel's run."""

from __future__ import annotations

import io
import json
import textwrap

import nbformat
import pytest

from em_utils import progress
from em_utils.config import make_config
from em_utils.progress import (
    ProgressWatcher,
    done_text,
    duration,
    heartbeat_text,
    last_times,
    read_progress,
    stage_text,
    start_text,
    write_progress,
)
from em_utils.runs import start_run


def test_a_run_names_its_open_stage_in_progress_json(tmp_runs):
    run = start_run(make_config("01_datasets", "smoke"))
    assert read_progress(run.folder)["stage"] is None  # start_run replaces an earlier run's file
    with run.stage("load"):
        inside = read_progress(run.folder)
        with run.stage("inner"):
            nested = read_progress(run.folder)
        after_inner = read_progress(run.folder)
    after = read_progress(run.folder)
    assert inside["stage"] == "load" and inside["run_started"] <= inside["stage_started"]
    assert nested["stage"] == "load / inner" and nested["stage_started"] >= inside["stage_started"]
    assert after_inner["stage"] == "load" and after_inner["stage_started"] == inside["stage_started"]
    assert after["stage"] is None
    assert sorted(p.name for p in run.folder.iterdir()) == ["progress.json", "run.json"]  # no temp file left


def test_progress_is_a_courtesy_never_an_error(tmp_path):
    write_progress(tmp_path / "missing" / "folder", 0.0, [("x", 0.0)])  # no folder: nothing, no raise
    assert read_progress(tmp_path / "missing" / "folder") is None
    (tmp_path / "progress.json").write_text("{half")
    assert read_progress(tmp_path) is None


def test_last_times_come_from_a_complete_record_only(tmp_path):
    assert last_times(tmp_path) == (None, {})
    record = {"status": "running", "wall_seconds": 5.0, "stages": {"a": 1.0}}
    (tmp_path / "run.json").write_text(json.dumps(record))
    assert last_times(tmp_path) == (None, {})
    (tmp_path / "run.json").write_text(json.dumps({**record, "status": "complete"}))
    assert last_times(tmp_path) == (5.0, {"a": 1.0})


def test_progress_lines_read_plainly():
    assert [duration(s) for s in (0, 59.4, 60, 61, 3599, 3600, 7322)] == ["0s", "59s", "1m00s", "1m01s", "59m59s", "1h00m", "2h02m"]
    assert start_text(241.0, "parameters changed") == "running (parameters changed); ~4m01s expected (its last complete run here)"
    assert start_text(None) == "running; no complete earlier run in this profile to time it by"
    assert stage_text("judge", 62, 241, 95) == "stage 'judge' (1m02s elapsed of ~4m01s expected; this stage took 1m35s last time)"
    assert stage_text("judge", 300, 241, None) == "stage 'judge' (5m00s elapsed, over the ~4m01s it took last time)"
    assert heartbeat_text("sample", 30, 92, None) == "... in stage 'sample' for 30s; 1m32s elapsed"
    assert heartbeat_text(None, None, 12, 241).startswith("... starting the kernel or between stages; 12s elapsed")
    assert done_text(238, 241) == "done in 3m58s (last time 4m01s)" and done_text(5, None) == "done in 5s"
    for text in (start_text(1), stage_text("a", 1, 2, 3), heartbeat_text("a", 1, 2, 3), done_text(1, 2)):
        assert "\r" not in text and "\n" not in text


def test_watcher_prints_stage_changes_and_heartbeats_and_ignores_an_earlier_runs_file(tmp_path):
    out = io.StringIO()
    write_progress(tmp_path, 50.0, [("old stage", 50.0)])  # an earlier run's, before the watcher started
    watcher = ProgressWatcher(tmp_path, 3, 6, "03_judging", expected=240.0, stage_expected={"judge": 95.0},
                              heartbeat=30, out=out, clock=lambda: 100.0)
    watcher.poll(now=101)
    assert out.getvalue() == ""
    write_progress(tmp_path, 100.5, [("sample", 102.0)])
    watcher.poll(now=103)
    watcher.poll(now=110)  # same stage, not yet a heartbeat
    watcher.last_print = 103
    watcher.poll(now=134)  # 31 s of silence
    write_progress(tmp_path, 100.5, [("judge", 140.0)])
    watcher.poll(now=141)
    lines = out.getvalue().splitlines()
    assert lines == [
        "[3/6] 03_judging: stage 'sample' (3s elapsed of ~4m00s expected)",
        "[3/6] 03_judging: ... in stage 'sample' for 32s; 34s elapsed of ~4m00s expected",
        "[3/6] 03_judging: stage 'judge' (41s elapsed of ~4m00s expected; this stage took 1m35s last time)",
    ]


NOTEBOOK_CELLS = [
    ('profile = "demo"\nmax_rows = None', ["parameters"]),
    (textwrap.dedent("""\
        # what Run.stage does, without importing em_utils (its imports take a loaded 2-core machine 20 s)
        import importlib.util, json, os, pathlib, time
        spec = importlib.util.spec_from_file_location("progress", os.environ["EM_PROGRESS_PY"])
        progress = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(progress)
        folder = pathlib.Path(os.environ["EM_RUNS_DIR"]) / profile / "01_datasets"
        started = time.time()
        for name in ("first part", "second part"):
            progress.write_progress(folder, started, [(name, time.time())])
            time.sleep(1.0)
        progress.write_progress(folder, started, [])
        record = {"status": "complete", "wall_seconds": time.time() - started, "passed": {"max_rows": max_rows},
                  "stages": {"first part": 1.0, "second part": 1.0}}
        (folder / "run.json").write_text(json.dumps(record))
        """), []),
]


@pytest.fixture
def fake_project(tmp_path, monkeypatch):
    """A project root with one tiny chapter notebook named like chapter 1."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/chapters/01_datasets\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for src, tags in NOTEBOOK_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "notebooks" / "01_datasets.ipynb")
    monkeypatch.setenv("EM_ROOT", str(root))
    monkeypatch.setenv("EM_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("EM_PROGRESS_PY", progress.__file__)
    monkeypatch.setattr(progress, "POLL_S", 0.1)
    return root


def test_em_companion_run_prints_the_stages_a_real_kernel_enters(fake_project, tmp_path, capsys):
    from em_utils.cli import main

    folder = tmp_path / "runs" / "smoke" / "01_datasets"
    folder.mkdir(parents=True)
    earlier = {"status": "complete", "wall_seconds": 125.0, "stages": {"first part": 61.0}}
    (folder / "run.json").write_text(json.dumps(earlier))
    write_progress(folder, 1.0, [("an earlier run's stage", 1.0)])
    assert main(["run", "01_datasets", "--profile", "smoke", "-p", "max_rows=3"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[1/1] 01_datasets:")]
    assert lines[0] == "[1/1] 01_datasets: running; ~2m05s expected (its last complete run here)"
    assert lines[1].startswith("[1/1] 01_datasets: stage 'first part' (")
    assert lines[1].endswith("elapsed of ~2m05s expected; this stage took 1m01s last time)")
    assert lines[2].startswith("[1/1] 01_datasets: stage 'second part' (") and lines[2].endswith("expected)")
    assert lines[-1].startswith("[1/1] 01_datasets: done in ") and "(last time 2m05s) -> " in lines[-1]
    assert not any("earlier run's stage" in line for line in lines)
    assert json.loads((folder / "run.json").read_text())["passed"] == {"max_rows": 3}
