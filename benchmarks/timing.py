"""Timing shared by the benchmark scripts (run as scripts, so they import this by its bare name)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def timed(func: Callable[[], object], runs: int) -> list[float]:
    """Wall time in seconds of each of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def bytecode_note(root: Path) -> str:
    """Whether Python writes bytecode caches here, and whether the project's are present."""
    writes = not os.environ.get("PYTHONDONTWRITEBYTECODE")
    cached = (root / "authoring" / "__pycache__").is_dir()
    return (f"bytecode caches: Python here {'writes' if writes else 'does NOT write'} them "
            f"(PYTHONDONTWRITEBYTECODE {'unset' if writes else 'set'}); authoring's "
            f"{'are present' if cached else 'are absent: written once now by a priming run'}")
