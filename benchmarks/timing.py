"""Timing shared by the benchmark scripts (run as scripts, so they import this by its bare name)."""

from __future__ import annotations

import os
import statistics
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


RENDER_DEPENDENCIES = ("typer", "yaml", "markdown_it", "jinja2", "mjml", "css_inline")
"""What a cold ``authoring render`` imports of other people's code: the CLI (Typer), PyYAML,
markdown-it, Jinja, MRML and css-inline. A process that imports only these is the floor our own
code sits on; ``authoring validate`` needs the first three."""
VALIDATE_DEPENDENCIES = RENDER_DEPENDENCIES[:3]


def imports_only(python: str, modules: tuple[str, ...]) -> list[str]:
    """A command that starts Python, imports ``modules`` and exits: the floor of a cold run."""
    return [python, "-c", f"import {', '.join(modules)}"]


REFERENCE_LOOP_QUIET_MS = 80
"""What reference_loop takes on this VM when its host is quiet; 130-150 ms when it is not
(measured minutes apart, nothing else running inside the VM)."""


def reference_loop() -> float:
    """CPU milliseconds of a fixed pure-Python loop: how fast this machine runs Python right
    now. The host of this VM changes its speed up to 1.8x from one minute to the next, which no
    load average shows; printed beside timings so a reader can tell a slow machine from slow code."""
    start = time.process_time()
    total = 0
    for number in range(2_000_000):
        total += number
    return (time.process_time() - start) * 1000


def machine_speed(samples: list[float]) -> str:
    """One line on the reference loops taken during a run."""
    return (f"machine speed: a reference loop took {min(samples):.0f}-{max(samples):.0f} ms during "
            f"this run (median {statistics.median(samples):.0f}; ~{REFERENCE_LOOP_QUIET_MS} ms when "
            "this VM's host is quiet): time figures scale with it")


def bytecode_note(root: Path) -> str:
    """Whether Python writes bytecode caches here, and whether the project's are present."""
    writes = not os.environ.get("PYTHONDONTWRITEBYTECODE")
    cached = (root / "authoring" / "__pycache__").is_dir()
    return (f"bytecode caches: Python here {'writes' if writes else 'does NOT write'} them "
            f"(PYTHONDONTWRITEBYTECODE {'unset' if writes else 'set'}); authoring's "
            f"{'are present' if cached else 'are absent: written once now by a priming run'}")
