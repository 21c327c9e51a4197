"""The whole-book command: parameters routed to chapters, and only what changed run again.

Papermill and jupyter-book are stubbed: a "run" of a chapter writes its executed copy and a
complete run record, as a real one does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from em_utils import book, cli
from em_utils.book import READS, ParameterError, reads, route_parameters

CHAPTERS = ["01_datasets", "02_training", "03_judging", "04_direction", "05_adapters", "06_narrow"]
PARAMETERS = {
    "01_datasets": ["max_rows"],
    "02_training": ["model", "max_rows", "seed"],
    "03_judging": ["model", "temperature", "seed"],
    "04_direction": ["model", "temperature", "n_random", "seed"],
    "05_adapters": ["model", "temperature", "probe_C", "seed"],
    "06_narrow": ["model", "temperature", "kl_weight", "seed"],
}


def test_every_book_chapter_has_its_reads_in_the_table_and_reads_only_earlier_chapters():
    order = cli.chapters()
    for chapter in order:
        assert chapter in READS, f"add {chapter} to em_utils.book.READS (the chapters it reads)"
        assert all(order.index(dep) < order.index(chapter) for dep in READS[chapter])
    assert reads("07_new", [*CHAPTERS, "07_new"]) == tuple(CHAPTERS)  # not in the table: every earlier one


def test_parameters_route_to_one_chapter_or_to_every_chapter_that_has_them():
    known = {chapter: set(names) for chapter, names in PARAMETERS.items()}
    routed = route_parameters({"temperature": 1.0, "03_judging.temperature": 0.5, "02.max_rows": 8}, known)
    assert routed["03_judging"] == {"temperature": 0.5}  # the chapter's own wins
    assert routed["04_direction"] == routed["06_narrow"] == {"temperature": 1.0}
    assert routed["02_training"] == {"max_rows": 8} and routed["01_datasets"] == {}
    with pytest.raises(ParameterError, match="no chapter of this build has a parameter 'temprature'.*01_datasets"):
        route_parameters({"temprature": 1.0}, known)
    with pytest.raises(ParameterError, match="chapter 03_judging has no parameter 'kl_weight'; its parameters: model"):
        route_parameters({"03_judging.kl_weight": 1}, known)
    with pytest.raises(ParameterError, match="no chapter '09_nothing'"):
        route_parameters({"09_nothing.seed": 1}, known)


def _notebook(names: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    source = 'profile = "demo"\n' + "".join(f"{name} = None\n" for name in names)
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def project(tmp_path, monkeypatch):
    """Six stub chapters named like the book's; papermill and jupyter-book stubbed; returns the runs."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "data" / "set.jsonl").write_text('{"a": 1}\n')
    (root / "notebooks").mkdir()
    toc = "format: jb-book\nroot: book/intro\nchapters:\n" + "".join(f"  - file: book/chapters/{c}\n" for c in CHAPTERS)
    (root / "_toc.yml").write_text(toc)
    for chapter, names in PARAMETERS.items():
        nbformat.write(_notebook(names), root / "notebooks" / f"{chapter}.ipynb")
    runs = tmp_path / "runs"
    (tmp_path / "em_utils").mkdir()
    (tmp_path / "em_utils" / "lib.py").write_text("x = 1\n")
    monkeypatch.setattr(book, "PACKAGE", tmp_path / "em_utils")  # the real one changes under other work
    monkeypatch.setenv("EM_ROOT", str(root))
    monkeypatch.setenv("EM_RUNS_DIR", str(runs))
    ran: list[str] = []
    count = iter(range(1, 10**6))  # each run's record tells it from every other

    def execute_notebook(source, target, parameters, **kwargs):
        chapter = source.rsplit("/", 1)[-1].removesuffix(".ipynb")
        ran.append(chapter)
        nb = nbformat.read(source, as_version=4)
        nb.metadata["papermill"] = {"parameters": parameters}
        nbformat.write(nb, target)
        folder = runs / parameters["profile"] / chapter
        folder.mkdir(parents=True, exist_ok=True)
        blob = json.dumps(parameters, sort_keys=True).encode()
        record = {"status": "complete", "config_hash": hashlib.sha256(blob).hexdigest()[:12],
                  "started_utc": f"run {next(count)}", "finished_utc": "-", "wall_seconds": 1.0,
                  "stages": {}, "data": {}}
        (folder / "run.json").write_text(json.dumps(record))

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    monkeypatch.setattr(cli, "_jupyter_book", lambda: ["true"])
    from em_utils import results  # the book's generated pages read the real project's data: not this one's

    monkeypatch.setattr(results, "write_book_pages", lambda *args, **kwargs: [])
    return root, runs, ran


def _build(ran, *args):
    ran.clear()
    assert cli.main(["book", "--profile", "smoke", *args]) == 0
    return list(ran)


def test_a_second_build_keeps_every_chapter_and_a_parameter_reruns_its_chapter_and_the_readers(project, capsys):
    root, runs, ran = project
    assert _build(ran) == CHAPTERS
    capsys.readouterr()
    assert _build(ran) == []
    out = capsys.readouterr().out
    assert "[1/6] 01_datasets: unchanged, kept" in out and "[6/6] 06_narrow: unchanged, kept" in out
    # chapter 3's parameter: 3, and 4, 5, 6 that read it (directly or through 4); 1 and 2 kept
    assert _build(ran, "-p", "03_judging.temperature=1.0") == ["03_judging", "04_direction", "05_adapters", "06_narrow"]
    assert "[3/6] 03_judging: running (parameters changed)" in capsys.readouterr().out
    assert _build(ran, "-p", "03_judging.temperature=1.0") == []  # the same parameters again: all kept
    assert _build(ran, "-p", "03_judging.temperature=1.0", "-p", "05.probe_C", "0.1") == ["05_adapters"]
    # dropping the parameter is a change too
    assert _build(ran, "-p", "05.probe_C", "0.1") == ["03_judging", "04_direction", "05_adapters", "06_narrow"]
    assert _build(ran, "-p", "05.probe_C", "0.1", "--force") == CHAPTERS
    # a chapter run on its own (another parameter) replaces the run folder: the book runs it again
    assert cli.main(["run", "04_direction", "--profile", "smoke", "-p", "n_random", "3"]) == 0
    assert _build(ran, "-p", "05.probe_C", "0.1") == ["04_direction", "05_adapters", "06_narrow"]
    capsys.readouterr()


def test_what_every_chapter_depends_on_reruns_it(project, capsys):
    root, runs, ran = project
    _build(ran)
    (root / "data" / "set.jsonl").write_text('{"a": 2}\n')
    assert _build(ran) == CHAPTERS and "(data/ changed)" in capsys.readouterr().out
    notebook = root / "notebooks" / "02_training.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("2"))
    nbformat.write(nb, notebook)
    assert _build(ran) == CHAPTERS[1:]  # 2 and every chapter reading it
    (book.PACKAGE / "lib.py").write_text("x = 2\n")
    assert _build(ran) == CHAPTERS and "(em_utils changed)" in capsys.readouterr().out
    (book.PACKAGE / "__pycache__").mkdir()
    (book.PACKAGE / "__pycache__" / "lib.pyc").write_bytes(b"\0")
    assert _build(ran) == []


def test_a_file_outside_data_that_a_run_read_reruns_it_when_it_changes(project, tmp_path):
    root, runs, ran = project
    _build(ran)
    upstream = tmp_path / "upstream.jsonl"
    upstream.write_text("x\n")
    record_path = runs / "smoke" / "01_datasets" / "run.json"
    record = json.loads(record_path.read_text())
    record["data"] = {str(upstream): hashlib.sha256(b"x\n").hexdigest()}
    record_path.write_text(json.dumps(record))
    assert _build(ran) == []
    upstream.write_text("y\n")
    assert _build(ran) == ["01_datasets"]


def test_a_failed_chapter_runs_again_next_time(project):
    root, runs, ran = project
    _build(ran)
    (runs / "smoke" / "06_narrow" / "run.json").write_text(json.dumps({"status": "running"}))
    assert _build(ran) == ["06_narrow"]
    (root / "book" / "chapters" / "05_adapters.ipynb").unlink()
    assert _build(ran) == ["05_adapters"]  # chapter 6 does not read chapter 5


def test_parameter_mistakes_stop_before_anything_runs(project, capsys):
    root, runs, ran = project
    assert cli.main(["book", "--profile", "smoke", "-p", "03_judging.temprature=1"]) == 2
    assert cli.main(["book", "--profile", "smoke", "-p", "probe_C=1", "--only", "01_datasets", "--dest", str(root / "x")]) == 2
    assert cli.main(["run", "01_datasets", "--profile", "smoke", "-p", "temperature", "1"]) == 2
    assert cli.main(["run", "01_datasets", "--profile", "smoke", "-p", "03.max_rows=1"]) == 2
    err = capsys.readouterr().err
    assert "chapter 03_judging has no parameter 'temprature'" in err
    assert "no chapter of this build has a parameter 'probe_C' (chapters: 01_datasets)" in err
    assert "no chapter '03' here; chapters: 01_datasets" in err
    assert ran == [] and not (root / "x").exists() and not runs.exists()
    with pytest.raises(SystemExit):
        cli.main(["book", "-p", "a", "b", "c"])
    assert "give NAME VALUE or NAME=VALUE" in capsys.readouterr().err


def test_with_two_jobs_chapters_start_when_what_they_read_is_done_and_share_the_cores(project, monkeypatch):
    """The stub chapters take a moment each; with ``-j 2`` the ones that read none of each other overlap, no
    chapter starts before the chapters it reads have finished, and each kernel gets the cores shared by the
    chapters that could run when it started."""
    import threading
    import time

    import papermill

    root, runs, ran = project
    stub, events, lock = papermill.execute_notebook, [], threading.Lock()

    def timed(source, target, parameters, **kwargs):
        chapter = source.rsplit("/", 1)[-1].removesuffix(".ipynb")
        manager = kwargs.get("kernel_manager_class")
        with lock:
            events.append(("start", chapter, time.perf_counter(), getattr(manager, "kernel_threads", None)))
        time.sleep(0.05 if chapter == "01_datasets" else 0.3)  # 1 done well before 2, as in the book: 3 then runs alone
        stub(source, target, parameters, **kwargs)
        with lock:
            events.append(("end", chapter, time.perf_counter(), None))

    monkeypatch.setattr(papermill, "execute_notebook", timed)
    monkeypatch.setattr(book.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert sorted(_build(ran, "-j", "2")) == sorted(CHAPTERS)
    start = {c: t for kind, c, t, _ in events if kind == "start"}
    end = {c: t for kind, c, t, _ in events if kind == "end"}
    threads = {c: n for kind, c, _, n in events if kind == "start"}
    for chapter in CHAPTERS:
        assert all(end[dep] <= start[chapter] for dep in reads(chapter, CHAPTERS))
    assert start["02_training"] < end["01_datasets"] and start["06_narrow"] < end["05_adapters"]  # side by side
    # 1 and 2 together (2 of 4 cores each); 3 and 4 alone (every later chapter reads them); 5 and 6 together
    assert threads == {"01_datasets": 2, "02_training": 2, "03_judging": 4, "04_direction": 4,
                       "05_adapters": 2, "06_narrow": 2}
    running, most = 0, 0
    for kind, *_ in sorted(events, key=lambda e: e[2]):
        running += 1 if kind == "start" else -1
        most = max(most, running)
    assert most == 2
    # one job: the book's order, one at a time, the kernels' own thread count
    events.clear()
    assert _build(ran, "--force") == CHAPTERS
    assert {n for kind, _, _, n in events if kind == "start"} == {None}


def test_a_chapter_that_fails_stops_the_chapters_after_it_and_lets_the_running_one_finish(project, monkeypatch):
    import time

    import papermill

    root, runs, ran = project
    stub = papermill.execute_notebook

    def failing(source, target, parameters, **kwargs):
        if source.endswith("02_training.ipynb"):
            raise RuntimeError("chapter 2 broke")
        if source.endswith("01_datasets.ipynb"):
            time.sleep(0.3)  # still running when chapter 2 fails
        stub(source, target, parameters, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", failing)
    ran.clear()
    with pytest.raises(RuntimeError, match="chapter 2 broke"):
        cli.main(["book", "--profile", "smoke", "-j", "2"])
    assert ran == ["01_datasets"]  # finished; nothing that reads chapter 2 started
    assert (runs / "smoke" / "01_datasets" / "run.json").is_file()
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        book.schedule(["a"], {}, lambda name, threads: None, jobs=0)


def test_a_job_count_below_one_is_refused_before_anything_runs(project, capsys):
    root, runs, ran = project
    with pytest.raises(SystemExit) as exit_:
        cli.main(["book", "--profile", "smoke", "-j", "0"])
    assert exit_.value.code == 2 and "--jobs must be at least 1, got 0" in capsys.readouterr().err
    assert ran == [] and not runs.exists()


def test_a_chapter_left_running_alone_is_given_the_cores_the_others_freed():
    import time

    calls, retunes = [], []
    pace = {"a": 0.05, "b": 0.6, "c": 0.05}  # b outlasts a and then c, which reads a

    def run(name, threads):
        calls.append((name, threads))
        time.sleep(pace[name])

    book.schedule(["a", "b", "c"], {"c": ["a"]}, run, jobs=2, cores=2, retune=lambda name, n: retunes.append((name, n)))
    assert sorted(calls) == [("a", 1), ("b", 1), ("c", 1)]  # c starts beside b
    # each chapter's share before it starts, then b's two cores once c is done and nothing else can start
    assert retunes == [("a", 1), ("b", 1), ("c", 1), ("b", 2)]
    retunes.clear()
    book.schedule(["a", "b", "c"], {"c": ["a"]}, run, jobs=1, cores=2, retune=lambda name, n: retunes.append((name, n)))
    assert retunes == []  # one job: every chapter on torch's own thread count


def test_with_several_jobs_the_longest_chain_of_chapters_starts_first():
    """With the recorded demo book's times, chapter 6 (longer than 5 and 7, read by none) is given its cores before
    chapter 5 once chapter 4 is done, and chapter 4 (which both wait on) before chapter 7; without times,
    or with one job, the book's order."""
    names = cli.chapters()
    needs = {name: reads(name, names) for name in names}
    seconds = book.expected_seconds("demo", names, Path("/nonexistent/runs"))
    assert set(seconds) == set(names) and seconds["06_narrow"] > max(seconds["05_adapters"], seconds["07_controls"])

    def started(**kwargs):
        order: list[str] = []
        book.schedule(names, needs, lambda name, threads: None, cores=2,
                      retune=lambda name, threads: order.append(name), **kwargs)
        return list(dict.fromkeys(order))  # each chapter's first share: when it was started

    ranked = started(jobs=2, seconds=seconds)
    assert ranked.index("06_narrow") < ranked.index("05_adapters")
    assert ranked.index("04_direction") < ranked.index("07_controls")
    plain = started(jobs=2)
    assert plain.index("05_adapters") < plain.index("06_narrow")
    assert book.critical_paths(names, needs, seconds)["03_judging"] == pytest.approx(
        seconds["03_judging"] + seconds["04_direction"] + seconds["06_narrow"])


def test_the_expected_times_come_from_one_source_for_every_chapter(tmp_path):
    names = ["01_datasets", "02_training"]
    results, runs = tmp_path / "benchmarks" / "results", tmp_path / "runs"
    results.mkdir(parents=True)
    assert book.expected_seconds("smoke", names, runs, root=tmp_path) == {}

    def record(profile, walls):
        rows = [{"chapter": name, "wall_s": wall} for name, wall in walls.items()]
        (results / f"book_{profile}.json").write_text(json.dumps({"chapters": rows}))

    record("demo", {"01_datasets": 6.0, "02_training": 660.0})
    assert book.expected_seconds("smoke", names, runs, root=tmp_path) == {"01_datasets": 6.0, "02_training": 660.0}
    record("smoke", {"01_datasets": 3.0, "02_training": 20.0})
    assert book.expected_seconds("smoke", names, runs, root=tmp_path)["02_training"] == 20.0
    for name, status in (("01_datasets", "complete"), ("02_training", "running")):
        (runs / name).mkdir(parents=True)
        (runs / name / "run.json").write_text(json.dumps({"status": status, "wall_seconds": 2.5}))
    assert book.expected_seconds("smoke", names, runs, root=tmp_path)["02_training"] == 20.0  # one run incomplete
    (runs / "02_training" / "run.json").write_text(json.dumps({"status": "complete", "wall_seconds": 17.0}))
    assert book.expected_seconds("smoke", names, runs, root=tmp_path) == {"01_datasets": 2.5, "02_training": 17.0}
