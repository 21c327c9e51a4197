"""The whole book built with its chapters one at a time against side by side (``em-companion book --jobs``).

Builds one profile's book (``smoke`` by default: the test suite's) from scratch twice or more in the
same run, each time with ``--jobs`` set to one of ``--jobs`` (default ``1,2,2,1``: ABBA, as the host's speed drifts): a fresh run folder and
a fresh copy of one warm cache each time (the embedded model, and the offline judge fitted once
before the first build), so no build finds what another computed. Records the wall time of every
build (chapters and the HTML build), each chapter's wall time and the torch threads its kernel had
(its run record), as ``benchmarks/results/book_jobs_<profile>.json``. The baseline is one job (the
default); ``ratio`` is its median time over the fastest other setting's median, bigger is better.

    python benchmarks/book_jobs.py                       # smoke: 1, 2, 2, 1 jobs (about 20-25 minutes on 2 cores)
    python benchmarks/book_jobs.py --profile quick --jobs 1,2
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import write_result  # noqa: E402
from book_time import chapter_times  # noqa: E402


def warm_cache(folder: Path) -> Path:
    """A cache folder with the embedded model (linked from the usual cache) and the offline judge fitted
    (with the stored features the usual cache has: the test suite's book finds them there too)."""
    from em_utils.models import prepare_embedded
    from em_utils.paths import cache_dir

    models = prepare_embedded().parent  # in the usual cache
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models").symlink_to(models, target_is_directory=True)
    if (cache_dir() / "offline_judge").is_dir():
        shutil.copytree(cache_dir() / "offline_judge", folder / "offline_judge")
    os.environ["EM_CACHE_DIR"] = str(folder)
    from em_utils.judge.offline import OfflineJudge

    OfflineJudge()
    return folder


def build(profile: str, jobs: int, work: Path, cache: Path) -> dict:
    """Build the book once in ``work`` with ``jobs``; its wall time and its chapters' records."""
    from em_utils.cli import build_book

    shutil.copytree(cache, work / "cache", symlinks=True)
    os.environ["EM_CACHE_DIR"] = str(work / "cache")
    os.environ["EM_RUNS_DIR"] = str(work / "runs")
    started = time.perf_counter()
    build_book(profile, dest=work / "site", jobs=jobs)
    wall = time.perf_counter() - started
    chapters = {row["chapter"]: {k: row[k] for k in ("wall_s", "torch_threads", "started_utc", "finished_utc")}
                for row in chapter_times(work / "runs", profile)}
    return {"jobs": jobs, "wall_s": round(wall, 1), "chapters": chapters}


def main(argv: list[str] | None = None) -> int:
    from em_utils.book import host_cores

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke")
    parser.add_argument("--jobs", default="1,2,2,1",
                        help="comma-separated job counts, built in this order (repeat them, ABBA, against the host's drift)")
    args = parser.parse_args(argv)
    settings = [int(j) for j in args.jobs.split(",")]
    if 1 not in settings or len(settings) < 2:
        raise SystemExit("--jobs needs 1 (the baseline) and at least one other setting")
    with tempfile.TemporaryDirectory(prefix="book_jobs_") as tmp, mock.patch.dict(os.environ):  # the env as it was, after
        cache = warm_cache(Path(tmp) / "warm")
        builds = [build(args.profile, jobs, Path(tmp) / f"build{k}-j{jobs}", cache) for k, jobs in enumerate(settings)]
    median = {jobs: round(float(np.median([b["wall_s"] for b in builds if b["jobs"] == jobs])), 1) for jobs in set(settings)}
    one = median[1]
    best = min((jobs for jobs in median if jobs != 1), key=median.get)
    write_result(f"book_jobs_{args.profile}", f"{args.profile} book built from scratch, {best} jobs (median of its builds)",
                 "s", median[best], "one chapter at a time (--jobs 1), median of its builds", one,
                 round(one / median[best], 2),
                 {"profile": args.profile, "order": settings, "cores": host_cores()},
                 builds=builds,
                 how_measured="each build from an empty run folder and a fresh copy of one warm cache (embedded "
                              "model, offline judge fitted before the first build, with the usual cache's stored features), in the order given; wall time "
                              "of em_utils.cli.build_book (chapters and the HTML build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
