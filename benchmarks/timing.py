"""Timing shared by the benchmark scripts (run as scripts, so they import this by its bare name)."""

from __future__ import annotations

import time
from collections.abc import Callable


def timed(func: Callable[[], object], runs: int) -> list[float]:
    """Wall time in seconds of each of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times
