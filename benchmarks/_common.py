"""Shared by the benchmark scripts: the result record of DESIGN.md ("Benchmarks")."""

from __future__ import annotations

import json
import os
import platform
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def model_tag(name: str) -> str:
    """A model's name as a result file's tag: ``qwen2.5-coder-0.5b-instruct`` -> ``qwen25coder05b``."""
    return re.sub(r"[^a-z0-9]", "", name.lower().split("-instruct")[0])


def machine() -> str:
    """A short description of the machine the numbers come from."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.machine()} {os.cpu_count()} cores {cpu}".strip()


#: What a result keeps of each earlier run of its benchmark (``previous_runs``, newest first).
HISTORY_KEYS = ("date", "value", "baseline_value", "ratio", "distance_to_flop_bound", "machine", "note")


def _previous_runs(path: Path) -> list[dict[str, Any]]:
    """The earlier runs of a result file: its own summary first, then those it kept."""
    if not path.exists():
        return []
    old = json.loads(path.read_text())
    summary = {key: old[key] for key in HISTORY_KEYS if key in old}
    summary["params"] = old.get("params", {})
    return [summary, *old.get("previous_runs", [])]


def write_result(name: str, metric: str, unit: str, value: float, baseline: str | None,
                 baseline_value: float | None, ratio: float | None, params: dict[str, Any], **extra: Any) -> Path:
    """Write ``benchmarks/results/<name>.json``; ``ratio`` is project over baseline, bigger is better."""
    RESULTS.mkdir(exist_ok=True)
    record = {
        "name": name,
        "metric": metric,
        "unit": unit,
        "value": value,
        "baseline": baseline,
        "baseline_value": baseline_value,
        "ratio": ratio,
        "machine": machine(),
        "date": datetime.now(timezone.utc).date().isoformat(),
        "params": params,
        **extra,
    }
    path = RESULTS / f"{name}.json"
    if os.environ.get("BENCH_NOTE"):
        record["note"] = os.environ["BENCH_NOTE"]
    record["previous_runs"] = _previous_runs(path)
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return path
