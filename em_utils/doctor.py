"""``em-companion doctor``: what this machine has for the companion, and what a run would use.

One report, read-only (nothing is downloaded, trained or fitted): the torch build and device, the
CPU's arithmetic and the precision ``auto`` resolves to, the offline models (installed, cached,
downloadable), the judge that ``auto`` would pick and why, whether the local judge server is built,
the time each chapter took the last time it ran in a profile on this machine (from its run record),
and the free disk where the cache and the run folders live.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

__all__ = ["doctor_report", "format_report"]


def _models() -> list[dict[str, Any]]:
    from .models import DOWNLOADED, EMBEDDED, ModelNotFoundError, _gguf_path, cached_model_dir
    from .paths import cache_dir

    rows = []
    for name, spec in EMBEDDED.items():
        try:
            gguf = str(_gguf_path(spec))
        except ModelNotFoundError:
            gguf = None
        cached = cached_model_dir(name)
        rows.append({"model": name, "kind": f"embedded (wheel {spec.pip_name})", "gguf": gguf,
                     "cached": str(cached) if cached else None,
                     "ready": bool(gguf and cached), "fix": None if gguf and cached else "make env"})
    for name, spec in DOWNLOADED.items():
        gguf = cache_dir() / "models" / spec.gguf_file
        cached = cached_model_dir(name)
        rows.append({"model": name, "kind": "downloaded (PyPI chunk wheels, ~490 MB once)",
                     "gguf": str(gguf) if gguf.is_file() else None, "cached": str(cached) if cached else None,
                     "ready": bool(cached), "fix": None if cached else "make models"})
    return rows


def _judge() -> dict[str, Any]:
    openai_key = bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("AZURE_OPENAI_API_KEY"))
    chosen = "openai" if openai_key else "offline"
    why = ("an OpenAI key is set in the environment (its value is never shown)" if openai_key
           else "no OPENAI_API_KEY or AZURE_OPENAI_API_KEY in the environment")
    return {"auto": chosen, "why": why, "base_url": os.environ.get("OPENAI_BASE_URL") or None,
            "offline_judge_fitted": any((_cache() / "offline_judge").glob("*.joblib")),
            "offline_judge_feature_store_mb": round(sum(f.stat().st_size for f in (_cache() / "offline_judge" / "features")
                                                        .glob("*/*.npz")) / 2**20, 1),
            "local_server_built": importlib.util.find_spec("llama_cpp") is not None}


def _cache() -> Path:
    from .paths import cache_dir

    return cache_dir()


def _chapter_times(profile: str) -> list[dict[str, Any]]:
    from .cli import chapters
    from .runs import read_record

    rows = []
    for chapter in chapters():
        record = read_record(profile, chapter)
        if record is None:
            rows.append({"chapter": chapter, "last_seconds": None, "when": None, "status": "not run here"})
            continue
        rows.append({"chapter": chapter, "last_seconds": record.get("wall_seconds"),
                     "when": record.get("finished_utc") or record.get("started_utc"),
                     "status": record.get("status"),
                     "model": (record.get("resolved") or {}).get("model")})
    return rows


def _disk(path: Path) -> dict[str, Any]:
    target = path
    while not target.exists():
        target = target.parent
    usage = shutil.disk_usage(target)
    return {"path": str(path), "free_gib": round(usage.free / 2**30, 1)}


def doctor_report(profile: str = "demo", measure: bool = True) -> dict[str, Any]:
    """Everything ``em-companion doctor`` prints, as a dict (``measure``: time a GEMM for the precision)."""
    import torch

    from .paths import runs_dir
    from .precision import cpu_info, precision_report

    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    report: dict[str, Any] = {
        "torch": {"version": torch.__version__, "cuda_build": torch.version.cuda, "device": device,
                  "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else []},
        "precision": precision_report("auto", device) if measure else {"device": device, **cpu_info()},
        "models": _models(),
        "judge": _judge(),
        "profile": profile,
        "chapters": _chapter_times(profile),
        "disk": [_disk(_cache()), _disk(runs_dir())],
    }
    return report


def format_report(report: dict[str, Any]) -> str:
    """The report as lines a person reads."""
    t, p, j = report["torch"], report["precision"], report["judge"]
    lines = [f"torch {t['version']} ({'CUDA ' + str(t['cuda_build']) if t['cuda_build'] else 'CPU build'}), "
             f"device {t['device']}" + (f": {', '.join(t['gpus'])}" if t["gpus"] else "")]
    if t["device"] == "cpu":
        flags = [f for f in ("avx512", "avx512_bf16", "amx") if p.get(f)]
        lines.append(f"cpu: {p.get('cpu')}, {p.get('threads')} threads, flags {', '.join(flags) or 'none of avx512/amx'}")
    if "precision" in p:
        peaks = p.get("gemm_gflops") or {}
        lines.append(f"precision auto -> {p['precision']}"
                     + (f" (GEMM GFLOP/s: " + ", ".join(f"{k} {v:.0f}" for k, v in peaks.items()) + ")" if peaks else ""))
    lines.append("models:")
    for m in report["models"]:
        state = "ready" if m["ready"] else f"missing: run `{m['fix']}`"
        lines.append(f"  {m['model']:<30} {state:<28} {m['kind']}")
    lines.append(f"judge: auto -> {j['auto']} ({j['why']})"
                 + (f"; OPENAI_BASE_URL {j['base_url']}" if j["base_url"] else ""))
    lines.append(f"  offline judge fitted in the cache: {'yes' if j['offline_judge_fitted'] else 'no (fitted on first use: 3-8 min on 2 cores, under 1 min from a full feature store)'}"
                 f"; feature store {j['offline_judge_feature_store_mb']} MB")
    lines.append(f"  local judge server (llama-cpp-python): {'built' if j['local_server_built'] else 'not built: `make judge-server`'}")
    lines.append(f"chapters, last run in profile {report['profile']!r} on this machine:")
    for c in report["chapters"]:
        if c["last_seconds"] is None:
            lines.append(f"  {c['chapter']:<16} {c['status']}")
        else:
            lines.append(f"  {c['chapter']:<16} {c['last_seconds'] / 60:6.1f} min  ({c['status']}, {c['when']}, {c.get('model')})")
    for d in report["disk"]:
        lines.append(f"disk: {d['free_gib']} GiB free at {d['path']}")
    return "\n".join(lines)
