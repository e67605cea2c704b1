"""Shared fixtures: paths to the samples, and a real headless Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ISSUES = ROOT / "issues"
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

# Debian's chromium: the real binary, not the /usr/bin wrapper (its /dev/shm check prints errors).
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]


@cache
def _tracked_in(folder: Path) -> frozenset[Path] | None:
    """The files git tracks under folder, or None outside git (an unpacked source archive)."""
    try:
        done = subprocess.run(["git", "-C", str(folder), "ls-files", "-z", "--", "."],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return frozenset(folder / name for name in done.stdout.decode().split("\0") if name)


def tracked(folder: Path, pattern: str) -> list[Path]:
    """The project's own files in folder matching pattern, sorted: a user's own issues/0322.yaml,
    untracked, is no sample. Outside git, every file there counts."""
    files = _tracked_in(folder)
    return sorted(p for p in folder.glob(pattern) if p.is_file() and (files is None or p in files))


def sample_issues() -> list[Path]:
    return [p for p in tracked(ISSUES, "*.yaml") if p.name != "publication.yaml"]


def seed_samples() -> list[tuple[Path, Path]]:
    """(seed text, its YAML issue) pairs."""
    return [(seed, ISSUES / f"{seed.stem}.yaml") for seed in tracked(SEEDS, "*.txt")]


def copy_samples(folder: Path) -> Path:
    """The tracked issues/ (issues, publication file, images) copied to folder, made."""
    for path in tracked(ISSUES, "**/*"):
        (folder / path.relative_to(ISSUES)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / path.relative_to(ISSUES))
    return folder


def serious_axe_violations(page, axe_script: Path) -> list[dict]:
    """axe-core's serious and critical findings on the page (rule, impact, help, two nodes)."""
    page.add_script_tag(path=str(axe_script))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 2).map(n => n.html.slice(0, 120))}))")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def line_of(path: Path, text: str) -> int:
    """The number of the first line of ``path`` holding ``text``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def edit(path: Path, old: str, new: str) -> None:
    """``path`` with the first ``old`` replaced by ``new``; ``old`` must be there."""
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def wait_for(condition, timeout: float = 10.0):
    """The first true value of ``condition()``, polled every 20 ms; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def issue_copy(tmp_path: Path) -> Path:
    """A scratch copy of the hand-written sample with its publication file and images."""
    shutil.copy(ISSUES / "0321.yaml", tmp_path / "0321.yaml")
    shutil.copy(ISSUES / "publication.yaml", tmp_path / "publication.yaml")
    shutil.copytree(ISSUES / "images", tmp_path / "images")
    return tmp_path / "0321.yaml"


@pytest.fixture
def file_reads(monkeypatch) -> list[Path]:
    """Every file the toolkit reads from here on (``authoring.load.read_bounded``), in order."""
    from authoring import load

    reads: list[Path] = []
    read_bounded = load.read_bounded

    def counted(path, limit):
        reads.append(Path(path))
        return read_bounded(path, limit)

    monkeypatch.setattr(load, "read_bounded", counted)
    return reads


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright; browser downloads are blocked, so use Debian's."""
    executable = next((c for c in CHROMIUM_CANDIDATES if os.path.exists(c)), shutil.which("chromium"))
    if executable is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()
