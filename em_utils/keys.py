"""Content keys: the one sha256 of a JSON-able payload that names cached and reused things.

Judge results, generated samples, model fingerprints, organism specs and run configs are found
again by a key made here, so a key must never change for the same payload: existing caches and
trained organisms are looked up by it (``tests/unit/test_keys.py`` pins example keys).

Two spellings of the JSON exist, both with sorted keys: the default one (``json.dumps``'s
separators, non-ASCII escaped; samples, fingerprints, specs, configs) and the ``compact`` one (no
spaces, UTF-8 as is; the judge cache, whose keys are also written in its JSONL files).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

__all__ = ["content_key", "json_default"]


def json_default(value: Any) -> Any:
    """How a value JSON cannot spell enters a key: a set as its sorted items, anything else as ``str``.

    >>> json_default(frozenset({"v_proj", "q_proj"})), json_default(3j)
    (['q_proj', 'v_proj'], '3j')
    """
    if isinstance(value, (set, frozenset)):  # e.g. LoRA target_modules: order-free, so sorted
        return sorted(map(str, value))
    return str(value)


def content_key(payload: Any, *, length: int = 64, compact: bool = False,
                default: Callable[[Any], Any] | None = json_default) -> str:
    """The sha256 (hex, the first ``length`` digits) of ``payload`` dumped as JSON with sorted keys.

    Args:
        payload: any JSON-able value; dict key order does not matter.
        length: how many hex digits to keep (64: all).
        compact: no spaces and non-ASCII kept as UTF-8 (the judge cache's spelling).
        default: what a value JSON cannot spell becomes (:func:`json_default`; ``str`` for run
            configs, whose keys were made that way).

    >>> content_key({"model": "m", "seed": 0}) == content_key({"seed": 0, "model": "m"})
    True
    >>> content_key({"model": "m"}, length=12)
    'deea0f7771b9'
    """
    if compact:
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default)
    else:
        text = json.dumps(payload, sort_keys=True, default=default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
