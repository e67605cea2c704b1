"""``render FOLDER``: a worker killed by a signal fails only its issue (listed), the rest render
on a fresh pool and the summary prints; what is no file is listed as skipped; control
characters in file names reach the terminal escaped."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.cli import app
from authoring.render import folder as render_folder_module
from authoring.render.folder import issue_files, render_folder, scan
from conftest import ISSUES

runner = CliRunner()
ISSUE_COUNT = 12
DIED = "the process rendering it died (killed by a signal, or out of memory); the other issues went on"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Twelve copies of the sample, numbered, with their publication and images."""
    src = tmp_path / "issues"
    src.mkdir()
    text = (ISSUES / "0321.yaml").read_text(encoding="utf-8")
    for n in range(ISSUE_COUNT):
        (src / f"{n:04}.yaml").write_text(text.replace("number: 321", f"number: {n + 1}"))
    shutil.copy(ISSUES / "publication.yaml", src / "publication.yaml")
    shutil.copytree(ISSUES / "images", src / "images")
    return src


REAL_RENDER_ONE = render_folder_module.render_one
KILLERS: set[str] = set()
"""Issue names whose rendering kills its process (the workers are forked: they see this)."""
KILL_ONCE: list[Path] = []
"""A file made by the first kill: the issue renders when tried again (an outside kill)."""


def killing_render_one(path, out_dir, options, batch=None):
    if path.name in KILLERS:
        if not KILL_ONCE:
            os.kill(os.getpid(), signal.SIGKILL)
        try:
            os.close(os.open(KILL_ONCE[0], os.O_CREAT | os.O_EXCL))
            os.kill(os.getpid(), signal.SIGKILL)
        except FileExistsError:
            pass
    return REAL_RENDER_ONE(path, out_dir, options, batch)


@pytest.fixture
def killer(monkeypatch, tmp_path):
    monkeypatch.setattr(render_folder_module, "render_one", killing_render_one)
    yield KILLERS
    KILLERS.clear()
    KILL_ONCE.clear()


@pytest.mark.parametrize(("workers", "killed"), [
    (2, {"0005.yaml"}),
    (2, {"0000.yaml"}),  # the first
    (3, {"0011.yaml"}),  # the last
    (2, {"0003.yaml", "0004.yaml", "0009.yaml"}),  # several, two of them in flight together
])
def test_a_killed_worker_fails_only_its_issue(folder, tmp_path, killer, workers, killed):
    killer.update(killed)
    out = tmp_path / "out"
    outcomes = list(render_folder(folder, out, workers=workers))
    assert [o.source for o in outcomes] == issue_files(folder), "every issue, in file order"
    assert {o.source.name: o.error for o in outcomes if not o.ok} == {name: DIED for name in killed}
    rendered = sorted(p.name for p in out.glob("*.html"))
    assert rendered == sorted(f"{n:04}.html" for n in range(ISSUE_COUNT) if f"{n:04}.yaml" not in killed)


def test_a_worker_killed_from_outside_once_loses_nothing(folder, tmp_path, killer):
    killer.add("0006.yaml")
    KILL_ONCE.append(tmp_path / "killed-once")
    outcomes = list(render_folder(folder, tmp_path / "out", workers=2))
    assert (tmp_path / "killed-once").exists()  # it was killed
    assert [o.error for o in outcomes] == [None] * ISSUE_COUNT  # and rendered again, alone


def test_the_command_lists_the_dead_issue_and_prints_the_summary(folder, tmp_path, killer):
    killer.add("0007.yaml")
    result = runner.invoke(app, ["render", str(folder), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "BrokenProcessPool" not in result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith(str(folder))]
    assert len(rows) == ISSUE_COUNT
    assert rows[7].split()[-1] == "on" and DIED.split(";")[0] in rows[7]
    assert f"{ISSUE_COUNT - 1} of {ISSUE_COUNT} rendered" in result.stderr


# ---------------------------------------------------------------- what is no file


def test_fifos_devices_and_folders_are_listed_as_skipped(folder, tmp_path):
    os.mkfifo(folder / "0002a-pipe.yaml")
    (folder / "0003a-folder.yaml").mkdir()
    (folder / "0004a-null.yaml").symlink_to("/dev/null")
    (folder / "0005a-gone.yaml").symlink_to(tmp_path / "nowhere")
    files, skipped = scan(folder)
    assert len(files) == ISSUE_COUNT
    assert [(p.name, what) for p, what in skipped] == [
        ("0002a-pipe.yaml", "a named pipe (FIFO)"), ("0003a-folder.yaml", "a folder"),
        ("0004a-null.yaml", "a character device"),
        ("0005a-gone.yaml", "cannot be read (No such file or directory)")]
    result = runner.invoke(app, ["render", str(folder), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith(str(folder))]
    assert [row.split()[0].rsplit("/", 1)[1] for row in rows][2:5] == ["0002.yaml", "0002a-pipe.yaml",
                                                                       "0003.yaml"]
    assert rows[3].endswith("skipped: a named pipe (FIFO), not an issue file")
    assert f"{ISSUE_COUNT} of {ISSUE_COUNT} rendered into {tmp_path / 'out'}; 4 skipped" in result.stderr


def test_a_folder_of_nothing_but_pipes_says_so(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    result = runner.invoke(app, ["render", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'pipe.yaml'}: skipped: a named pipe (FIFO), not an issue file" in result.stderr


# ---------------------------------------------------------------- names that drive the terminal


@pytest.mark.parametrize("name", ["clear\x1b[2Jscreen", "bell\x07", "rtl\u202eselif", "cr\rover"])
def test_control_characters_in_names_are_escaped_in_the_summary(folder, tmp_path, name):
    shutil.copy(folder / "0000.yaml", folder / f"{name}.yaml")
    os.mkfifo(folder / f"{name}-pipe.yaml")
    # color=True: the runner keeps escape sequences, as a terminal would receive them
    result = runner.invoke(app, ["render", str(folder), "-o", str(tmp_path / "out"), "-j", "2"],
                           color=True)
    assert result.exit_code == 0, result.output
    escaped = name.encode("unicode_escape").decode()
    assert f"{escaped}.yaml" in result.stdout and f"{escaped}-pipe.yaml" in result.stdout
    assert not any(c in result.stdout for c in "\x1b\x07\u202e\r")


def test_a_single_render_and_an_export_print_their_paths_escaped(tmp_path):
    for name in ("publication.yaml",):
        shutil.copy(ISSUES / name, tmp_path / name)
    shutil.copytree(ISSUES / "images", tmp_path / "images")
    issue = tmp_path / "bad\x1b[2Jname.yaml"
    shutil.copy(ISSUES / "0321.yaml", issue)
    for command in (["render", str(issue), "-o", str(tmp_path / "r")],
                    ["export", str(issue), "-o", str(tmp_path / "e")]):
        result = runner.invoke(app, command, color=True)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "bad\\x1b[2Jname.html" in result.stdout
