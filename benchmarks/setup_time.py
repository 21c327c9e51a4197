"""Set-up time of a fresh environment: `make env` into a new venv with an empty model cache.

This is what `make book` and `make test` do first on a fresh clone (create the venv, install the
CPU torch, the project and the embedded model, de-quantise it once). There is no baseline: it is
recorded so that users know what to expect. Package downloads go to the package index, so the
number depends on the network and pip's cache.

    python benchmarks/setup_time.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env_args = [f"VENV={tmp}/venv", f"EM_CACHE_DIR={tmp}/cache"]
        started = time.perf_counter()
        subprocess.run(["make", "-C", str(ROOT), "env", *env_args], check=True)
        fresh = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(["make", "-C", str(ROOT), "env", *env_args], check=True)
        again = time.perf_counter() - started
    write_result(
        "setup_time",
        metric="fresh `make env` (venv, CPU torch, project, embedded model, first de-quantise)",
        unit="s",
        value=round(fresh, 1),
        baseline=None,
        baseline_value=None,
        ratio=None,
        params={"python": sys.version.split()[0]},
        second_make_env_s=round(again, 2),
        note="pip's local cache was warm; a cold cache adds the download time of about 1 GB of wheels",
    )


if __name__ == "__main__":
    main()
