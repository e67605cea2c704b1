"""Rendering a whole folder: every issue on a process pool, one broken issue reported while the
rest still render, from Python and from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.cli import app
from authoring.render import folder as folder_module
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


# ------------------------------------------------------------------ how many workers


@pytest.mark.parametrize(("cores", "load", "count"), [
    (2, 0.0, 2), (2, 0.5, 2), (2, 0.5001, 1), (2, 1.6, 1), (2, 16.2, 1),  # a core is free below half busy
    (8, 0.0, 8), (8, 5.5, 3), (8, 5.51, 2), (1, 0.0, 1),
])
def test_one_worker_a_free_core(cores, load, count):
    plenty = 100 * folder_module.POOL_BYTES_PER_WORKER
    assert folder_module.plan_workers(500, plenty, cores=cores, load=load).count == count


@pytest.mark.parametrize(("size", "count"), [
    (2 * folder_module.POOL_BYTES_PER_WORKER - 1, 1), (2 * folder_module.POOL_BYTES_PER_WORKER, 2),
    (3 * folder_module.POOL_BYTES_PER_WORKER, 3), (4 * folder_module.POOL_BYTES_PER_WORKER - 1, 3),
])
def test_one_worker_a_share_of_work_that_pays_for_its_start(size, count):
    assert folder_module.plan_workers(500, size, cores=8, load=0.0).count == count


def test_never_more_workers_than_issues():
    big = 100 * folder_module.POOL_BYTES_PER_WORKER
    assert folder_module.plan_workers(3, big, cores=8, load=0.0).count == 3
    assert folder_module.plan_workers(1, big, cores=8, load=0.0).count == 1


def test_jobs_force_the_count_whatever_the_machine_and_the_work():
    plan = folder_module.plan_workers(200, 10, cores=2, load=16.0, jobs=2)
    assert (plan.count, plan.forced) == (2, True)
    assert folder_module.plan_workers(3, 10, cores=2, load=0.0, jobs=8).count == 3


@pytest.mark.parametrize(("args", "said"), [
    ((200, 10_000_000, 2, 0.3, None), "rendering 200 issues with 2 workers (2 cores, load 0.3)"),
    ((200, 10_000_000, 2, 1.62, None),
     "rendering 200 issues in one process (2 cores, load 1.6: no second core free)"),
    ((3, 14_000, 2, 0.0, None),
     "rendering 3 issues in one process (2 cores, load 0.0: 14 KB of YAML, too little to share)"),
    ((1, 10_000_000, 2, 0.0, None), "rendering 1 issue in one process (2 cores, load 0.0: one issue)"),
    ((200, 10, 2, 16.0, 2), "rendering 200 issues with 2 workers (--jobs 2)"),
    ((200, 10, 1, 0.0, 1), "rendering 200 issues in one process (--jobs 1)"),
])
def test_the_plan_says_how_many_and_why(args, said):
    issues, size, cores, load, jobs = args
    plan = folder_module.plan_workers(issues, size, cores=cores, load=load, jobs=jobs)
    assert plan.describe(issues) == said


def test_the_folder_command_says_how_it_renders(folder, tmp_path, monkeypatch):
    monkeypatch.setattr(folder_module, "machine", lambda: (2, 0.3))
    runner = CliRunner()
    result = runner.invoke(app, ["render", str(folder), "-o", str(tmp_path / "a")])
    files = len(folder_module.issue_files(folder))
    size = sum(p.stat().st_size for p in folder_module.issue_files(folder)) // 1000
    assert (f"rendering {files} issues in one process (2 cores, load 0.3: {size} KB of YAML, "
            "too little to share)") in result.stderr
    result = runner.invoke(app, ["render", str(folder), "-o", str(tmp_path / "b"), "--jobs", "2"])
    assert f"rendering {files} issues with 2 workers (--jobs 2)" in result.stderr
