"""Which arithmetic this host does well: measured GEMM peaks and the ``precision`` choice.

Hosts differ several-fold: some CPUs multiply bf16 natively (AMX, AVX-512 BF16) at 3-15x their
fp32 rate, others emulate it and run hundreds of times slower. So ``precision="auto"`` is decided by
a short measurement (about a second), not by a flag, and the choice is recorded wherever it can
change a result (a training spec's hash, a run record).

``bf16`` here means mixed precision: fp32 master weights and optimiser state, the forward and
backward under ``torch.autocast(dtype=torch.bfloat16)``, the loss in fp32.

    >>> resolve_precision("fp32")
    'fp32'
"""

from __future__ import annotations

import functools
import re
import time
import warnings
from pathlib import Path
from typing import Any

import torch

__all__ = ["PRECISIONS", "cpu_info", "gemm_peak", "gemm_peaks", "resolve_precision", "precision_report"]

PRECISIONS = ("auto", "fp32", "bf16")

#: ``auto`` picks bf16 when its measured GEMM rate is at least this many times fp32's.
BF16_MIN_SPEEDUP = 1.5

#: The GEMM timed by ``auto``: rows x width @ width x 4*width, the shape of a training batch's MLP
#: (16 rows of 128 tokens, the embedded model's width 576).
DEFAULT_SHAPE = (2048, 576, 2304)

_DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}
_warned: set[str] = set()


def cpu_info() -> dict[str, Any]:
    """The CPU's model name, core count and the flags that decide fast arithmetic."""
    name, flags = "unknown", set()
    try:
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
        name = match.group(1).strip() if match else name
        match = re.search(r"^flags\s*:\s*(.+)$", text, re.MULTILINE)
        flags = set(match.group(1).split()) if match else flags
    except OSError:  # not Linux
        pass
    return {
        "cpu": name,
        "threads": torch.get_num_threads(),
        "avx512": "avx512f" in flags,
        "avx512_bf16": "avx512_bf16" in flags,
        "amx": bool({"amx_bf16", "amx_tile"} & flags),
    }


def gemm_peak(precision: str = "fp32", shape: tuple[int, int, int] = DEFAULT_SHAPE, seconds: float = 0.5,
              device: str = "cpu") -> float:
    """Measured GFLOP/s of ``shape[0] x shape[1] @ shape[1] x shape[2]`` in ``precision``.

    Runs the product for about ``seconds`` after two warm-up calls; returns the best of the timed
    rounds (the host's attainable rate at that shape, not an average disturbed by neighbours).
    """
    m, k, n = shape
    dtype = _DTYPES[precision]
    a = torch.randn(m, k, device=device).to(dtype)
    b = torch.randn(k, n, device=device).to(dtype)
    flops = 2.0 * m * k * n
    with torch.inference_mode():
        for _ in range(2):
            a @ b
        best, spent = float("inf"), 0.0
        while spent < seconds:
            if device != "cpu":
                torch.cuda.synchronize()
            start = time.perf_counter()
            a @ b
            if device != "cpu":
                torch.cuda.synchronize()
            elapsed = time.perf_counter() - start
            best, spent = min(best, elapsed), spent + elapsed
            if elapsed > seconds:  # one call already takes longer than the budget (a slow emulation)
                break
    return flops / best / 1e9


@functools.lru_cache(maxsize=8)
def gemm_peaks(shape: tuple[int, int, int] = DEFAULT_SHAPE, seconds: float = 0.5, device: str = "cpu") -> dict[str, float]:
    """Measured GFLOP/s in fp32 and bf16 at ``shape`` (remembered per process)."""
    return {p: round(gemm_peak(p, shape, seconds, device), 1) for p in ("fp32", "bf16")}


def resolve_precision(requested: str | None = "auto", device: str = "cpu") -> str:
    """``"fp32"`` or ``"bf16"`` for ``requested`` in :data:`PRECISIONS` on ``device``.

    ``auto``: on a GPU bf16 where supported; on the CPU bf16 only when a short measurement
    (:func:`gemm_peaks`) finds it at least :data:`BF16_MIN_SPEEDUP` times faster than fp32.
    ``bf16`` forced on a host that multiplies it slowly still runs, with one warning that gives the
    measured rates.
    """
    requested = requested or "auto"
    if requested not in PRECISIONS:
        raise ValueError(f"precision {requested!r}: use one of {', '.join(PRECISIONS)}")
    if requested == "fp32":
        return "fp32"
    if device.startswith("cuda"):
        supported = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        return "bf16" if supported or requested == "bf16" else "fp32"
    peaks = gemm_peaks()
    fast = peaks["bf16"] >= BF16_MIN_SPEEDUP * peaks["fp32"]
    if requested == "bf16":
        if not fast and "bf16" not in _warned:
            _warned.add("bf16")
            warnings.warn(f"precision bf16 was asked for, but this CPU multiplies bf16 at {peaks['bf16']:.0f} GFLOP/s "
                          f"against {peaks['fp32']:.0f} in fp32: expect it to be slower", stacklevel=2)
        return "bf16"
    return "bf16" if fast else "fp32"


def precision_report(requested: str | None = "auto", device: str = "cpu") -> dict[str, Any]:
    """What ``requested`` resolves to here and why: the CPU, its flags and the measured peaks."""
    report: dict[str, Any] = {"requested": requested or "auto", "device": device}
    if device == "cpu":
        report.update(cpu_info())
        report["gemm_gflops"] = gemm_peaks()
        report["bf16_min_speedup"] = BF16_MIN_SPEEDUP
    report["precision"] = resolve_precision(requested, device)
    return report
