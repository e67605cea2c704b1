"""Timing shared by the benchmark scripts (run as scripts, so they import this by its bare name)."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


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


def child_cpu(command: list[str], **run: Any) -> float:
    """CPU seconds (user + system) one process and its children took: what other people's load
    on a shared machine hardly changes, unlike its wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **run)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved_cpu(commands: list[list[str]], rounds: int, **run: Any) -> list[list[float]]:
    """CPU seconds of each command over ``rounds`` rounds, run in turn (ABAB...), so that the
    machine's speed of the moment falls on each alike; each is run once first, unmeasured (disk
    cache, bytecode)."""
    for command in commands:
        child_cpu(command, **run)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(rounds):
        for command, runs in zip(commands, times, strict=True):
            runs.append(child_cpu(command, **run))
    return times


def paired_ratio(ours: list[float], floor: list[float]) -> float:
    """The median of the per-round ratios ours / floor: each pair shares its moment's machine speed."""
    return statistics.median(a / b for a, b in zip(ours, floor, strict=True))


def ratio_line(name: str, ratio: float, budget: float, beside: str = "") -> str:
    """A target as one line: the ratio, its budget, whether it holds, and what its floor is."""
    return (f"  {name:<28} {ratio:.2f}×  budget ≤ {budget:.2f}×  "
            f"{'holds' if ratio <= budget else 'MISSED'}{f'  ({beside})' if beside else ''}")


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
