"""Rendering a whole folder: every issue on a process pool, one broken issue reported while the
rest still render, from Python and from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.cli import app
from authoring.render import render_file
from authoring.render.folder import FolderOptions, issue_files, render_folder
from conftest import ISSUES, sample_issues

runner = CliRunner()
BROKEN = "issue:\n  subject: 42\nstories:\n  - news: {}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The samples, their publication file and images, and one broken issue (sorted in the middle)."""
    src = tmp_path / "issues"
    src.mkdir()
    for path in [*sample_issues(), ISSUES / "publication.yaml"]:
        shutil.copy(path, src / path.name)
    shutil.copytree(ISSUES / "images", src / "images")
    (src / "001_broken.yaml").write_text(BROKEN)
    return src


def test_issue_files_leave_out_the_publication(folder):
    names = [p.name for p in issue_files(folder)]
    assert "publication.yaml" not in names and len(names) == len(sample_issues()) + 1


@pytest.mark.parametrize("workers", [1, 2])
def test_every_issue_renders_and_the_broken_one_is_reported(folder, tmp_path, workers):
    out = tmp_path / "out"
    outcomes = list(render_folder(folder, out, FolderOptions(mjml=True), workers=workers))
    assert [o.source for o in outcomes] == issue_files(folder), "in file order"
    (broken,) = [o for o in outcomes if not o.ok]
    assert broken.source.name == "001_broken.yaml" and "1 error" in broken.error
    assert "stories[0].news" in broken.diagnostics and "[missing-field]" in broken.diagnostics
    assert not list(out.glob("001_broken.*"))
    for outcome in outcomes:
        if outcome.ok:
            assert [p.suffix for p, _ in outcome.written] == [".html", ".txt", ".mjml"]
            assert all(p.stat().st_size == size for p, size in outcome.written)


def test_folder_output_is_what_a_single_render_writes(folder, tmp_path):
    out = tmp_path / "out"
    list(render_folder(folder, out, workers=2))
    for path in sample_issues():
        _, rendered = render_file(folder / path.name)
        assert (out / f"{path.stem}.html").read_text() == rendered.html
        assert (out / f"{path.stem}.txt").read_text() == rendered.text


def test_command_renders_a_folder_with_a_summary_table(folder, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(folder), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1, "one issue failed"
    table = result.stdout.splitlines()
    assert table[0].split() == ["file", "HTML", "warnings"] and set(table[1]) <= {"-", " "}
    assert len(table) == 2 + len(sample_issues()) + 1
    assert any("001_broken.yaml" in row and "error:" in row for row in table)
    assert "[missing-field]" in result.stderr
    assert f"{len(sample_issues())} of {len(sample_issues()) + 1} rendered" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{p.stem}{suffix}" for p in sample_issues() for suffix in (".html", ".txt")]
        + [".authoring-images.json", "images", ".authoring-render"])  # images, ledger, pages' record


def test_web_pages_are_named_as_render_web_names_them(folder, tmp_path):
    (folder / "001_broken.yaml").unlink()
    out = tmp_path / "out"
    assert all(o.ok for o in render_folder(folder, out, FolderOptions(mode="web"), workers=1))
    assert sorted(p.name for p in out.glob("*.html")) == sorted(f"{p.stem}.web.html" for p in sample_issues())


def test_command_exits_0_when_every_issue_renders(folder, tmp_path):
    (folder / "001_broken.yaml").unlink()
    result = runner.invoke(app, ["render", str(folder), "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0
    assert "warning:" not in result.stderr, "--quiet leaves the warnings out"


def test_an_empty_folder_is_an_error(tmp_path):
    result = runner.invoke(app, ["render", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no issue files" in result.stderr


def test_output_that_is_a_file_is_a_usage_error(folder, tmp_path):
    (tmp_path / "taken").write_text("x")
    result = runner.invoke(app, ["render", str(folder), "-o", str(tmp_path / "taken")])
    assert result.exit_code == 2


def test_a_folder_reads_its_publication_once_per_process(folder, tmp_path, monkeypatch):
    from authoring import validate
    from authoring.render import folder as folder_module

    loads = []
    original = validate._load_publication
    monkeypatch.setattr(validate, "_load_publication",
                        lambda path, level: loads.append(path) or original(path, level))
    outcomes = list(render_folder(folder, tmp_path / "out", workers=1))
    assert len(outcomes) == len(sample_issues()) + 1
    assert loads == [(folder / "publication.yaml").resolve()]
    # a worker of the pool keeps a batch of its own, for as long as the pool lasts
    monkeypatch.setattr(folder_module, "_WORKER_BATCH", None)
    folder_module._start_worker()
    kept = folder_module._WORKER_BATCH
    for path in issue_files(folder):
        folder_module.render_one(path, tmp_path / "out2", FolderOptions())
    assert len(loads) == 2 and folder_module._WORKER_BATCH is kept
    # alone, outside a pool, each call reads the settings afresh (a long-lived caller sees edits)
    monkeypatch.setattr(folder_module, "_WORKER_BATCH", None)
    for _ in range(2):
        folder_module.render_one(folder / sample_issues()[0].name, tmp_path / "out3", FolderOptions())
    assert len(loads) == 4
