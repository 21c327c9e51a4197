"""The whole-book command's plan: which chapter reads which, parameters routed to chapters, and
whether a chapter's last executed copy still stands (then it is kept, not run again).

A chapter is kept when its executed notebook carries the fingerprint this module wrote after it
last ran (``metadata.em_companion``) and nothing in it changed: the notebook's source, its
parameters, the ``em_utils`` source, the ``data/`` folder (and any file outside it the run read),
its own run record (no other run replaced it since), and the run records of the chapters it reads
(:data:`READS`), so that a chapter that ran again makes the chapters reading it run again too.

>>> route_parameters({"03_judging.temperature": 1.0, "seed": 1}, {"01_datasets": {"max_rows"},
...                   "03_judging": {"temperature", "seed"}, "04_direction": {"seed"}})
{'01_datasets': {}, '03_judging': {'seed': 1, 'temperature': 1.0}, '04_direction': {'seed': 1}}
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

__all__ = ["READS", "reads", "known_parameters", "route_parameters", "fingerprint", "why_run", "stamp",
           "ParameterError", "host_cores", "schedule", "critical_paths", "expected_seconds"]

#: The chapters whose outputs each chapter reads (its ``require_run`` / ``EarlierRuns`` calls).
#: A new chapter is one line here; a chapter missing from the table is taken to read every earlier one.
READS: dict[str, tuple[str, ...]] = {
    "01_datasets": (),
    "02_training": (),
    "03_judging": ("02_training",),
    "04_direction": ("02_training", "03_judging"),
    "05_adapters": ("02_training", "03_judging", "04_direction"),
    # 03 only for its judge_agreement.csv, quoted in figure captions (em_utils.plots.caption)
    "06_narrow": ("02_training", "03_judging", "04_direction"),
    "07_controls": ("02_training", "03_judging"),
}

META_KEY = "em_companion"
PACKAGE = Path(__file__).resolve().parent  # the em_utils source whose change reruns every chapter


class ParameterError(ValueError):
    """A ``-p`` names an unknown chapter, or a parameter no chapter (or not that chapter) has."""


def reads(chapter: str, order: list[str]) -> tuple[str, ...]:
    """The chapters ``chapter`` reads (every earlier one in ``order`` when it is not in :data:`READS`)."""
    if chapter in READS:
        return READS[chapter]
    return tuple(order[: order.index(chapter)]) if chapter in order else ()


def known_parameters(notebook: Path) -> set[str]:
    """The names a notebook's ``parameters`` cell defines (what papermill's ``-p`` can set)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def _chapter_of(scope: str, names: Iterable[str]) -> str:
    """``03_judging`` or its number ``03`` -> ``03_judging``; anything else is an error."""
    names = list(names)
    if scope in names:
        return scope
    by_number = [n for n in names if n.split("_", 1)[0] == scope]
    if len(by_number) == 1:
        return by_number[0]
    raise ParameterError(f"-p {scope}.NAME: no chapter {scope!r} here; chapters: {', '.join(names)}")


def route_parameters(parameters: Mapping[str, Any], known: Mapping[str, set[str]]) -> dict[str, dict[str, Any]]:
    """Each chapter's parameters from ``-p`` items.

    A key ``CHAPTER.NAME`` (``03_judging.temperature``, or ``03.temperature``) sets a parameter of
    one chapter; a plain ``NAME`` sets it in every chapter whose parameters cell has it. A chapter
    scope wins over a plain name for its chapter.

    Args:
        parameters: ``-p`` items in the order given (values already parsed).
        known: each chapter of the build (in order) and the parameter names its notebook defines.

    Raises:
        ParameterError: an unknown chapter, a name that chapter does not have, or a plain name that
            no chapter of the build has (the message names the chapters and what they accept).
    """
    routed: dict[str, dict[str, Any]] = {chapter: {} for chapter in known}
    scoped: list[tuple[str, str, Any]] = []
    for key, value in parameters.items():
        if "." in key:
            scope, name = key.split(".", 1)
            scoped.append((_chapter_of(scope, known), name, value))
            continue
        having = [chapter for chapter, names in known.items() if key in names]
        if not having:
            raise ParameterError(
                f"-p {key}: no chapter of this build has a parameter {key!r} "
                f"(chapters: {', '.join(known)}); see each notebook's parameters cell")
        for chapter in having:
            routed[chapter][key] = value
    for chapter, name, value in scoped:
        if name not in known[chapter]:
            raise ParameterError(
                f"-p {chapter}.{name}: chapter {chapter} has no parameter {name!r}; "
                f"its parameters: {', '.join(sorted(known[chapter]))}")
        routed[chapter][name] = value
    return routed


def _sha256_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@lru_cache(maxsize=None)
def _tree_hash(folder: str, pattern: str, _stamp: tuple) -> str:
    root = Path(folder)
    return _sha256_files((p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts), root)


def tree_hash(folder: Path, pattern: str = "*") -> str:
    """sha256 over the names and contents of the files under ``folder`` (``__pycache__`` aside).

    Cached by the files' sizes and modification times, so a build hashes each tree once."""
    folder = Path(folder)
    if not folder.is_dir():
        return "missing"
    files = sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _tree_hash(str(folder), pattern, stamp)


def _record(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / "run.json").read_text())
    except (OSError, ValueError):
        return None


def _identity(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """What tells one complete run of a chapter from another."""
    if not record or record.get("status") != "complete":
        return None
    return {key: record.get(key) for key in ("config_hash", "started_utc", "finished_utc", "wall_seconds")}


def fingerprint(notebook: Path, parameters: Mapping[str, Any], runs: Path, upstream: Iterable[str],
                root: Path) -> dict[str, Any]:
    """Everything whose change makes a chapter run again (see the module docstring).

    Args:
        notebook: the chapter's source notebook.
        parameters: what papermill passes (``profile`` included).
        runs: the profile's run folder (``runs/<profile>``).
        upstream: the chapters it reads.
        root: the project root (``em_utils/`` is hashed at :data:`PACKAGE`).
    """
    return {
        "notebook": hashlib.sha256(Path(notebook).read_bytes()).hexdigest(),
        "parameters": json.loads(json.dumps(dict(parameters), sort_keys=True, default=str)),
        "em_utils": tree_hash(PACKAGE, "*.py"),
        "data": tree_hash(root / "data"),
        "upstream": {chapter: _identity(_record(runs / chapter)) for chapter in upstream},
    }


def stamp(executed: Path, before: Mapping[str, Any], run_folder: Path) -> None:
    """Write the fingerprint taken before a successful run, and the identity of the run record it
    left, into the executed notebook's metadata (what :func:`why_run` compares next time)."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata[META_KEY] = {**before, "record": _identity(_record(run_folder)),
                             "executed_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    nbformat.write(nb, str(executed))


def _read_stamp(executed: Path) -> dict[str, Any] | None:
    try:
        return json.loads(Path(executed).read_text()).get("metadata", {}).get(META_KEY)
    except (OSError, ValueError):
        return None


def _outside_data_changed(record: Mapping[str, Any], root: Path) -> str | None:
    """A file outside ``data/`` that the run read (recorded in its ``data``) and that changed since."""
    from .data import file_sha256

    for name, digest in (record.get("data") or {}).items():
        path = Path(name) if Path(name).is_absolute() else root / name
        try:
            inside = path.resolve().is_relative_to((root / "data").resolve())
        except OSError:
            inside = False
        if inside:
            continue  # the data/ tree hash covers it
        if not path.is_file() or file_sha256(path) != digest:
            return name
    return None


def why_run(executed: Path, now: Mapping[str, Any], run_folder: Path, root: Path) -> str | None:
    """Why a chapter must run, in a few words, or ``None`` when its executed copy still stands.

    Args:
        executed: where its executed notebook is (and will be written).
        now: :func:`fingerprint` as things are now.
        run_folder: the chapter's run folder.
        root: the project root.
    """
    before = _read_stamp(executed)
    if not Path(executed).is_file():
        return "no executed copy yet"
    if before is None:
        return "its executed copy has no record of how it was made"
    record = _record(run_folder)
    if _identity(record) is None:
        return "no complete run record"
    if before.get("record") != _identity(record):
        return "its run folder was written by another run since"
    for key, what in (("notebook", "notebook changed"), ("parameters", "parameters changed"),
                      ("em_utils", "em_utils changed"), ("data", "data/ changed")):
        if before.get(key) != now[key]:
            return what
    for chapter, identity in now["upstream"].items():
        if identity is None:
            return f"{chapter} has no complete run"
        if (before.get("upstream") or {}).get(chapter) != identity:
            return f"{chapter} ran again"
    changed = _outside_data_changed(record, root)
    if changed:
        return f"{changed} changed"
    return None


def host_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS has one): what ``--jobs`` shares."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def critical_paths(names: Sequence[str], needs: Mapping[str, Iterable[str]],
                   seconds: Mapping[str, float]) -> dict[str, float]:
    """Each chapter's expected ``seconds`` plus those of the longest chain of chapters that wait on it
    (directly or through others): how long the book takes from its start at the least, on cores enough.

    >>> critical_paths(["a", "b", "c", "d"], {"c": ["a"], "d": ["a"]}, {"a": 1, "b": 5, "c": 2, "d": 7})
    {'a': 8.0, 'b': 5.0, 'c': 2.0, 'd': 7.0}
    """
    wanted = set(names)
    waiting: dict[str, list[str]] = {name: [] for name in names}
    for name in names:
        for need in set(needs.get(name, ())) & wanted:
            waiting[need].append(name)
    path: dict[str, float] = {}

    def longest(name: str) -> float:
        if name not in path:
            path[name] = float(seconds.get(name, 0.0)) + max((longest(w) for w in waiting[name]), default=0.0)
        return path[name]

    return {name: longest(name) for name in names}


def expected_seconds(profile: str, names: Sequence[str], runs: Path, root: Path | None = None) -> dict[str, float]:
    """What each chapter is expected to take, from one source for all of them (so that they compare):
    the last complete run of every chapter in this profile's run folder ``runs``, else the recorded
    book of this profile (``benchmarks/results/book_<profile>.json``), else the recorded demo book;
    ``{}`` when none has them all. Only the order of these matters (:func:`schedule`'s ``seconds``)."""
    from .book_times import load_book_time
    from .progress import last_times

    last = {name: last_times(runs / name)[0] for name in names}
    if all(value is not None for value in last.values()):
        return {name: float(value) for name, value in last.items()}
    for recorded in (profile, "demo"):
        record = load_book_time(recorded, root) or {}
        walls = {row["chapter"]: float(row["wall_s"]) for row in record.get("chapters", []) if "wall_s" in row}
        if set(names) <= set(walls):
            return {name: walls[name] for name in names}
    return {}


def schedule(names: Sequence[str], needs: Mapping[str, Iterable[str]], run: Callable[[str, int | None], Any],
             jobs: int = 1, cores: int | None = None, keep: Callable[[str], bool] = lambda name: False,
             retune: Callable[[str, int], Any] | None = None, seconds: Mapping[str, float] | None = None) -> list[str]:
    """Run each of ``names`` once every chapter it ``needs`` is done, at most ``jobs`` at a time.

    A chapter is ready when the chapters it needs (those of ``names`` among them; others count as
    done) are done; ready chapters start in ``names`` order, or, with more than one job and the
    chapters' expected ``seconds``, the one with the longest chain still ahead of it first
    (:func:`critical_paths`; ties in ``names`` order): a long chapter that nothing else waits on
    then starts before short ones, instead of running alone at the end. ``keep(name)`` is asked first, when the
    chapter is ready: true means its last executed copy stands and it is done at once, without a
    slot. ``run(name, threads)`` runs one chapter, from a worker thread when ``jobs > 1``.

    ``threads`` is what the chapter's kernel may use: ``None`` with one job (torch's own default),
    else the host's ``cores`` shared by the chapters that can run at that moment,
    ``cores // min(jobs, running + ready)`` and at least 1. A chapter is only ever started when
    another finishes, so the kernels running together never ask for more threads than ``cores``,
    and a chapter that runs alone (every later one needs it) gets them all. When nothing more can
    start, ``retune(name, threads)`` gives each running chapter its new share (it is also called, from
    this thread, with each chapter's threads just before the chapter starts),
    ``cores // running`` (the chapter left alone at the end takes the cores the others freed; the
    kernel adopts it at its next stage: :func:`em_utils.runs.adopt_threads`).

    A failed chapter stops new starts; the chapters running finish, then its error is raised.
    Returns the chapters in the order they were done (kept or run).

    >>> calls = []
    >>> schedule(["a", "b", "c"], {"c": ["a", "b"]}, lambda name, threads: calls.append((name, threads)), jobs=2, cores=2)[-1]
    'c'
    >>> sorted(calls)  # a and b side by side on one core each, then c alone on both
    [('a', 1), ('b', 1), ('c', 2)]
    >>> started = []  # the order chapters are given their cores: b (the chain b, c) before a, though a comes first
    >>> _ = schedule(["a", "b", "c"], {"c": ["b"]}, lambda name, threads: None, jobs=2, cores=2,
    ...              seconds={"a": 3, "b": 2, "c": 2}, retune=lambda name, threads: started.append(name))
    >>> started[:3]
    ['b', 'a', 'c']
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    cores = host_cores() if cores is None else cores
    wanted = set(names)
    need = {name: set(needs.get(name, ())) & wanted for name in names}
    if jobs > 1 and seconds:
        path, place = critical_paths(names, need, seconds), {name: k for k, name in enumerate(names)}
        names = sorted(names, key=lambda name: (-path[name], place[name]))
    pending, finished, running, failure, asked, given = list(names), [], {}, None, set(), {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while True:
            ready = [name for name in pending if need[name] <= set(finished)] if failure is None else []
            kept = None
            for name in (name for name in ready if name not in asked):
                asked.add(name)
                if keep(name):
                    kept = name
                    break
            if kept is not None:  # done without a slot: what it unblocks is looked at again
                pending.remove(kept)
                finished.append(kept)
                continue
            if ready and len(running) < jobs:
                width = min(jobs, len(running) + len(ready))
                threads = None if jobs == 1 else max(1, cores // width)
                for name in ready[: jobs - len(running)]:
                    pending.remove(name)
                    given[name] = threads
                    if retune is not None and threads is not None:
                        retune(name, threads)  # before it starts: a later share is never overwritten by this one
                    running[pool.submit(run, name, threads)] = name
                continue
            if not running:
                break
            if retune is not None and jobs > 1:  # nothing more can start: the running chapters share the cores
                share = max(1, cores // len(running))
                for name in running.values():
                    if given[name] != share:
                        given[name] = share
                        retune(name, share)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                try:
                    future.result()
                except BaseException as err:  # noqa: BLE001  (raised once the running chapters finish)
                    failure = failure or err
                else:
                    finished.append(name)
    if failure is not None:
        raise failure
    return finished

