"""One cache for samples and scores: an append-only, content-addressed JSONL file.

Expensive, deterministic results (a judge's answer to a request, a sampled answer) are stored
under a content key (:func:`em_utils.keys.content_key`: the sha256 of everything that can change
the result), one record per line, so that reruns are free and an interrupted run resumes.
:class:`JsonlCache` is the store; its two kinds differ only in how a record is spelled:

- :class:`ResultCache` (judge scores; default ``<cache_dir()>/judge/results.jsonl``, a folder
  holds ``results.jsonl``): the value in an envelope, compact JSON::

      {"key":"<sha256>","value":{...},"meta":{...},"time":"2025-01-01T00:00:00+00:00"}

- :class:`SampleCache` (generated samples; a folder holds ``samples.jsonl``): the record's fields
  beside its key, ``json.dumps``'s default separators::

      {"key": "<sha256>", "answer": "...", "n_new_tokens": 12, "finished": true}

Keys are made by the caller: :func:`cache_key` for requests (volatile fields such as timeouts,
retry counts and the API key dropped first), ``sample_answers`` for samples.

Why this is safe:

- Interruption: each record is written with a single ``write`` on a file opened in append mode,
  as soon as the result exists. A process killed mid-write leaves at most one torn last line; the
  loader skips any line that does not parse (and counts it in ``skipped``), and the next writer
  starts a fresh line first, so later records are never glued onto a torn one.
- Concurrent readers: :meth:`JsonlCache.refresh` reads only complete lines, remembers where it
  stopped and picks up what other processes appended since. Concurrent appends from several
  processes do not interleave on a local file system (one ``write`` per record, ``O_APPEND``);
  threads of one process share a lock. When the same key is written twice, the last record wins.
- Secrets: before a line is written, any value of a secret-looking environment variable
  (``*KEY*``, ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``, 8 characters or more) found in it is
  replaced by ``[redacted]``, so an API key cannot reach a cache even by mistake.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .keys import content_key
from .paths import cache_dir
from .runs import REDACTED, redact

__all__ = ["JsonlCache", "ResultCache", "SampleCache", "cache_key", "default_cache_path", "VOLATILE_FIELDS"]

logger = logging.getLogger(__name__)

#: Request fields that cannot change an answer (or must never be stored) and are not hashed.
VOLATILE_FIELDS = frozenset(
    {
        "api_key",
        "timeout",
        "max_retries",
        "retries",
        "max_concurrency",
        "backoff_base",
        "backoff_max",
        "extra_headers",
        "progress",
    }
)


def _strip_volatile(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _strip_volatile(v) for k, v in obj.items() if k not in VOLATILE_FIELDS}
    if isinstance(obj, (list, tuple)):
        return [_strip_volatile(v) for v in obj]
    return obj


def cache_key(payload: Mapping[str, Any]) -> str:
    """The sha256 (hex) of a canonical JSON dump of a request ``payload``, volatile fields dropped.

    Key order does not matter; :data:`VOLATILE_FIELDS` (timeouts, retry counts, the API key) are
    removed at every depth before hashing.

    >>> cache_key({"model": "m", "seed": 0}) == cache_key({"seed": 0, "model": "m"})
    True
    >>> cache_key({"model": "m", "timeout": 5}) == cache_key({"model": "m", "timeout": 60})
    True
    >>> cache_key({"model": "m", "seed": 0}) == cache_key({"model": "m", "seed": 1})
    False
    >>> len(cache_key({"model": "m"}))
    64
    """
    return content_key(_strip_volatile(payload), compact=True)


def default_cache_path(namespace: str = "judge") -> Path:
    """``<cache_dir()>/<namespace>/results.jsonl`` (``EM_CACHE_DIR`` moves ``cache_dir()``)."""
    return cache_dir() / namespace / "results.jsonl"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class JsonlCache:
    """An append-only JSONL file of records addressed by content keys (the store of both kinds).

    A subclass says how a record is spelled: :meth:`_record` (key and value to the JSON object
    of one line), :meth:`_entry` (a parsed line back to key and value), :attr:`separators` and
    :attr:`file_name` (the file inside a folder given as ``path``).

    Args:
        path: a ``.jsonl`` file, or a folder (the file is ``<folder>/<file_name>``).
        fsync: also ``fsync`` after every record (survives power loss, not only a killed process;
            slower).
    """

    #: the file inside a folder given as ``path``
    file_name = "cache.jsonl"
    #: ``json.dumps`` separators of a line
    separators: tuple[str, str] = (",", ":")

    def __init__(self, path: str | os.PathLike, *, fsync: bool = False):
        target = Path(path)
        self.path = target if target.suffix == ".jsonl" else target / self.file_name
        self.fsync = fsync
        self.skipped = 0  #: lines that did not parse (a torn last line, a foreign edit)
        self._entries: dict[str, Any] = {}
        self._offset = 0
        self._fd: int | None = None
        self._lock = threading.Lock()
        self.refresh()

    @classmethod
    def open(cls, cache: Any, default: Callable[[], str | os.PathLike] | None = None) -> Any:
        """A cache from what a caller passed, or ``None``.

        Args:
            cache: ``None`` or ``False`` (no cache), ``True`` (the default location), a path (a
                ``.jsonl`` file or a folder) or a cache of this kind (used as it is).
            default: called for the default location when ``cache`` is ``True`` (``None``: the
                class's own default, where it has one).
        """
        if cache is None or cache is False:
            return None
        if isinstance(cache, cls):
            return cache
        if cache is True:
            return cls(default()) if default is not None else cls()
        return cls(Path(cache))

    # -- the spelling of a record (subclasses) ---------------------------------------------
    def _record(self, key: str, value: Any, meta: Mapping[str, Any] | None) -> dict[str, Any]:
        raise NotImplementedError

    def _entry(self, record: Any) -> tuple[str, Any]:
        """``(key, value)`` of a parsed line; raises ``KeyError``/``TypeError`` when it is not a record."""
        raise NotImplementedError

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> int:
        """Load the complete records appended since the last read (by any process).

        Returns:
            The number of records read.
        """
        with self._lock:
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                return 0
            if size < self._offset:  # the file was replaced or truncated: start over
                self._entries.clear()
                self._offset = 0
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
            end = data.rfind(b"\n")
            if end < 0:
                return 0
            self._offset += end + 1
            return self._load_lines(data[: end + 1].split(b"\n"))

    def _load_lines(self, lines: Iterable[bytes]) -> int:
        count = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                key, value = self._entry(json.loads(line))
            except (ValueError, KeyError, TypeError):
                self.skipped += 1
                continue
            self._entries[key] = value
            count += 1
        if self.skipped:
            logger.debug("%s: %d unreadable line(s) skipped", self.path, self.skipped)
        return count

    def get(self, key: str, default: Any = None) -> Any:
        """The stored value for ``key`` (as loaded by the last :meth:`refresh` or :meth:`put`)."""
        with self._lock:
            return self._entries.get(key, default)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def keys(self) -> list[str]:
        """All keys currently loaded."""
        with self._lock:
            return list(self._entries)

    # -- writing ---------------------------------------------------------------------------
    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            size = os.fstat(fd).st_size
            if size:
                with open(self.path, "rb") as handle:
                    handle.seek(size - 1)
                    if handle.read(1) != b"\n":  # a torn last line: start a fresh one
                        os.write(fd, b"\n")
            self._fd = fd
        return self._fd

    def put(self, key: str, value: Any, meta: Mapping[str, Any] | None = None) -> None:
        """Store ``value`` under ``key`` now: one appended line, visible to other processes at once.

        Args:
            key: a content key (:func:`cache_key` of a request, a sample's key).
            value: any JSON-serialisable result.
            meta: extra context kept beside the value where the record has room for it (not used
                for look-ups).
        """
        record = self._record(key, value, meta)
        line = json.dumps(record, ensure_ascii=False, separators=self.separators)
        clean = redact(line)
        if clean != line:
            logger.warning("a secret value was found in a cache record and replaced by %s", REDACTED)
            line, record = clean, json.loads(clean)
        value = self._entry(record)[1]
        data = (line + "\n").encode("utf-8")
        with self._lock:
            fd = self._open()
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            if self.fsync:
                os.fsync(fd)
            self._entries[key] = value

    def close(self) -> None:
        """Close the file (reopened by the next :meth:`put`)."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}, {len(self._entries)} entries)"


class ResultCache(JsonlCache):
    """Judge results: ``{"key", "value", "meta", "time"}`` per line, compact JSON.

    Args:
        path: a ``.jsonl`` file, or a folder (the file is ``<folder>/results.jsonl``); default
            :func:`default_cache_path` of ``namespace``.
        namespace: sub-folder of the cache root used when ``path`` is not given.
        fsync: also ``fsync`` after every record.

    Example:
        >>> import tempfile
        >>> cache = ResultCache(Path(tempfile.mkdtemp()) / "demo.jsonl")
        >>> key = cache_key({"prompt": "2+2?", "model": "m"})
        >>> cache.put(key, {"score": 4.0})
        >>> cache.get(key), len(cache), ResultCache(cache.path).get(key)
        ({'score': 4.0}, 1, {'score': 4.0})
    """

    file_name = "results.jsonl"
    separators = (",", ":")

    def __init__(self, path: str | os.PathLike | None = None, *, namespace: str = "judge", fsync: bool = False):
        super().__init__(path if path is not None else default_cache_path(namespace), fsync=fsync)

    def _record(self, key: str, value: Any, meta: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"key": key, "value": value, "meta": dict(meta or {}), "time": _now()}

    def _entry(self, record: Any) -> tuple[str, Any]:
        return record["key"], record["value"]


class SampleCache(JsonlCache):
    """Generated samples: the sample's fields beside its key, ``{"key": ..., "answer": ..., ...}``.

    :meth:`get` returns the whole record, key included. ``meta`` is not stored (a sample record
    has its fields at the top level).

    Args:
        path: a ``.jsonl`` file, or a folder (the file is ``<folder>/samples.jsonl``).
        fsync: also ``fsync`` after every record.

    Example:
        >>> import tempfile
        >>> cache = SampleCache(tempfile.mkdtemp())
        >>> cache.put("k", {"answer": "Hi.", "n_new_tokens": 3, "finished": True})
        >>> cache.path.name, SampleCache(cache.path).get("k")
        ('samples.jsonl', {'key': 'k', 'answer': 'Hi.', 'n_new_tokens': 3, 'finished': True})
    """

    file_name = "samples.jsonl"
    separators = (", ", ": ")  # json.dumps's default, as the files were always written

    @property
    def records(self) -> dict[str, dict[str, Any]]:
        """Key -> record, as loaded (a copy)."""
        with self._lock:
            return dict(self._entries)

    def _record(self, key: str, value: Any, meta: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"key": key, **value}

    def _entry(self, record: Any) -> tuple[str, Any]:
        if not isinstance(record, dict):
            raise TypeError("a sample record is a JSON object")
        return record["key"], record
