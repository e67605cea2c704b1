"""``render -o``: files are written among whatever else the folder holds, and a file render did
not write (or that changed since) is never replaced: the render is refused before any byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring import files
from authoring.cli import app
from conftest import ISSUES

runner = CliRunner()


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    for name in ("0321.yaml", "publication.yaml"):
        shutil.copy(ISSUES / name, tmp_path / name)
    shutil.copytree(ISSUES / "images", tmp_path / "images")
    return tmp_path / "0321.yaml"


def render(issue: Path, out: Path, *more: str):
    return runner.invoke(app, ["render", str(issue), "-o", str(out), *more])


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()
            if p.is_file() and not p.is_symlink() and not p.name.startswith(files.RENDER_RECORD)}


@pytest.mark.parametrize("shape", ["the imported source text", "a file named like the page",
                                   "a link to a user's file", "a folder", "a legacy render, since edited"])
def test_what_render_did_not_write_is_not_replaced(issue, tmp_path, shape):
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("two years of work")
    if shape == "the imported source text":
        (out / "0321.txt").write_text("the archive text this issue was imported from")
        taken = "0321.txt"
    elif shape == "a file named like the page":
        (out / "0321.html").write_text("<p>my own page</p>")
        taken = "0321.html"
    elif shape == "a link to a user's file":
        (out / "0321.html").symlink_to(precious)
        taken = "0321.html"
    elif shape == "a folder":
        (out / "0321.txt").mkdir()
        (out / "0321.txt" / "inside").write_text("mine")
        taken = "0321.txt"
    else:  # an earlier version rendered it; the issue and so the page changed since
        (out / "0321.html").write_text("<html>an older render</html>")
        taken = "0321.html"
    before = {p.name: (p.is_symlink(), p.is_dir()) for p in out.iterdir()}
    before_bytes = visible(out)
    result = render(issue, out)
    assert result.exit_code == 1
    assert f"{out} already holds {taken}, which render did not write" in result.stderr
    assert "nothing was written" in result.stderr and "Traceback" not in result.output
    assert visible(out) == before_bytes
    assert {p.name: (p.is_symlink(), p.is_dir()) for p in out.iterdir()
            if not p.name.startswith(files.RENDER_RECORD)} == before
    assert precious.read_text() == "two years of work"


def test_its_own_files_are_replaced_even_after_the_issue_changed(issue, tmp_path):
    out = tmp_path / "out"
    (out).mkdir()
    (out / "notes.txt").write_text("mine, beside the renders")
    assert render(issue, out, "--mjml").exit_code == 0
    issue.write_text(issue.read_text().replace("Robots Learn Chores", "Robots Learned Chores"))
    assert render(issue, out, "--mjml").exit_code == 0
    assert b"Robots Learned Chores" in (out / "0321.txt").read_bytes()
    assert (out / "notes.txt").read_text() == "mine, beside the renders"
    assert sorted(files.read_render_record(out)) == ["0321.html", "0321.mjml", "0321.txt"]


def test_a_render_edited_by_hand_is_kept(issue, tmp_path):
    out = tmp_path / "out"
    assert render(issue, out).exit_code == 0
    with (out / "0321.html").open("a") as handle:
        handle.write("<!-- my fix -->")
    result = render(issue, out)
    assert result.exit_code == 1 and "already holds 0321.html" in result.stderr
    assert (out / "0321.html").read_text().endswith("<!-- my fix -->")


def test_the_same_bytes_need_no_record(issue, tmp_path):
    """An earlier version's render of an unchanged issue: replacing it loses nothing."""
    first, second = tmp_path / "first", tmp_path / "second"
    assert render(issue, first).exit_code == 0
    second.mkdir()
    for name in ("0321.html", "0321.txt"):
        shutil.copy(first / name, second / name)
    assert render(issue, second).exit_code == 0


def test_a_folder_render_fails_only_the_issue_whose_name_is_taken(issue, tmp_path):
    folder = issue.parent
    text = issue.read_text()
    (folder / "0322.yaml").write_text(text.replace("number: 321", "number: 322"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "0322.txt").write_text("mine")
    result = runner.invoke(app, ["render", str(folder), "-o", str(out), "-j", "2"])
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "0322.yaml" in line)
    assert "already holds 0322.txt, which render did not write" in row
    assert (out / "0322.txt").read_text() == "mine" and not (out / "0322.html").exists()
    assert (out / "0321.html").exists()
    # both workers' writes, under the lock
    assert sorted(files.read_render_record(out)) == ["0321.html", "0321.txt"]
