"""Shared by the benchmark scripts: the result record of DESIGN.md ("Benchmarks")."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


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
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return path
