"""Embedded model load time: the project's cached load against a direct GGUF load, same run.

A user without this project would load SmolLM2 from its GGUF file with transformers every time
(``from_pretrained(folder, gguf_file=...)``), which de-quantises all tensors on each load. The
project de-quantises once into a safetensors cache (the "first load", timed here with an empty
cache folder) and reads that folder afterwards (the "second load").

    python benchmarks/model_load.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForCausalLM

    from em_utils import models

    spec = models.EMBEDDED[models.DEFAULT_MODEL]
    folder = Path(list(importlib.util.find_spec(spec.package).submodule_search_locations)[0])

    with tempfile.TemporaryDirectory() as cache:
        os.environ["EM_CACHE_DIR"] = cache
        started = time.perf_counter()
        models.load_model()
        first = time.perf_counter() - started
        second = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            models.load_model()
            second.append(time.perf_counter() - started)

    direct = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        AutoModelForCausalLM.from_pretrained(folder, gguf_file=spec.gguf_file, dtype=torch.float32)
        direct.append(time.perf_counter() - started)

    value, baseline = statistics.median(second), statistics.median(direct)
    write_result(
        "model_load",
        metric="embedded model load time (median, warm process)",
        unit="s",
        value=round(value, 3),
        baseline="transformers from_pretrained(gguf_file=...) on every load",
        baseline_value=round(baseline, 3),
        ratio=round(baseline / value, 2),
        params={"model": spec.name, "repeats": args.repeats, "torch_threads": torch.get_num_threads()},
        first_load_s=round(first, 2),
        second_load_s=[round(s, 3) for s in second],
        direct_gguf_load_s=[round(s, 3) for s in direct],
        note="first load = de-quantise GGUF + write the safetensors cache + load; second load = read the cache",
    )


if __name__ == "__main__":
    main()
