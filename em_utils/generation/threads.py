"""The torch thread count while decoding on a CPU: the faster of one thread and all of them."""

from __future__ import annotations

import time
from typing import Callable

import torch

__all__: list[str] = []


def _matmul_seconds(threads: int, rows: int, width: int, budget: float = 0.02) -> float:
    """Seconds per (rows x width) @ (width x 4 width) product on ``threads`` threads, timed for ``budget`` s."""
    torch.set_num_threads(threads)
    x, w = torch.randn(rows, width), torch.randn(4 * width, width)
    torch.nn.functional.linear(x, w)
    count, started = 0, time.perf_counter()
    while count < 3 or time.perf_counter() - started < budget:
        torch.nn.functional.linear(x, w)
        count += 1
    return (time.perf_counter() - started) / count


class _ThreadTuner:
    """Keeps torch on the faster of one thread and all its threads while decoding on a CPU.

    On a machine shared with other jobs, small matrix products on all cores can be several times
    slower than on one (threads wait for each other at every barrier); on an idle machine all cores
    win. Every ``every`` seconds the tuner times a matrix product of the decode step's shape on
    each setting (a few hundredths of a second) and keeps the faster.
    """

    def __init__(self, threads: int | str | None, every: float = 30.0,
                 measure: Callable[[int, int, int], float] = _matmul_seconds) -> None:
        self.original = torch.get_num_threads()
        if threads == "auto":
            self.options = sorted({1, self.original})
        else:
            self.options = [int(threads) if threads else self.original]
        self.choice, self.every, self.measure, self.next_check = self.options[-1], every, measure, 0.0
        torch.set_num_threads(self.choice)

    def check(self, rows: int, width: int) -> None:
        """Re-time the options when the last check is ``every`` seconds old."""
        if len(self.options) < 2 or time.perf_counter() < self.next_check:
            return
        with torch.inference_mode():
            seconds = {t: self.measure(t, rows, width) for t in self.options}
        self.choice = min(seconds, key=seconds.get)
        torch.set_num_threads(self.choice)
        self.next_check = time.perf_counter() + self.every

    def restore(self) -> None:
        """Give torch its thread count back."""
        torch.set_num_threads(self.original)
