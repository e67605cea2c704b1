"""The tests' own helpers: samples are the files the project tracks, not whatever lies in issues/."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import ISSUES, copy_samples, sample_issues, tracked


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_a_users_own_untracked_issue_is_no_sample(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "0321.yaml").write_text("issue: {}\n")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "logo.png").write_bytes(b"png")
    _git(tmp_path, "add", "0321.yaml", "images/logo.png")
    (tmp_path / "0322.yaml").write_text("the user's own draft\n")
    (tmp_path / "images" / "mine.png").write_bytes(b"png")
    assert tracked(tmp_path, "*.yaml") == [tmp_path / "0321.yaml"]
    assert tracked(tmp_path, "**/*") == [tmp_path / "0321.yaml", tmp_path / "images" / "logo.png"]


def test_outside_git_every_file_counts(tmp_path):
    folder = tmp_path / "unpacked"
    folder.mkdir()
    for name in ("b.yaml", "a.yaml", "notes.txt"):
        (folder / name).write_text("x\n")
    assert [p.name for p in tracked(folder, "*.yaml")] == ["a.yaml", "b.yaml"]


def test_the_samples_are_the_tracked_issues_and_copy_whole(tmp_path):
    names = [p.name for p in sample_issues()]
    assert "0321.yaml" in names and "publication.yaml" not in names and names == sorted(names)
    copied = copy_samples(tmp_path / "issues")
    assert sorted(p.relative_to(copied) for p in copied.rglob("*") if p.is_file()) == sorted(
        p.relative_to(ISSUES) for p in tracked(ISSUES, "**/*"))
    assert (copied / "images" / "logo.png").read_bytes() == (ISSUES / "images" / "logo.png").read_bytes()
