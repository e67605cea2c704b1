"""Export replaces only what it can prove it wrote: links it did not make are refused, not
followed; folders holding anything else are refused with their names; the folders a user works
in are refused whole; leftovers are removed only when proven ours."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring import files
from authoring.cli import app
from authoring.diagnostics import AuthoringError
from authoring.export import export_issue
from conftest import ISSUES, ROOT

runner = CliRunner()
NAMES = {"0321.html", "0321.txt", "0321.eml", "0321.web.html", "manifest.json"}


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``, links by their target (never followed), files by bytes."""
    found: dict[str, bytes | str] = {}
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(root) / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                found[key] = "-> " + os.readlink(path)
            elif path.is_file():
                found[key] = path.read_bytes()
    return found


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A user's project: the issue, its publication and images, a pyproject and a thesis."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("0321.yaml", "publication.yaml"):
        shutil.copy(ISSUES / name, root / name)
    shutil.copytree(ISSUES / "images", root / "images")
    (root / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter1.txt").write_text("two years of work")
    (thesis / "figure.html").write_text("<p>mine</p>")
    monkeypatch.chdir(root)
    return root


def refused(issue: Path, out: Path | str, *match: str) -> str:
    with pytest.raises(AuthoringError) as caught:
        export_issue(issue, out)
    message = str(caught.value)
    assert message.endswith("nothing was changed")
    for part in match:
        assert part in message
    return message


# ---------------------------------------------------------------- links export did not make


@pytest.mark.parametrize("shape", ["to a folder", "to a file", "chain", "dangling", "to our set's sibling"])
def test_a_link_export_did_not_make_is_refused_and_its_target_kept(project, tmp_path, shape):
    thesis = tmp_path / "thesis"
    out = project / "out"
    if shape == "to a folder":
        out.symlink_to(thesis)
    elif shape == "to a file":
        out.symlink_to(thesis / "chapter1.txt")
    elif shape == "chain":
        (project / "hop").symlink_to(thesis)
        out.symlink_to("hop")
    elif shape == "dangling":
        out.symlink_to(tmp_path / "nowhere")
    else:  # a link named like export's own sets, leading to the user's folder
        (project / ".out.set-0123456789abcdef").symlink_to(thesis)
        out.symlink_to(".out.set-0123456789abcdef")
    before_project, before_thesis = tree(project), tree(thesis)
    refused(project / "0321.yaml", out, str(out))
    assert tree(thesis) == before_thesis
    assert tree(project) == before_project  # the link itself kept, no lock file, no set


@pytest.mark.parametrize("out", [".", "..", "dot", "images/..", "~", "/"])
def test_the_folders_a_user_works_in_are_refused(project, out, monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (project / "dot").symlink_to(".")
    before = [tree(tmp_path / name) for name in ("project", "thesis", "home")]
    message = refused(project / "0321.yaml", os.path.expanduser(out))
    assert re.search(r"is (the issue's folder|the current folder|your home folder)", message)
    assert [tree(tmp_path / name) for name in ("project", "thesis", "home")] == before


def test_an_exports_own_hidden_set_is_refused_as_an_output(project):
    out = project / "out"
    export_issue(project / "0321.yaml", out)
    before = tree(project)
    refused(project / "0321.yaml", project / os.readlink(out), "hidden folders an export keeps")
    assert tree(project) == before


def test_a_link_of_ours_whose_set_is_gone_is_replaced(project):
    out = project / "out"
    out.symlink_to(".out.set-0123456789abcdef")
    export_issue(project / "0321.yaml", out)
    assert set(tree(out)) == NAMES | {files.MARKER}


def test_an_empty_current_folder_is_refused_not_taken_over(project, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    refused(project / "0321.yaml", ".", "is the current folder")
    assert empty.is_dir() and not empty.is_symlink() and list(empty.iterdir()) == []


def test_the_issues_own_folder_is_refused_from_elsewhere(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = tree(project)
    refused(project / "0321.yaml", project, "the issue's folder")
    refused(project / "0321.yaml", project / "images" / "..", "the issue's folder")
    assert tree(project) == before


# ---------------------------------------------------------------- folders holding what is not ours


@pytest.mark.parametrize("foreign", [
    {"diary.txt": b"dear diary", "page.html": b"<p>mine</p>"},  # extensions prove nothing
    {"manifest.json": b'{"mine": true}', "0321.html": b"my draft"},  # names export uses
    {"0321.html": b"x", "manifest.json": json.dumps(  # a manifest that does not match the bytes
        {"files": [{"name": "0321.html", "size": 1, "sha256": "0" * 64}]}).encode()},
])
def test_a_real_folder_of_the_users_is_refused_with_the_names(project, foreign):
    notes = project / "notes"
    notes.mkdir()
    for name, data in foreign.items():
        (notes / name).write_bytes(data)
    (notes / "sub").mkdir()
    (notes / "sub" / "deep.txt").write_text("deep")
    message = refused(project / "0321.yaml", notes, "holds what export did not write")
    assert sorted(foreign)[0] in message
    assert {p.name: p.read_bytes() for p in notes.iterdir() if p.is_file()} == foreign
    assert (notes / "sub" / "deep.txt").read_text() == "deep"
    assert not notes.is_symlink()


def test_a_file_added_to_or_changed_in_an_export_is_kept(project):
    out = project / "out"
    export_issue(project / "0321.yaml", out)
    (out / "todo.txt").write_text("mine")
    refused(project / "0321.yaml", out, "todo.txt")
    assert (out / "todo.txt").read_text() == "mine"
    (out / "todo.txt").unlink()
    with (out / "0321.txt").open("ab") as handle:
        handle.write(b"my note at the end")
    refused(project / "0321.yaml", out, "0321.txt (changed since export wrote it)")
    assert (out / "0321.txt").read_bytes().endswith(b"my note at the end")


def test_a_set_whose_marker_names_another_id_is_refused(project):
    out = project / "out"
    export_issue(project / "0321.yaml", out)
    marker = out / files.MARKER
    data = json.loads(marker.read_text())
    data["id"] = "f" * 16
    marker.write_text(json.dumps(data))
    refused(project / "0321.yaml", out, "holds what export did not write")


@pytest.mark.parametrize("listed", ["../precious.txt", "/etc/passwd", "sub/x", "."])
def test_a_marker_naming_files_outside_its_set_proves_nothing(project, tmp_path, listed):
    out = project / "out"
    export_issue(project / "0321.yaml", out)
    precious = project / "precious.txt"
    precious.write_text("mine")
    marker = out / files.MARKER
    data = json.loads(marker.read_text())
    data["files"][listed] = [4, hashlib.sha256(b"mine").hexdigest()]
    marker.write_text(json.dumps(data))
    refused(project / "0321.yaml", out, "holds what export did not write")
    assert precious.read_text() == "mine"


def test_a_leftover_lookalike_that_is_a_link_is_kept_and_not_followed(project, tmp_path):
    (project / ".out.set-5555555555555555").symlink_to(tmp_path / "thesis")
    export_issue(project / "0321.yaml", project / "out")
    assert (project / ".out.set-5555555555555555").is_symlink()
    assert (tmp_path / "thesis" / "chapter1.txt").read_text() == "two years of work"


def test_many_foreign_names_are_cut_short_and_control_characters_escaped(project):
    notes = project / "notes"
    notes.mkdir()
    for n in range(9):
        (notes / f"n{n}.txt").write_text("x")
    (notes / "bad\x1b[2Jname").write_text("x")
    message = refused(project / "0321.yaml", notes, "and 5 more")
    assert "\x1b" not in message and "'bad\\x1b[2Jname'" in message


# ---------------------------------------------------------------- exports of earlier versions


def legacy_export(folder: Path, extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """What an earlier version wrote: the files and a manifest listing each with its hash."""
    content = {name: f"old {name}".encode() for name in NAMES - {"manifest.json"}}
    manifest = {"files": [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                          for n, d in content.items()]}
    content["manifest.json"] = json.dumps(manifest).encode()
    content.update(extra or {})
    folder.mkdir()
    for name, data in content.items():
        (folder / name).write_bytes(data)
    return content


def test_an_earlier_versions_real_folder_is_taken_over_only_when_its_manifest_proves_it(project):
    out = project / "out"
    legacy_export(out)
    export_issue(project / "0321.yaml", out)
    assert out.is_symlink() and set(tree(out)) == NAMES | {files.MARKER}
    assert [p.name for p in project.iterdir() if p.name.startswith(".out.old-")] == []
    mixed = project / "mixed"
    legacy_export(mixed, {"notes.txt": b"mine"})
    refused(project / "0321.yaml", mixed, "notes.txt")
    assert (mixed / "notes.txt").read_bytes() == b"mine" and not mixed.is_symlink()


def test_an_earlier_versions_linked_set_is_taken_over(project):
    out = project / "out"
    legacy_export(project / ".out.set-ab_cd123")
    out.symlink_to(".out.set-ab_cd123")
    export_issue(project / "0321.yaml", out)
    assert not (project / ".out.set-ab_cd123").exists()
    assert set(tree(out)) == NAMES | {files.MARKER}


# ---------------------------------------------------------------- leftovers of killed exports


def test_leftovers_are_removed_only_when_proven_ours(project):
    out = project / "out"
    export_issue(project / "0321.yaml", out)
    current = os.readlink(out)
    marker = json.loads((out / files.MARKER).read_text())
    # killed mid-write: the marker, one whole file and one cut short
    killed = project / ".out.set-1111111111111111"
    killed.mkdir()
    (killed / files.MARKER).write_text(json.dumps({**marker, "id": "1111111111111111"}))
    (killed / "0321.html").write_bytes((out / "0321.html").read_bytes())
    (killed / "0321.txt").write_bytes((out / "0321.txt").read_bytes()[:100])
    (project / ".out.set-2222222222222222").mkdir()  # killed before its marker
    (project / ".out.link-0000").symlink_to(".out.set-1111111111111111")
    # named like leftovers, but not ours: kept
    lookalike = project / ".out.set-3333333333333333"
    lookalike.mkdir()
    (lookalike / "mine.txt").write_text("mine")
    grown = project / ".out.set-4444444444444444"
    grown.mkdir()
    (grown / files.MARKER).write_text(json.dumps({**marker, "id": "4444444444444444"}))
    (grown / "0321.html").write_bytes((out / "0321.html").read_bytes() + b"more of mine")
    (project / ".out.link-1111").symlink_to(tmp := project.parent / "thesis")
    export_issue(project / "0321.yaml", out)
    hidden = sorted(p.name for p in project.iterdir() if p.name.startswith(".out."))
    assert hidden == sorted([".out.export-lock", ".out.link-1111", os.readlink(out),
                             ".out.set-3333333333333333", ".out.set-4444444444444444"])
    assert current not in hidden
    assert (lookalike / "mine.txt").read_text() == "mine"
    assert (grown / "0321.html").read_bytes().endswith(b"more of mine")
    assert tree(tmp)["chapter1.txt"] == b"two years of work"


# ---------------------------------------------------------------- names too long


@pytest.mark.parametrize("shape", ["output folder", "output component", "input stem"])
def test_a_name_over_the_file_systems_limit_is_a_clear_error(project, shape):
    issue, out = project / "0321.yaml", project / "out"
    if shape == "output folder":
        out = project / ("o" * 240)
    elif shape == "output component":
        out = project / ("o" * 256) / "out"
    else:
        issue = project / ("i" * 247 + ".yaml")  # 252 bytes: its .web.html would be 256
        shutil.copy(project / "0321.yaml", issue)
    result = runner.invoke(app, ["export", str(issue), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "bytes" in result.stderr and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_input_name_over_the_limit_is_a_clear_error_in_every_command(tmp_path):
    name = str(tmp_path / ("b" * 260 + ".yaml"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for command in (["export", name, "-o", str(tmp_path / "out")], ["validate", name],
                    ["render", name, "-o", str(tmp_path / "out")], ["check", name]):
        done = subprocess.run([sys.executable, "-m", "authoring", *command], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, command
        assert "Traceback" not in done.stderr
        assert "longer than the file system allows (255 bytes a name)" in done.stderr
    assert list(tmp_path.iterdir()) == []
