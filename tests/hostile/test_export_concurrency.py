"""Exports into one output take a lock: eight at once all succeed, none removes a set another
is writing, and a writer that cannot get the lock in time says who holds it."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from authoring import files
from conftest import ISSUES, ROOT

WRITERS = 8
ROUNDS = 6


def content(writer: int, turn: int) -> dict[str, bytes]:
    names = ["0321.html", "0321.txt", "0321.eml", "0321.web.html", "manifest.json"]
    return {name: f"writer {writer} turn {turn} {name}\n".encode() * (300 + 50 * writer)
            for name in names}


def write_rounds(out: str, writer: int, start: multiprocessing.synchronize.Barrier, errors) -> None:
    start.wait()
    for turn in range(ROUNDS):
        try:
            files.write_all_atomic(Path(out), content(writer, turn), lock_timeout=120)
        except Exception as exc:  # every failure is the test's finding
            errors.put(f"writer {writer} turn {turn}: {type(exc).__name__}: {exc}")


def test_eight_writers_into_one_output_all_succeed_and_keep_the_users_files(tmp_path):
    out = tmp_path / "out"
    (tmp_path / "notes.txt").write_text("mine, beside the output")
    mine = tmp_path / ".out.set-notmine"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine, named like a set")
    context = multiprocessing.get_context("fork")
    start, errors = context.Barrier(WRITERS), context.Queue()
    workers = [context.Process(target=write_rounds, args=(str(out), w, start, errors))
               for w in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    assert [w.exitcode for w in workers] == [0] * WRITERS
    final = {p.name: p.read_bytes() for p in out.iterdir() if p.name != files.MARKER}
    assert any(final == content(w, ROUNDS - 1) for w in range(WRITERS))  # one whole set, the last
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == sorted([".out.export-lock", ".out.set-notmine", os.readlink(out)])
    assert (tmp_path / "notes.txt").read_text() == "mine, beside the output"
    assert (mine / "keep.txt").read_text() == "mine, named like a set"


def test_eight_export_commands_at_once(tmp_path):
    """The command itself, eight processes into one output: every one exits 0."""
    for name in ("0321.yaml", "publication.yaml"):
        shutil.copy(ISSUES / name, tmp_path / name)
    shutil.copytree(ISSUES / "images", tmp_path / "images")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "-m", "authoring", "export", "0321.yaml", "-o", "out"],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(WRITERS)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0] * WRITERS, [err.decode()[-400:] for _, err in outputs]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {f["name"] for f in manifest["files"]} == {"0321.html", "0321.txt", "0321.eml",
                                                       "0321.web.html"}
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out"))
    assert hidden == sorted([".out.export-lock", os.readlink(tmp_path / "out")])


def hold_lock(folder: Path) -> int:
    fd = os.open(folder.parent / f".{folder.name}.export-lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b"process 4242\n", 0)
    return fd


def test_a_writer_that_cannot_get_the_lock_says_who_holds_it(tmp_path):
    out = tmp_path / "out"
    fd = hold_lock(out)
    try:
        with pytest.raises(files.OutputRefused, match=r"another export \(process 4242\) is writing"):
            files.write_all_atomic(out, content(0, 0), lock_timeout=0.1)
    finally:
        os.close(fd)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.export-lock"]


def test_a_waiting_writer_goes_on_once_the_lock_is_released(tmp_path, monkeypatch):
    out = tmp_path / "out"
    files.write_all_atomic(out, content(0, 0))
    before = os.readlink(out)
    fd = hold_lock(out)
    waiting = threading.Event()
    real_sleep = files.time.sleep

    def noting_sleep(seconds):
        waiting.set()
        real_sleep(seconds)

    monkeypatch.setattr(files.time, "sleep", noting_sleep)
    done: list[object] = []
    writer = threading.Thread(target=lambda: done.append(
        files.write_all_atomic(out, content(1, 0), lock_timeout=60)))
    writer.start()
    assert waiting.wait(30)
    assert os.readlink(out) == before and done == []  # nothing touched while another holds it
    os.close(fd)
    writer.join(60)
    assert done == [None]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != files.MARKER} == content(1, 0)


def test_a_lock_file_that_is_a_link_is_refused(tmp_path):
    target = tmp_path / "precious"
    target.write_text("mine")
    (tmp_path / ".out.export-lock").symlink_to(target)
    with pytest.raises(files.OutputRefused, match="is a link"):
        files.write_all_atomic(tmp_path / "out", content(0, 0))
    assert target.read_text() == "mine"


def test_a_lock_file_removed_while_waited_on_is_not_trusted(tmp_path, monkeypatch):
    """Held on a file removed meanwhile, the lock guards nothing: the writer starts again on
    the file now there, and waits for whoever holds that one."""
    out = tmp_path / "out"
    files.write_all_atomic(out, content(0, 0))
    before = os.readlink(out)
    first = hold_lock(out)
    waiting, stale = threading.Event(), threading.Event()
    real_sleep, real_same = files.time.sleep, files._same_inode

    def noting_sleep(seconds):
        waiting.set()
        real_sleep(seconds)

    def noting_same(fd, path):
        same = real_same(fd, path)
        if not same:
            stale.set()
        return same

    monkeypatch.setattr(files.time, "sleep", noting_sleep)
    monkeypatch.setattr(files, "_same_inode", noting_same)
    done: list[object] = []
    writer = threading.Thread(target=lambda: done.append(
        files.write_all_atomic(out, content(1, 0), lock_timeout=60)))
    writer.start()
    assert waiting.wait(30)
    (tmp_path / ".out.export-lock").unlink()
    second = hold_lock(out)  # a new lock file, held by someone else
    os.close(first)
    assert stale.wait(30)
    assert os.readlink(out) == before and done == []  # still waiting, now for the second holder
    os.close(second)
    writer.join(60)
    assert done == [None]


def test_an_old_set_changed_during_the_export_is_kept(tmp_path, monkeypatch):
    out = tmp_path / "out"
    files.write_all_atomic(out, content(0, 0))
    old = tmp_path / os.readlink(out)
    real_switch = files._switch

    def switch_then_edit(folder, new_set, current):
        real_switch(folder, new_set, current)
        with (old / "0321.txt").open("ab") as handle:  # the user's editor, in that instant
            handle.write(b"my last-second note")

    monkeypatch.setattr(files, "_switch", switch_then_edit)
    files.write_all_atomic(out, content(1, 0))
    assert (old / "0321.txt").read_bytes().endswith(b"my last-second note")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != files.MARKER} == content(1, 0)
