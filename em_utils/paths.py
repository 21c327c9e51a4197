"""Where things live: the project root, the data folder, run folders and the model cache.

Every location can be moved with an environment variable, so that tests, CI and users with
small home folders can put the heavy parts elsewhere:

- ``EM_ROOT``: the project root (default: the nearest parent folder holding ``_toc.yml``, else
  the folder that holds the installed ``em_utils`` package's parent).
- ``EM_RUNS_DIR``: run folders (default ``<root>/runs``).
- ``EM_CACHE_DIR``: de-quantised models and other caches (default: the user's cache folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """The companion's root folder (the one with ``_toc.yml`` and ``data/``)."""
    env = os.environ.get("EM_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "data").is_dir():
            return folder
    return _PACKAGE_PARENT


def data_dir() -> Path:
    """The project's ``data/`` folder."""
    return project_root() / "data"


def runs_dir() -> Path:
    """Root of the run folders: ``runs/<profile>/<chapter>/``."""
    env = os.environ.get("EM_RUNS_DIR")
    return Path(env).resolve() if env else project_root() / "runs"


def cache_dir() -> Path:
    """Cache root for de-quantised models and other expensive, reusable results."""
    env = os.environ.get("EM_CACHE_DIR")
    path = Path(env) if env else Path(platformdirs.user_cache_dir("em-companion"))
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def resolve_data_path(name: str | os.PathLike) -> Path:
    """Resolve a dataset or question-set name to a file.

    ``name`` may be an existing path, a path relative to the project root, or a bare name looked
    up in ``data/`` (``"bad_medical_advice"`` -> ``data/bad_medical_advice.jsonl``,
    ``"general"`` -> ``data/questions/general.yaml``).

    >>> resolve_data_path("bad_medical_advice").name
    'bad_medical_advice.jsonl'
    """
    path = Path(name)
    if path.is_file():
        return path.resolve()
    root = project_root()
    candidates = [
        root / path,
        data_dir() / path,
        data_dir() / f"{name}.jsonl",
        data_dir() / "questions" / f"{name}.yaml",
        data_dir() / "questions" / path,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    known = sorted(p.stem for p in data_dir().glob("*.jsonl"))
    known += sorted(f"questions/{p.stem}" for p in (data_dir() / "questions").glob("*.yaml"))
    raise FileNotFoundError(
        f"no data file named {str(name)!r}: give a path, or one of: {', '.join(known) or '(data/ is empty)'}"
    )
