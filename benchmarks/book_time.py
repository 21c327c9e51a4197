"""The whole book's time per chapter, read from a built run's records (``runs/<profile>/*/run.json``).

Not a timing of its own: ``make book`` is the measurement (a fresh clone, one command), and this
script records what its chapters' run records say (wall time, stages, git commit, hardware, CPU
flags), the disk the run folder and the cached models take, and with ``--rebuild`` the time of a
second ``make book`` with nothing changed, as ``benchmarks/results/book_<profile>.json``. The baseline is the budget (60 minutes for
``demo``, 20 for ``quick``): ``ratio`` is budget over time, bigger is better.

    python benchmarks/book_time.py --runs /path/to/clone/runs --profile demo --note "fresh clone" --rebuild
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_result  # noqa: E402

BUDGET_MINUTES = {"demo": 60.0, "quick": 20.0, "smoke": 20.0}


def cpu_flags() -> list[str]:
    """The CPU flags that decide precision (AVX-512, its bf16, AMX), from /proc/cpuinfo."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return sorted(f for f in flags if f.startswith(("avx512f", "avx512_bf16", "amx")))


def chapter_times(runs: Path, profile: str) -> list[dict]:
    """One row per chapter run record: wall seconds, stages, commit, precision resolved, torch threads at its start."""
    rows = []
    for record in sorted((runs / profile).glob("*/run.json")):
        run = json.loads(record.read_text())
        rows.append({"chapter": run["chapter"], "wall_s": round(run["wall_seconds"], 1),
                     "stages_s": {k: round(v, 1) for k, v in run.get("stages", {}).items()},
                     "commit": run.get("git", {}).get("commit"), "status": run.get("status"),
                     "precision": run.get("resolved", {}).get("precision"),
                     "torch_threads": run.get("hardware", {}).get("torch_threads"),
                     "started_utc": run.get("started_utc"), "finished_utc": run.get("finished_utc")})
    if not rows:
        raise SystemExit(f"no run records under {runs / profile}: build the book first (make book PROFILE={profile})")
    return rows


def folder_mb(folder: Path) -> float | None:
    """Disk a folder takes (MB, files only, links not followed), or None when it does not exist."""
    if not folder.is_dir():
        return None
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6, 1)


def disk_use(runs: Path, profile: str) -> dict:
    """The run folder's size and each cached model's (the model cache of this host), in MB."""
    from em_utils.models import _models_dir

    models = {p.name: folder_mb(p) for p in sorted(_models_dir().iterdir()) if p.is_dir()}
    return {"run_folder_mb": folder_mb(runs / profile), "model_cache_mb": {k: v for k, v in models.items() if v}}


def rebuild_seconds(repo: Path, profile: str) -> float:
    """Time ``make book PROFILE=<profile>`` in ``repo`` again: with nothing changed, what a rebuild costs."""
    import subprocess
    import time

    start = time.perf_counter()
    subprocess.run(["make", "book", f"PROFILE={profile}"], cwd=repo, check=True, stdout=subprocess.DEVNULL)
    return round(time.perf_counter() - start, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, default=Path(__file__).resolve().parents[1] / "runs")
    parser.add_argument("--profile", default="demo")
    parser.add_argument("--note", default="", help="how the book was built (fresh clone, load, ...)")
    parser.add_argument("--rebuild", action="store_true",
                        help="also time `make book` again in the clone that holds --runs (nothing changed: the rebuild)")
    args = parser.parse_args(argv)
    rows = chapter_times(args.runs, args.profile)
    extra = disk_use(args.runs, args.profile)
    if args.rebuild:
        extra["rebuild_s"] = rebuild_seconds(args.runs.resolve().parent, args.profile)
    minutes = sum(r["wall_s"] for r in rows) / 60
    budget = BUDGET_MINUTES.get(args.profile)
    write_result(f"book_{args.profile}", f"whole {args.profile} book, chapters' wall time", "min", round(minutes, 2),
                 f"budget ({budget:g} min)" if budget else None, budget,
                 round(budget / minutes, 3) if budget else None,
                 {"profile": args.profile, "chapters": len(rows)}, chapters=rows, cpu_flags=cpu_flags(),
                 note=args.note, **extra)
    for r in rows:
        print(f"{r['chapter']:<14} {r['wall_s']:>8.1f} s")
    print(f"{'total':<14} {minutes:>8.1f} min (budget {budget} min)")
    print("the teachers' page shows it at the next book build; the README's table: python -m em_utils.book_times --readme")
    return 0


if __name__ == "__main__":
    sys.exit(main())
