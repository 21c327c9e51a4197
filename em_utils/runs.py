"""Run folders and run records: where a chapter's artifacts go and how they were made.

Each chapter run writes to ``runs/<profile>/<chapter>/`` and keeps there a ``run.json`` record:
UTC times, git commit and dirty flag, package versions, parameters as passed and as resolved,
the seed, sha256 of every data file used, wall time per stage, the hardware, and the artifacts
written. The record is rewritten after every stage, so an interrupted run leaves a truthful
partial record (``status: "running"``). No environment variable is ever recorded, and any string
equal to the value of a secret-looking environment variable is redacted before writing.

Typical use in a chapter::

    run = start_run(cfg)
    with run.stage("statistics"):
        ...
    run.save_frame(stats, "stats.csv")
    run.finish()
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

from .config import RunConfig, seed_everything
from .data import file_sha256
from .paths import project_root, runs_dir
from .progress import write_progress

__all__ = ["Run", "start_run", "read_record", "require_run", "MissingRunError", "EarlierRuns", "adopt_threads",
           "THREADS_FILE_ENV"]

_PACKAGES = (
    "em-companion",
    "torch",
    "transformers",
    "peft",
    "trl",
    "accelerate",
    "nnsight",
    "numpy",
    "pandas",
    "scikit-learn",
    "openai",
    "papermill",
    "jupyter-book",
)
_SECRET_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)", re.IGNORECASE)
REDACTED = "[redacted]"


class MissingRunError(RuntimeError):
    """A chapter needs artifacts that an earlier chapter has not written yet."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _git() -> dict[str, Any]:
    root = project_root()

    def call(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = call("rev-parse", "HEAD")
    status = call("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def _packages() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


#: Set by ``em-companion book --jobs`` in a chapter's kernel: a file holding the torch threads it may use now.
THREADS_FILE_ENV = "EM_THREADS_FILE"


def adopt_threads() -> int | None:
    """Set torch's thread count to the one in the file :data:`THREADS_FILE_ENV` names, and return it.

    The whole-book command with several jobs shares the cores between the chapters running and
    rewrites a chapter's file when its share changes (a chapter left running alone takes the cores
    the others freed): :meth:`Run.stage` calls this at every stage's start. ``None`` (nothing
    changed) without the variable or with a file that is missing or not a positive integer.
    """
    path = os.environ.get(THREADS_FILE_ENV)
    if not path:
        return None
    try:
        threads = int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None
    if threads < 1:
        return None
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


def _hardware() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        info["memory_gib"] = round(pages * size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    try:
        import torch

        from .precision import cpu_info

        cpu = cpu_info()  # the model name and the flags that decide fast arithmetic (a recorded profile names them)
        info["cpu"] = cpu["cpu"]
        info["cpu_flags"] = [flag for flag in ("avx512", "avx512_bf16", "amx") if cpu[flag]]
        info["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            info["cuda_devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except ImportError:  # pragma: no cover
        pass
    return info


def _secret_values() -> list[str]:
    return [v for k, v in os.environ.items() if _SECRET_ENV.search(k) and len(v) >= 8]


def redact(obj: Any, secrets: list[str] | None = None) -> Any:
    """Replace any occurrence of a secret environment value inside ``obj`` (recursively)."""
    secrets = _secret_values() if secrets is None else secrets
    if isinstance(obj, str):
        for secret in secrets:
            obj = obj.replace(secret, REDACTED)
        return obj
    if isinstance(obj, dict):
        return {redact(k, secrets): redact(v, secrets) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact(v, secrets) for v in obj]
    return obj


class Run:
    """A chapter run: its folder, its record, its stage timers."""

    def __init__(self, config: RunConfig, folder: Path):
        self.config = config
        self.folder = folder
        self.record: dict[str, Any] = {
            "run_name": config.run_name,
            **config.to_dict(),
            "seed": config.resolved.get("seed"),
            "status": "running",
            "started_utc": _now(),
            "finished_utc": None,
            "git": _git(),
            "packages": _packages(),
            "hardware": _hardware(),
            "data": {},
            "stages": {},
            "artifacts": [],
        }
        self._started = time.perf_counter()
        self._wall_started = time.time()
        self._open: list[tuple[str, float]] = []  # the stages entered and not left: progress.json

    def path(self, name: str) -> Path:
        """Path of an artifact inside the run folder (parent folders are created)."""
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage; the record is rewritten when it ends (even on error). While it runs,
        ``progress.json`` names it, for the command that started the notebook to show. Under
        ``em-companion book --jobs``, the stage starts on the torch threads the command last gave this
        chapter (:func:`adopt_threads`), recorded as ``stage_threads``."""
        threads = adopt_threads()
        if threads is not None:
            self.record.setdefault("stage_threads", {})[name] = threads
        started = time.perf_counter()
        self._open.append((name, time.time()))
        write_progress(self.folder, self._wall_started, self._open)
        try:
            yield
        finally:
            self.record["stages"][name] = round(time.perf_counter() - started, 3)
            self._open.pop()
            write_progress(self.folder, self._wall_started, self._open)
            self.write()

    def use_data(self, *paths: str | Path) -> None:
        """Record the sha256 of data files this run reads (relative paths are from the project root)."""
        root = project_root()
        for path in paths:
            path = Path(path)
            path = (path if path.is_absolute() else root / path).resolve()
            try:
                key = str(path.relative_to(root))
            except ValueError:
                key = str(path)
            self.record["data"][key] = file_sha256(path)

    def question_sets(self, names: str = "all") -> dict[str, Any]:
        """Load question sets (:func:`em_utils.data.load_question_sets`) and record their files."""
        from .data import load_question_sets

        sets = load_question_sets(names)
        self.use_data(*{q.source for questions in sets.values() for q in questions})
        return sets

    def add_artifact(self, name: str) -> Path:
        """Register an artifact written into the run folder and return its path."""
        if name not in self.record["artifacts"]:
            self.record["artifacts"].append(name)
        return self.path(name)

    def save_frame(self, frame, name: str) -> Path:
        """Write a pandas frame as CSV into the run folder and register it."""
        path = self.add_artifact(name)
        frame.to_csv(path, index=False)
        return path

    def save_json(self, obj: Any, name: str) -> Path:
        """Write JSON into the run folder (secrets redacted) and register it."""
        path = self.add_artifact(name)
        path.write_text(json.dumps(redact(obj), indent=2, default=str))
        return path

    def write(self) -> Path:
        """Write ``run.json`` now (secrets redacted)."""
        self.record["wall_seconds"] = round(time.perf_counter() - self._started, 3)
        path = self.folder / "run.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(redact(self.record), indent=2, default=str))
        tmp.replace(path)
        return path

    def finish(self) -> Path:
        """Mark the run complete and write the final record."""
        self.record["status"] = "complete"
        self.record["finished_utc"] = _now()
        return self.write()


def start_run(config: RunConfig) -> Run:
    """Create (or reuse) the run folder of ``config``, seed everything and write a first record."""
    folder = runs_dir() / config.profile / config.chapter
    folder.mkdir(parents=True, exist_ok=True)
    seed = config.resolved.get("seed")
    if seed is not None:
        seed_everything(int(seed))
    run = Run(config, folder)
    run.write()
    write_progress(folder, run._wall_started, [])  # replaces an earlier run's
    return run


def read_record(profile: str, chapter: str) -> dict[str, Any] | None:
    """The ``run.json`` of an earlier run, or ``None`` if there is none."""
    path = runs_dir() / profile / chapter / "run.json"
    return json.loads(path.read_text()) if path.is_file() else None


def require_run(profile: str, chapter: str) -> dict[str, Any]:
    """The record of a complete earlier chapter run, or a clear error naming what to run first."""
    record = read_record(profile, chapter)
    if record is None or record.get("status") != "complete":
        state = "has not been run" if record is None else "did not finish"
        raise MissingRunError(
            f"chapter {chapter} {state} in profile {profile!r}: run notebooks/{chapter}.ipynb first "
            f"(e.g. `make book PROFILE={profile}` or `em-companion run {chapter} --profile {profile}`)"
        )
    return record



@dataclass(frozen=True, eq=False)
class EarlierRuns:
    """What a chapter reads from the earlier chapters of its profile.

    Attributes:
        folder: the profile's run folder (``runs/<profile>``).
        organisms: chapter 2's ``organisms.csv``, indexed by organism.
        judged: chapter 3's ``judged.csv`` (every model's answers with their scores), or ``None``
            when chapter 3 was not among the chapters read.
    """

    folder: Path
    organisms: Any
    judged: Any = None

    @classmethod
    def read(cls, run: Run, chapters: tuple[str, ...] = ("02_training", "03_judging")) -> "EarlierRuns":
        """The earlier ``chapters`` of ``run``'s profile; :func:`require_run` names one that is missing."""
        import pandas as pd

        for chapter in chapters:
            require_run(run.config.profile, chapter)
        folder = run.folder.parent
        organisms = pd.read_csv(folder / "02_training" / "organisms.csv").set_index("organism")
        judged = None
        if "03_judging" in chapters:
            judged = pd.read_csv(folder / "03_judging" / "judged.csv", keep_default_na=False, na_values=[""])
        return cls(folder, organisms, judged)

    def adapter(self, name: str) -> Path:
        """The saved adapter of chapter 2's organism ``name``."""
        if name not in self.organisms.index:
            raise LookupError(
                f"organism {name!r} is not among chapter 2's ({', '.join(self.organisms.index)}): add its kind to "
                "chapter 2's `organisms` parameter and run chapter 2 (and 3) again, or pick another here")
        return self.folder / "02_training" / self.organisms.loc[name, "path"]

    def organism_folder(self, name: str) -> Path:
        """The run folder of chapter 2's organism ``name``: its ``adapter/`` and ``checkpoint-*``."""
        return self.adapter(name).parent

    def samples(self, name: str) -> Path:
        """Chapter 3's sample cache of model ``name`` (answers drawn there are not drawn again)."""
        return self.folder / "03_judging" / "samples" / f"{name}.jsonl"

    def answers(self, name: str) -> Any:
        """Chapter 3's judged answers of model ``name``."""
        if self.judged is None:
            raise LookupError("chapter 3's judged answers were not read: pass '03_judging' to EarlierRuns.read")
        return self.judged[self.judged["model"] == name]
