"""Live progress of a chapter run, seen from the command that started it.

Papermill runs a chapter in a kernel, out of the command's sight. :meth:`em_utils.runs.Run.stage`
writes the stage it enters into ``progress.json`` in the run folder (:func:`write_progress`); the
command (``em-companion run`` / ``book``) polls that file from a thread
(:class:`ProgressWatcher`) and prints a line when the stage changes and a heartbeat every 30 s,
with the time elapsed and the time the chapter (and the stage) took the last time it completed in
this profile. Plain lines, no carriage returns: readable in a terminal and in a CI log.

>>> duration(75), duration(4.2), duration(3725)
('1m15s', '4s', '1h02m')
>>> chapter_line(3, 6, "03_judging", "done in 4m01s")
'[3/6] 03_judging: done in 4m01s'
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TextIO

__all__ = ["PROGRESS_FILE", "write_progress", "read_progress", "last_times", "duration", "chapter_line",
           "stage_text", "heartbeat_text", "done_text", "start_text", "ProgressWatcher"]

PROGRESS_FILE = "progress.json"
HEARTBEAT_S = 30.0  # seconds of silence before a heartbeat line
POLL_S = 1.0  # how often the watcher reads progress.json


def write_progress(folder: Path, run_started: float, stages: list[tuple[str, float]], done: bool = False) -> None:
    """Write the stage a run is in (``stages``: the open ``(name, wall-clock start)``, outermost
    first) to ``folder/progress.json``, atomically. Never raises: progress is a courtesy."""
    try:
        payload = {
            "pid": os.getpid(),
            "run_started": run_started,
            "stage": " / ".join(name for name, _ in stages) or None,
            "stage_started": stages[-1][1] if stages else None,
            "done": done,
            "updated": time.time(),
        }
        path = Path(folder) / PROGRESS_FILE
        tmp = path.with_name(PROGRESS_FILE + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(payload))
        tmp.replace(path)
    except OSError:
        pass


def read_progress(folder: Path) -> dict[str, Any] | None:
    """The last :func:`write_progress` in ``folder``, or ``None`` (missing or being replaced)."""
    try:
        return json.loads((Path(folder) / PROGRESS_FILE).read_text())
    except (OSError, ValueError):
        return None


def last_times(folder: Path) -> tuple[float | None, dict[str, float]]:
    """Wall seconds of the last *complete* run recorded in ``folder/run.json`` and of its stages
    (``(None, {})`` when there is none). Read it before the chapter starts: a run rewrites it."""
    try:
        record = json.loads((Path(folder) / "run.json").read_text())
    except (OSError, ValueError):
        return None, {}
    if record.get("status") != "complete":
        return None, {}
    return record.get("wall_seconds"), dict(record.get("stages") or {})


def duration(seconds: float) -> str:
    """``75`` -> ``1m15s``: short, for progress lines."""
    seconds = int(round(max(seconds, 0)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def chapter_line(k: int, n: int, chapter: str, text: str) -> str:
    """One progress line: ``[k/n] chapter: text``."""
    return f"[{k}/{n}] {chapter}: {text}"


def _against(elapsed: float, expected: float | None) -> str:
    if expected is None:
        return f"{duration(elapsed)} elapsed"
    if elapsed <= expected:
        return f"{duration(elapsed)} elapsed of ~{duration(expected)} expected"
    return f"{duration(elapsed)} elapsed, over the ~{duration(expected)} it took last time"


def start_text(expected: float | None, why: str | None = None) -> str:
    """The line a chapter's start prints: why it runs, and how long it took last time."""
    reason = f" ({why})" if why else ""
    if expected is None:
        return f"running{reason}; no complete earlier run in this profile to time it by"
    return f"running{reason}; ~{duration(expected)} expected (its last complete run here)"


def stage_text(stage: str, elapsed: float, expected: float | None, stage_expected: float | None) -> str:
    """The line printed when the chapter enters ``stage``."""
    last = f"; this stage took {duration(stage_expected)} last time" if stage_expected is not None else ""
    return f"stage '{stage}' ({_against(elapsed, expected)}{last})"


def heartbeat_text(stage: str | None, stage_elapsed: float | None, elapsed: float, expected: float | None) -> str:
    """The line printed every 30 s while nothing else was."""
    where = (f"in stage '{stage}' for {duration(stage_elapsed or 0)}" if stage
             else "starting the kernel or between stages")
    return f"... {where}; {_against(elapsed, expected)}"


def done_text(elapsed: float, expected: float | None) -> str:
    """The line printed when the chapter's notebook has run."""
    last = f" (last time {duration(expected)})" if expected is not None else ""
    return f"done in {duration(elapsed)}{last}"


class ProgressWatcher:
    """Polls a run folder's ``progress.json`` while a chapter runs elsewhere and prints its stages.

    Use as a context manager around the papermill call; :meth:`poll` does one step (tests call it
    with their own clock). A ``progress.json`` written before ``started`` (an earlier run's) is ignored.

    Args:
        folder: the chapter's run folder (``runs/<profile>/<chapter>``).
        k, n, chapter: for the ``[k/n] chapter:`` prefix.
        expected, stage_expected: the last complete run's wall seconds, and each stage's (:func:`last_times`).
        heartbeat: seconds of silence before a heartbeat line (default :data:`HEARTBEAT_S`).
        poll_every: seconds between reads of the progress file (default :data:`POLL_S`).
        out: where lines go (default: ``sys.stdout`` at the time of printing).
        clock: wall-clock seconds (``time.time``; the kernel writes the same clock).
    """

    def __init__(self, folder: Path, k: int, n: int, chapter: str, expected: float | None = None,
                 stage_expected: dict[str, float] | None = None, heartbeat: float | None = None,
                 poll_every: float | None = None, out: TextIO | None = None, clock: Callable[[], float] = time.time):
        self.folder, self.k, self.n, self.chapter = Path(folder), k, n, chapter
        self.expected, self.stage_expected = expected, dict(stage_expected or {})
        self.heartbeat = HEARTBEAT_S if heartbeat is None else heartbeat
        self.poll_every = POLL_S if poll_every is None else poll_every
        self.out, self.clock = out, clock
        self.started = clock()
        self.last_print = self.started
        self.stage: str | None = None
        self.stage_started: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def say(self, text: str) -> None:
        """Print one ``[k/n] chapter:`` line now."""
        print(chapter_line(self.k, self.n, self.chapter, text), file=self.out or sys.stdout, flush=True)
        self.last_print = self.clock()

    def poll(self, now: float | None = None) -> None:
        """Read the progress file once; print a stage line on a change, or a heartbeat when due."""
        now = self.clock() if now is None else now
        progress = read_progress(self.folder)
        if progress and progress.get("run_started", 0) >= self.started - 1:
            stage = progress.get("stage")
            if stage != self.stage:
                self.stage, self.stage_started = stage, progress.get("stage_started")
                if stage:
                    last = self.stage_expected.get(stage.split(" / ")[-1])
                    self.say(stage_text(stage, now - self.started, self.expected, last))
                    return
        if now - self.last_print >= self.heartbeat:
            in_stage = now - self.stage_started if self.stage and self.stage_started else None
            self.say(heartbeat_text(self.stage, in_stage, now - self.started, self.expected))

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_every):
            self.poll()

    def __enter__(self) -> "ProgressWatcher":
        self._thread = threading.Thread(target=self._loop, name=f"progress-{self.chapter}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
