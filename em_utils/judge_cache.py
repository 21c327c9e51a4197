"""A content-addressed on-disk cache for expensive, deterministic calls (judge requests first).

Each result is stored under ``cache_key(payload)``: the sha256 of a canonical JSON dump of
everything that can change the answer (endpoint, model, the filled prompt, request parameters
such as ``max_tokens``, ``temperature``, ``top_logprobs`` and ``seed``). Settings that cannot
change the answer (timeouts, retry counts, concurrency) and credentials are dropped from the
payload before hashing, so changing them never invalidates the cache and a key never depends on a
secret.

Storage is one append-only JSONL file per namespace (default
``<cache_dir()>/judge/results.jsonl``), one record per line::

    {"key": "<sha256>", "value": {...}, "meta": {...}, "time": "2025-01-01T00:00:00+00:00"}

Why this is safe:

- Interruption: each record is written with a single ``write`` on a file opened in append mode,
  as soon as the result exists. A process killed mid-write leaves at most one torn last line; the
  loader skips any line that does not parse (and counts it in ``skipped``), and the next writer
  starts a fresh line first, so later records are never glued onto a torn one.
- Concurrent readers: :meth:`ResultCache.refresh` reads only complete lines, remembers where it
  stopped and picks up what other processes appended since. Concurrent appends from several
  processes do not interleave on a local file system (one ``write`` per record, ``O_APPEND``).
  When the same key is written twice, the last record wins.
- Secrets: before a line is written, any value of a secret-looking environment variable
  (``*KEY*``, ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``) found in it is replaced by
  ``[redacted]``, so an API key cannot reach the cache even by mistake.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .paths import cache_dir
from .runs import REDACTED, redact

__all__ = ["ResultCache", "cache_key", "default_cache_path", "VOLATILE_FIELDS"]

logger = logging.getLogger(__name__)

#: Payload fields that cannot change an answer (or must never be stored) and are not hashed.
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
    """The sha256 (hex) of a canonical JSON dump of ``payload``, volatile fields dropped.

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
    text = json.dumps(_strip_volatile(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_cache_path(namespace: str = "judge") -> Path:
    """``<cache_dir()>/<namespace>/results.jsonl`` (``EM_CACHE_DIR`` moves ``cache_dir()``)."""
    return cache_dir() / namespace / "results.jsonl"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ResultCache:
    """An append-only JSONL cache of JSON-serialisable results, addressed by :func:`cache_key`.

    Args:
        path: a ``.jsonl`` file, or a folder (the file is ``<folder>/results.jsonl``); default
            :func:`default_cache_path` of ``namespace``.
        namespace: sub-folder of the cache root used when ``path`` is not given.
        fsync: also ``fsync`` after every record (survives power loss, not only a killed process;
            slower).

    Example:
        >>> import tempfile
        >>> cache = ResultCache(Path(tempfile.mkdtemp()) / "demo.jsonl")
        >>> key = cache_key({"prompt": "2+2?", "model": "m"})
        >>> cache.put(key, {"score": 4.0})
        >>> cache.get(key), len(cache), ResultCache(cache.path).get(key)
        ({'score': 4.0}, 1, {'score': 4.0})
    """

    def __init__(self, path: str | os.PathLike | None = None, *, namespace: str = "judge", fsync: bool = False):
        target = Path(path) if path is not None else default_cache_path(namespace)
        self.path = target if target.suffix == ".jsonl" else target / "results.jsonl"
        self.fsync = fsync
        self.skipped = 0  #: lines that did not parse (a torn last line, a foreign edit)
        self._entries: dict[str, Any] = {}
        self._offset = 0
        self._fd: int | None = None
        self._lock = threading.Lock()
        self.refresh()

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
                record = json.loads(line)
                key, value = record["key"], record["value"]
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
            key: usually :func:`cache_key` of the request payload.
            value: any JSON-serialisable result.
            meta: extra context kept beside the value (not used for look-ups).
        """
        record = {"key": key, "value": value, "meta": dict(meta or {}), "time": _now()}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        clean = redact(line)
        if clean != line:
            logger.warning("a secret value was found in a cache record and replaced by %s", REDACTED)
            line, value = clean, json.loads(clean)["value"]
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

    def __enter__(self) -> "ResultCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"ResultCache({str(self.path)!r}, {len(self._entries)} entries)"
