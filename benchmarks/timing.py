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


RENDER_DEPENDENCIES = ("typer", "yaml", "markdown_it", "jinja2", "mjml", "css_inline")
"""What a cold ``authoring render`` imports of other people's code: the CLI (Typer), PyYAML,
markdown-it, Jinja, MRML and css-inline. A process that imports only these is the floor our own
code sits on; ``authoring validate`` needs the first three."""
VALIDATE_DEPENDENCIES = RENDER_DEPENDENCIES[:3]


def imports_only(python: str, modules: tuple[str, ...]) -> list[str]:
    """A command that starts Python, imports ``modules`` and exits: the floor of a cold run."""
    return [python, "-c", f"import {', '.join(modules)}"]


def bytecode_note(root: Path) -> str:
    """Whether Python writes bytecode caches here, and whether the project's are present."""
    writes = not os.environ.get("PYTHONDONTWRITEBYTECODE")
    cached = (root / "authoring" / "__pycache__").is_dir()
    return (f"bytecode caches: Python here {'writes' if writes else 'does NOT write'} them "
            f"(PYTHONDONTWRITEBYTECODE {'unset' if writes else 'set'}); authoring's "
            f"{'are present' if cached else 'are absent: written once now by a priming run'}")
