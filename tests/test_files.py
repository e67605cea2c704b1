"""write_atomic: all or nothing, ordinary permissions, no temporary file left behind."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from authoring import files
from conftest import ROOT


def test_write_atomic_replaces_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "out" / "a.html"
    files.write_atomic(target, b"one")
    files.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["a.html"]
    assert target.stat().st_mode & 0o777 == 0o666 & ~files._umask()


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.html"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        files.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.html"]


# ---------------------------------------------------------------- a set, atomic across a crash

KILL_LOOP_SECONDS = 20
FOLDERS = 4


def export_set(version: str) -> dict[str, bytes]:
    names = ["0321.html", "0321.txt", "0321.eml", "0321.web.html"]
    content = {name: f"{version} {name}\n".encode() * 200 for name in names}
    content["manifest.json"] = json.dumps({"version": version}).encode()
    return content


WRITER = """
import json, os, sys, time
from pathlib import Path
from authoring import files
sets = {k: {n: v.encode() for n, v in s.items()} for k, s in json.loads(sys.argv[2]).items()}
real_replace, real_symlink, real_fsync = os.replace, os.symlink, os.fsync
def slow(fn):
    def wrapper(*args, **kwargs):
        time.sleep(0.004)  # widens every window in which a kill can land
        return fn(*args, **kwargs)
    return wrapper
os.replace, os.symlink, os.fsync = slow(real_replace), slow(real_symlink), slow(real_fsync)
base = Path(sys.argv[1])
turn = 0
while True:
    for k in range(int(sys.argv[3])):
        files.write_all_atomic(base / f"out{k}", sets["old" if turn % 2 else "new"])
    turn += 1
"""


def folder_state(folder: Path, sets: dict[str, dict[str, bytes]]) -> str:
    if not folder.exists():
        return "absent"
    content = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != files.MARKER}
    return next((name for name, s in sets.items() if s == content), f"MIXED {sorted(content)}")


def test_kill_loop_every_folder_holds_a_whole_set(tmp_path):
    """Kill the writer at random instants, over and over: each folder is always a whole
    old or whole new set, and the next run leaves no stray file."""
    sets = {"old": export_set("old"), "new": export_set("new")}
    payload = json.dumps({k: {n: v.decode() for n, v in s.items()} for k, s in sets.items()})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(10)
    deadline = time.monotonic() + KILL_LOOP_SECONDS
    kills = 0
    while time.monotonic() < deadline and kills < 25:
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), payload,
                                   str(FOLDERS)], env=env)
        time.sleep(rng.uniform(0.15, 0.6))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        kills += 1
        states = [folder_state(tmp_path / f"out{k}", sets) for k in range(FOLDERS)]
        assert all(state in {"old", "new", "absent"} for state in states), states
    assert kills >= 5
    for k in range(FOLDERS):  # the next run cleans up after the killed ones
        files.write_all_atomic(tmp_path / f"out{k}", sets["new"])
    names = sorted(p.name for p in tmp_path.iterdir())
    visible = [n for n in names if not n.startswith(".")]
    assert visible == [f"out{k}" for k in range(FOLDERS)]
    assert sorted(set(names) - set(visible)) == sorted(
        [os.readlink(tmp_path / f"out{k}") for k in range(FOLDERS)]
        + [f".out{k}.export-lock" for k in range(FOLDERS)])
    assert all(folder_state(tmp_path / f"out{k}", sets) == "new" for k in range(FOLDERS))


def test_the_set_writer_fsyncs_every_file_and_the_switch(tmp_path, monkeypatch):
    synced: list[str] = []
    real = os.fsync

    def recording_fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    folder = tmp_path / "out"
    files.write_all_atomic(folder, export_set("new"))
    current = folder.resolve()
    assert {str(current / name) for name in export_set("new")} <= set(synced)
    assert synced[-1] == str(tmp_path)  # the parent, after the rename that switches the set
    synced.clear()
    files.write_atomic(tmp_path / "one.txt", b"x")
    assert len(synced) == 1 and synced[0].startswith(str(tmp_path / ".one.txt."))


# ---------------------------------------------------------------- the single-file and set writers' promises


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_a_written_file_has_ordinary_permissions_under_the_umask(tmp_path, umask_027):
    files.write_atomic(tmp_path / "a.txt", b"x")
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert (tmp_path / "out").resolve().stat().st_mode & 0o777 == 0o750
    assert os.umask(0o027) == 0o027  # read back unchanged


def test_the_umask_is_read_without_ever_being_set_to_zero(umask_027, monkeypatch):
    # setting it to 0 and back left a moment in which another thread's new file was world-writable
    set_to: list[int] = []
    real = os.umask
    monkeypatch.setattr(os, "umask", lambda mask: (set_to.append(mask), real(mask))[1])
    assert files._umask() == 0o027
    assert set_to == []  # Linux says it in /proc/self/status: never touched


def test_without_a_status_file_the_umask_is_read_under_the_strictest_mask(umask_027, monkeypatch):
    def no_status(*args, **kwargs):
        raise FileNotFoundError(args[0])

    set_to: list[int] = []
    real = os.umask
    monkeypatch.setattr(files, "open", no_status, raising=False)
    monkeypatch.setattr(os, "umask", lambda mask: (set_to.append(mask), real(mask))[1])
    assert files._umask() == 0o027
    assert set_to == [0o077, 0o027] and real(0o027) == 0o027


def test_a_temporary_file_is_hidden_beside_its_target_and_synced_unless_told(tmp_path, monkeypatch):
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    tmp = files.write_temp(tmp_path, "a.html", b"data")
    assert tmp.parent == tmp_path and tmp.name.startswith(".a.html.") and tmp.name.endswith(".tmp")
    assert tmp.read_bytes() == b"data" and len(synced) == 1
    unsynced = files.write_temp(tmp_path, "b.html", b"more", sync=False)
    assert unsynced.read_bytes() == b"more" and len(synced) == 1
    files.write_atomic(tmp_path / "c.html", b"c", sync=False)
    assert len(synced) == 1 and (tmp_path / "c.html").read_bytes() == b"c"


def test_a_failed_temporary_write_leaves_no_file(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        files.write_temp(tmp_path, "a.html", b"data")
    assert os.listdir(tmp_path) == []


def test_write_atomic_makes_the_missing_folders(tmp_path):
    files.write_atomic(str(tmp_path / "a" / "b" / "c.txt"), b"x")
    assert (tmp_path / "a" / "b" / "c.txt").read_bytes() == b"x"


def test_a_failure_while_writing_a_set_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    files.write_all_atomic(folder, {"a.html": b"1"})
    before = sorted(os.listdir(tmp_path))
    real = files._write_synced

    def full(path, data):
        if path.name == "b.html":
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(files, "_write_synced", full)
    with pytest.raises(OSError):
        files.write_all_atomic(folder, {"a.html": b"2", "b.html": b"2"})
    assert sorted(os.listdir(tmp_path)) == before and (folder / "a.html").read_bytes() == b"1"


def test_a_set_makes_the_missing_parent_folders(tmp_path):
    files.write_all_atomic(tmp_path / "a" / "b" / "out", {"x.html": b"x"})
    assert (tmp_path / "a" / "b" / "out" / "x.html").read_bytes() == b"x"


def test_a_sets_files_are_ordinary_files_under_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        files.write_all_atomic(tmp_path / "out", {"x.html": b"x"})
    finally:
        os.umask(old)
    assert (tmp_path / "out" / "x.html").stat().st_mode & 0o777 == 0o644


def test_a_leftover_that_cannot_be_removed_does_not_stop_the_export(tmp_path, monkeypatch):
    (tmp_path / ".out.set-stuck").mkdir()
    real = os.rmdir

    def refused(path, *args, **kwargs):
        if ".out.set-stuck" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "rmdir", refused)
    files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert (tmp_path / "out" / "a.html").read_bytes() == b"x"
    assert (tmp_path / ".out.set-stuck").is_dir()


def _refuse_rmdir(monkeypatch, marker: str) -> None:
    real = os.rmdir

    def refused(path, *args, **kwargs):
        if marker in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "rmdir", refused)


def test_an_old_set_that_cannot_be_removed_does_not_fail_the_export(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    files.write_all_atomic(folder, {"a.html": b"1"})
    _refuse_rmdir(monkeypatch, os.readlink(folder))
    files.write_all_atomic(folder, {"a.html": b"2"})
    assert (folder / "a.html").read_bytes() == b"2"


def test_an_old_set_whose_files_cannot_be_removed_does_not_fail_the_export(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    files.write_all_atomic(folder, {"a.html": b"1"})
    old = os.readlink(folder)
    real = os.unlink

    def refused(path, *args, **kwargs):
        if old in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", refused)
    files.write_all_atomic(folder, {"a.html": b"2"})
    assert (folder / "a.html").read_bytes() == b"2" and os.readlink(folder) != old
    assert (tmp_path / old / "a.html").read_bytes() == b"1"  # left, as it could not be removed


def test_a_folder_on_the_outputs_path_is_allowed_up_to_the_file_systems_limit(tmp_path):
    longest = tmp_path / ("p" * files.NAME_MAX)
    files.write_all_atomic(longest / "out", {"a.html": b"x"})
    assert (longest / "out" / "a.html").read_bytes() == b"x"
    too_long = tmp_path / ("q" * (files.NAME_MAX + 1))
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(too_long / "out", {"a.html": b"x"})
    path = str(too_long / "out")  # shown cut in the middle too
    assert str(refused.value) == (f"the name '{'q' * 40}…{'q' * 40}' in {path[:40]}…{path[-40:]} "
                                  "is 256 bytes; file systems allow 255")
    assert sorted(os.listdir(tmp_path)) == [longest.name]


def test_an_outputs_own_name_is_refused_past_232_bytes_as_its_hidden_siblings_add_23(tmp_path):
    """``.NAME.link-`` and 16 hex digits: the longest name export makes beside the output."""
    files.write_all_atomic(tmp_path / ("o" * 232), {"a.html": b"x"})
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(tmp_path / ("p" * 233), {"a.html": b"x"})
    assert str(refused.value) == (
        f"the output folder's name '{'p' * 40}…{'p' * 40}' is 233 bytes; export needs it to be at "
        "most 232 (its sets are named after it); choose a shorter -o")
    assert not [name for name in os.listdir(tmp_path) if name.lstrip(".").startswith("p")]


def test_a_sets_hidden_folder_is_refused_as_the_output_with_its_link_to_name_instead(tmp_path):
    files.write_all_atomic(tmp_path / "out", {"a.html": b"1"})
    hidden = tmp_path / os.readlink(tmp_path / "out")
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(hidden, {"a.html": b"2"})
    assert str(refused.value) == (f"{hidden} is one of the hidden folders an export keeps its files "
                                  "in; give the output's own name (the link to it)")
    assert (tmp_path / "out" / "a.html").read_bytes() == b"1"


def test_a_failed_set_raises_its_own_error_even_when_its_cleanup_fails(tmp_path, monkeypatch):
    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write_synced", full)
    _refuse_rmdir(monkeypatch, ".out.set-")
    with pytest.raises(OSError) as info:
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert info.value.errno == 28


# ---------------------------------------------------------------- files among others (render -o)


def test_owned_files_are_synced_and_their_folders_made(tmp_path, monkeypatch):
    synced: list[str] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")),
                                                 real(fd))[1])
    folder = tmp_path / "a" / "b"
    files.write_owned(folder, {"x.html": b"x", "x.txt": b"t"})
    assert (folder / "x.html").read_bytes() == b"x" and (folder / "x.txt").read_bytes() == b"t"
    # each file and the record, every one synced before its rename made it visible
    assert [Path(p).name.split(".tmp")[0].rsplit(".", 1)[0] for p in synced] == \
        [".x.html", ".x.txt", f".{files.RENDER_RECORD}"]
    synced.clear()
    files.write_owned(folder, {"x.html": b"y"}, sync=False)
    assert synced == [] and (folder / "x.html").read_bytes() == b"y"



def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns


def test_owned_files_that_hold_the_new_bytes_are_left_as_they_are(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    files.write_owned(folder, {"x.html": b"page", "x.txt": b"text"})
    names = ["x.html", "x.txt", files.RENDER_RECORD]
    before = {name: _identity(folder / name) for name in names}
    made: list[str] = []
    real = files.write_temp
    monkeypatch.setattr(files, "write_temp",
                        lambda f, name, *a, **k: (made.append(name), real(f, name, *a, **k))[1])
    files.write_owned(folder, {"x.html": b"page", "x.txt": b"text"})  # the same issue again
    assert made == [] and {name: _identity(folder / name) for name in names} == before
    files.write_owned(folder, {"x.html": b"page 2", "x.txt": b"text"})  # one file changed
    assert made == ["x.html"]  # and one line appended to the record
    assert _identity(folder / files.RENDER_RECORD)[0] == before[files.RENDER_RECORD][0]
    assert _identity(folder / "x.txt") == before["x.txt"] and (folder / "x.html").read_bytes() == b"page 2"
    assert files.read_render_record(folder) == {
        "x.html": (6, hashlib.sha256(b"page 2").hexdigest()),
        "x.txt": (4, hashlib.sha256(b"text").hexdigest())}


def test_owned_files_of_the_same_size_with_other_bytes_are_written(tmp_path):
    files.write_owned(tmp_path, {"x.txt": b"text"})
    files.write_owned(tmp_path, {"x.txt": b"TEXT"})  # as long, not the same: written
    assert (tmp_path / "x.txt").read_bytes() == b"TEXT"


def test_a_users_file_with_the_new_bytes_is_kept_and_then_render_owns_it(tmp_path):
    (tmp_path / "x.html").write_bytes(b"page")
    kept = _identity(tmp_path / "x.html")
    files.write_owned(tmp_path, {"x.html": b"page"})
    assert _identity(tmp_path / "x.html") == kept
    assert files.read_render_record(tmp_path) == {"x.html": (4, hashlib.sha256(b"page").hexdigest())}
    files.write_owned(tmp_path, {"x.html": b"page 2"})  # recorded now: replaced
    assert (tmp_path / "x.html").read_bytes() == b"page 2"


def test_owned_files_into_what_is_not_a_folder_are_refused(tmp_path):
    (tmp_path / "out").write_text("mine")
    with pytest.raises(files.OutputRefused) as refused:
        files.write_owned(tmp_path / "out", {"x.html": b"x"})
    assert str(refused.value) == (f"{tmp_path / 'out'} is not a folder (a file, a pipe or a "
                                  "device); choose another -o")
    assert (tmp_path / "out").read_text() == "mine"


def test_owned_file_names_are_allowed_up_to_the_file_systems_limit(tmp_path):
    longest = "a" * (files.NAME_MAX - 5) + ".html"
    files.write_owned(tmp_path, {longest: b"x"})
    assert (tmp_path / longest).read_bytes() == b"x"
    too_long = "b" * (files.NAME_MAX - 4) + ".html"
    with pytest.raises(files.OutputRefused) as refused:
        files.write_owned(tmp_path, {"first.html": b"1", too_long: b"x"})
    assert str(refused.value) == (f"the file name '{'b' * 40}…{'b' * 35}.html' is 256 bytes; "
                                  "file systems allow 255; rename the issue file")
    assert not (tmp_path / "first.html").exists()  # refused before anything is written


@pytest.mark.parametrize(("name", "shown"), [
    ("😀" * 60 + "a" * 19, "😀" * 60 + "a" * 19),  # 79 characters (259 bytes): whole
    ("😀" * 60 + "a" * 20, "😀" * 60 + "a" * 20),  # 80: whole
    ("😀" * 61 + "a" * 20, "😀" * 40 + "…" + "😀" * 20 + "a" * 20),  # 81: cut in the middle
    ("x" * 300, "x" * 40 + "…" + "x" * 40),
])
def test_a_long_name_is_shown_whole_up_to_80_characters_and_cut_in_the_middle_beyond(
        tmp_path, name, shown):
    with pytest.raises(files.OutputRefused) as refused:
        files.write_owned(tmp_path, {name: b"x"})
    assert str(refused.value).startswith(f"the file name '{shown}' is {len(name.encode())} bytes;")


@pytest.mark.parametrize("name", ["a" * 250 + ".html", "😀" * 62 + "abc.txt", "é" * 125 + ".html"])
def test_a_name_at_the_file_systems_limit_is_written_atomically(tmp_path, name):
    """The temporary file beside it has a longer name: it is cut short, never the write refused."""
    assert len(name.encode()) == files.NAME_MAX
    files.write_atomic(tmp_path / name, b"x")
    files.write_owned(tmp_path / "out", {name: b"y"})
    assert (tmp_path / name).read_bytes() == b"x" and (tmp_path / "out" / name).read_bytes() == b"y"
    assert sorted(os.listdir(tmp_path)) == sorted([name, "out"])


@pytest.mark.parametrize("name", ["a" * 250 + ".html", "é" * 125 + ".html"])
def test_a_sets_file_named_at_the_file_systems_limit_is_written(tmp_path, name):
    files.write_all_atomic(tmp_path / "out", {name: b"z"})
    assert sorted(os.listdir(tmp_path / "out")) == sorted([files.MARKER, name])
    assert (tmp_path / "out" / name).read_bytes() == b"z"


@pytest.mark.parametrize(("name", "kept"), [
    ("a" * 250 + ".html", "a" * 241),  # 241 bytes: room for "." before, and ".XXXXXXXX.tmp" after
    ("é" * 125 + ".html", "é" * 120),  # 240 bytes: a 121st would be 242
    ("a" + "é" * 127, "a" + "é" * 120),  # 241 bytes
    ("😀" * 62 + "abc.txt", "😀" * 60),  # 240 bytes: a 61st would be 244
], ids=["ascii", "two-byte", "at-the-limit", "four-byte"])
def test_a_temporary_files_name_keeps_as_much_of_the_targets_as_fits_whole_characters(
        tmp_path, name, kept):
    tmp = files.write_temp(tmp_path, name, b"x")
    assert tmp.name.startswith(f".{kept}.") and tmp.name.endswith(".tmp")
    assert len(tmp.name) == len(f".{kept}.") + 8 + len(".tmp")  # mkstemp's 8 random characters
    assert len(tmp.name.encode()) <= files.NAME_MAX


def test_every_file_render_did_not_write_is_named_in_one_refusal(tmp_path):
    (tmp_path / "a.html").write_text("mine")
    (tmp_path / "a.txt").write_text("mine too")
    with pytest.raises(files.OutputRefused) as refused:
        files.write_owned(tmp_path, {"a.html": b"x", "a.txt": b"y", "a.eml": b"z"})
    assert str(refused.value) == (
        f"{tmp_path} already holds a.html, a.txt, which render did not write (or which changed "
        "since): render replaces only its own files; move them away, or render into another "
        "folder with -o")
    assert not (tmp_path / "a.eml").exists()


def _digest(data: bytes) -> str:
    return files.hashlib.sha256(data).hexdigest()


def test_the_render_record_lists_each_file_with_its_size_and_digest_one_a_line(tmp_path):
    files.write_owned(tmp_path, {"b.txt": b"bb", "a.html": b"a"})
    assert (tmp_path / files.RENDER_RECORD).read_text() == (
        '{"made_by": "authoring", "format": 2}\n'
        f'["a.html", 1, "{_digest(b"a")}"]\n'
        f'["b.txt", 2, "{_digest(b"bb")}"]\n')


def test_a_changed_file_adds_one_line_to_the_record_and_its_last_line_holds(tmp_path):
    files.write_owned(tmp_path, {"a.html": b"a", "a.txt": b"t"})
    kept = _identity(tmp_path / files.RENDER_RECORD)
    files.write_owned(tmp_path, {"a.html": b"a", "a.txt": b"t"})  # unchanged: nothing added
    files.write_owned(tmp_path, {"a.html": b"a2", "a.txt": b"t"})
    lines = (tmp_path / files.RENDER_RECORD).read_text().splitlines()
    assert lines[1:] == [f'["a.html", 1, "{_digest(b"a")}"]', f'["a.txt", 1, "{_digest(b"t")}"]',
                         f'["a.html", 2, "{_digest(b"a2")}"]']  # appended to the same file
    assert os.stat(tmp_path / files.RENDER_RECORD).st_ino == kept[0]
    assert files.read_render_record(tmp_path) == {"a.html": (2, _digest(b"a2")), "a.txt": (1, _digest(b"t"))}
    files.write_owned(tmp_path, {"a.html": b"a3"})  # the last line proves the file there
    assert (tmp_path / "a.html").read_bytes() == b"a3"


@pytest.mark.parametrize("batch", [False, True])
def test_a_record_holding_over_twice_its_names_in_lines_is_written_anew(tmp_path, batch):
    slack = files._RECORD_SLACK
    record = files.RenderRecord() if batch else None  # counted as appended, or as read
    for n in range(2 + slack + 1):  # 1 name: lines up to 2 + the slack are appended
        files.write_owned(tmp_path, {"a.html": b"%d" % n}, record=record)
        lines = (tmp_path / files.RENDER_RECORD).read_bytes().count(b"\n") - 1
        assert lines == (n + 1 if n < 2 + slack else 1)
    assert files.read_render_record(tmp_path) == {"a.html": (len(b"%d" % n), _digest(b"%d" % n))}


def test_an_earlier_versions_record_proves_its_files_and_is_written_anew_in_lines(tmp_path):
    (tmp_path / "a.html").write_bytes(b"old")
    (tmp_path / "b.html").write_bytes(b"b")
    (tmp_path / files.RENDER_RECORD).write_text(json.dumps(
        {"made_by": "authoring", "files": {"a.html": [3, _digest(b"old")], "b.html": [1, _digest(b"b")]}},
        indent=1) + "\n")
    files.write_owned(tmp_path, {"a.html": b"new"})
    assert (tmp_path / "a.html").read_bytes() == b"new"
    assert (tmp_path / files.RENDER_RECORD).read_text() == (
        '{"made_by": "authoring", "format": 2}\n'
        f'["a.html", 3, "{_digest(b"new")}"]\n["b.html", 1, "{_digest(b"b")}"]\n')


@pytest.mark.parametrize("line", [b'["a.html", 3]', b'{"a.html": [3, "x"]}', b'["a.html", "3", "x"]',
                                  b'["../a.html", 3, "x"]', b"not json", b'["a.html", 3, "x", 4]',
                                  b'["a.html", 3, "x", 3, "x"]', b'["a.html\\q", 3, "x"]'])
def test_a_line_of_the_record_that_is_no_entry_proves_nothing_and_the_others_stand(tmp_path, line):
    (tmp_path / "a.html").write_bytes(b"old")
    (tmp_path / "b.html").write_bytes(b"b")
    (tmp_path / files.RENDER_RECORD).write_bytes(
        b'{"made_by": "authoring", "format": 2}\n' + line.replace(b'"x"', f'"{_digest(b"old")}"'.encode())
        + f'\n["b.html", 1, "{_digest(b"b")}"]\n'.encode())
    with pytest.raises(files.OutputRefused, match="already holds a.html,"):
        files.write_owned(tmp_path, {"a.html": b"new"})
    files.write_owned(tmp_path, {"b.html": b"b2"})
    assert (tmp_path / "b.html").read_bytes() == b"b2"


def test_only_lines_shaped_as_entries_are_parsed(tmp_path, monkeypatch):
    """A record of junk lines is passed over in one scan (parsed one by one, 16 MiB of empty
    lines took 54 s: benchmarks/render.py's hostile records)."""
    (tmp_path / "a.html").write_bytes(b"a")
    entry = f'["a.html", 1, "{_digest(b"a")}"]\n'.encode()
    line = entry[:-1]
    junk = [b"", b"x", b"[]", b'["a.html", 1]', line[:-2] + b"]", line.replace(b", 1,", b", 01,"),
            line.replace(b'", 1', b'",1'), line + b" ", line.replace(b"ca", b"CA", 1)]
    (tmp_path / files.RENDER_RECORD).write_bytes(
        files._RECORD_HEADER + b"\n".join(junk) + b"\n" + entry + entry.replace(b"a.html", b'a\\"b.html'))
    parsed: list[bytes] = []
    real = files._parse
    monkeypatch.setattr(files, "_parse", lambda data: (parsed.append(data), real(data))[1])
    known = files._brought_up_to_date(tmp_path, files.RenderRecord())
    assert parsed == [entry[:-1], entry.replace(b"a.html", b'a\\"b.html')[:-1]]
    assert known.entries == {"a.html": (1, _digest(b"a")), 'a"b.html': (1, _digest(b"a"))}
    assert known.lines == len(junk) + 2


@pytest.mark.parametrize("kept", [1, 30])
def test_a_record_cut_short_keeps_its_whole_lines_and_is_written_anew_not_appended_to(tmp_path, kept):
    (tmp_path / "a.html").write_bytes(b"a")
    (tmp_path / "b.html").write_bytes(b"b")
    cut = f'["b.html", 1, "{_digest(b"b")}"]'[:kept]  # a crash while the line was appended
    (tmp_path / files.RENDER_RECORD).write_text(
        f'{{"made_by": "authoring", "format": 2}}\n["a.html", 1, "{_digest(b"a")}"]\n{cut}')
    assert files.read_render_record(tmp_path) == {"a.html": (1, _digest(b"a"))}
    files.write_owned(tmp_path, {"a.html": b"a2"})
    assert (tmp_path / files.RENDER_RECORD).read_text() == (
        f'{{"made_by": "authoring", "format": 2}}\n["a.html", 2, "{_digest(b"a2")}"]\n')


def test_writers_of_one_folder_each_read_what_the_others_appended(tmp_path):
    first, second = files.RenderRecord(), files.RenderRecord()
    files.write_owned(tmp_path, {"a.html": b"a"}, record=first)
    files.write_owned(tmp_path, {"b.html": b"b"}, record=second)
    files.write_owned(tmp_path, {"b.html": b"b2"}, record=first)  # the second's file: proven
    files.write_owned(tmp_path, {"a.html": b"a2"}, record=second)
    assert first.entries == {"a.html": (1, _digest(b"a")), "b.html": (2, _digest(b"b2"))}
    assert second.entries == files.read_render_record(tmp_path) == {
        "a.html": (2, _digest(b"a2")), "b.html": (2, _digest(b"b2"))}


def test_a_batch_reads_each_line_of_the_record_once(tmp_path, monkeypatch):
    """Linear: the writes of a folder render read only what was appended since their last."""
    read: list[int] = []
    real = files._read_lines
    monkeypatch.setattr(files, "_read_lines",
                        lambda known, data: (read.append(len(data)), real(known, data))[1])
    record, other = files.RenderRecord(), files.RenderRecord()
    for n in range(200):
        files.write_owned(tmp_path, {f"{n}.html": b"x"}, record=record if n % 4 else other)
    size = (tmp_path / files.RENDER_RECORD).stat().st_size - len(files._RECORD_HEADER)
    assert sum(read) < 2 * size  # each writer reads each line at most once (200 lines read
    assert sum(read) > size // 2  # each time would be 100 times the record)


def test_a_batch_whose_record_was_written_anew_by_another_reads_it_whole(tmp_path):
    record = files.RenderRecord()
    files.write_owned(tmp_path, {"a.html": b"a"}, record=record)
    (tmp_path / files.RENDER_RECORD).write_text(json.dumps(  # an earlier version rendered here
        {"made_by": "authoring", "files": {"a.html": [1, _digest(b"a")], "b.html": [1, _digest(b"b")]}}))
    (tmp_path / "b.html").write_bytes(b"b")
    files.write_owned(tmp_path, {"b.html": b"b2"}, record=record)
    assert (tmp_path / "b.html").read_bytes() == b"b2"
    assert files.read_render_record(tmp_path) == {"a.html": (1, _digest(b"a")), "b.html": (2, _digest(b"b2"))}


def test_a_record_made_a_link_between_two_writes_is_not_appended_through(tmp_path):
    record = files.RenderRecord()
    (tmp_path / "out").mkdir()
    files.write_owned(tmp_path / "out", {"a.html": b"a"}, record=record)
    (tmp_path / "elsewhere").write_text("mine\n")
    (tmp_path / "out" / files.RENDER_RECORD).unlink()
    (tmp_path / "out" / files.RENDER_RECORD).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(files.OutputRefused, match="already holds a.html"):  # a link proves nothing
        files.write_owned(tmp_path / "out", {"a.html": b"a2"}, record=record)
    files.write_owned(tmp_path / "out", {"b.html": b"b"}, record=record)
    assert (tmp_path / "elsewhere").read_text() == "mine\n"  # the link replaced, not followed
    assert not (tmp_path / "out" / files.RENDER_RECORD).is_symlink()
    assert files.read_render_record(tmp_path / "out") == {"b.html": (1, _digest(b"b"))}


@pytest.mark.parametrize("how", ["a new file", "in place, as long", "moved away, linked back"])
def test_a_record_that_became_another_file_is_not_appended_to(tmp_path, monkeypatch, how):
    """Between the read and the append (only a writer that skips the lock could do it)."""
    record = files.RenderRecord()
    out = tmp_path / "out"
    files.write_owned(out, {"a.html": b"a"}, record=record)
    real = files._brought_up_to_date

    def then_replaced(folder, known):
        known = real(folder, known)
        path = folder / files.RENDER_RECORD
        if how == "a new file":
            path.unlink()
            path.write_text("someone else's\n")
        elif how == "in place, as long":
            path.write_bytes(path.read_bytes().replace(b"authoring", b"someone!!"))
        else:  # the very file read, reached through a link
            path.rename(folder.parent / "moved")
            path.symlink_to(folder.parent / "moved")
        return known

    monkeypatch.setattr(files, "_brought_up_to_date", then_replaced)
    files.write_owned(out, {"b.html": b"b"}, record=record)
    assert not (out / files.RENDER_RECORD).is_symlink()
    if how == "moved away, linked back":
        assert (tmp_path / "moved").read_text().count("\n") == 2  # not appended through
    assert (out / files.RENDER_RECORD).read_text() == (
        f'{{"made_by": "authoring", "format": 2}}\n["a.html", 1, "{_digest(b"a")}"]\n'
        f'["b.html", 1, "{_digest(b"b")}"]\n')


def test_a_record_moved_away_and_linked_back_proves_nothing_and_is_not_written_through(tmp_path):
    record = files.RenderRecord()
    out = tmp_path / "out"
    files.write_owned(out, {"a.html": b"a"}, record=record)
    (out / files.RENDER_RECORD).rename(tmp_path / "moved")  # the same file, reached by a link
    (out / files.RENDER_RECORD).symlink_to(tmp_path / "moved")
    moved = (tmp_path / "moved").read_bytes()
    files.write_owned(out, {"b.html": b"b"}, record=record)
    assert (tmp_path / "moved").read_bytes() == moved
    assert not (out / files.RENDER_RECORD).is_symlink()
    assert files.read_render_record(out) == {"b.html": (1, _digest(b"b"))}


def test_two_files_changed_at_once_add_a_line_each(tmp_path):
    record = files.RenderRecord()
    files.write_owned(tmp_path, {"a.html": b"a", "a.txt": b"t"}, record=record)
    files.write_owned(tmp_path, {"a.html": b"a2", "a.txt": b"t2"}, record=record)
    assert (tmp_path / files.RENDER_RECORD).read_text().splitlines()[3:] == [
        f'["a.html", 2, "{_digest(b"a2")}"]', f'["a.txt", 2, "{_digest(b"t2")}"]']
    assert files.read_render_record(tmp_path) == record.entries == {
        "a.html": (2, _digest(b"a2")), "a.txt": (2, _digest(b"t2"))}


def test_a_batch_keeps_only_the_last_64_bytes_it_read_of_the_record(tmp_path):
    record = files.RenderRecord()
    for n in range(5):  # written anew, then appended to
        files.write_owned(tmp_path, {f"{n}.html": b"x"}, record=record)
        assert record.tail == (tmp_path / files.RENDER_RECORD).read_bytes()[-64:]
        assert len(record.tail) == 64


def test_an_appended_record_is_synced_and_one_written_anew_unsynced_is_not(tmp_path, monkeypatch):
    synced: list[str] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")),
                                                 real(fd))[1])
    files.write_owned(tmp_path, {"a.html": b"a"}, sync=False)  # written anew
    assert synced == []
    files.write_owned(tmp_path, {"a.html": b"a2"})  # appended
    assert synced[-1] == str(tmp_path / files.RENDER_RECORD)


@pytest.mark.parametrize("data", [
    {"made_by": "someone else", "files": {"a.html": [3, _digest(b"old")]}},
    [{"made_by": "authoring", "files": {"a.html": [3, _digest(b"old")]}}],
])
def test_an_earlier_record_not_made_by_render_proves_nothing(tmp_path, data):
    (tmp_path / "a.html").write_bytes(b"old")
    (tmp_path / files.RENDER_RECORD).write_text(json.dumps(data))
    assert files.read_render_record(tmp_path) == {}
    with pytest.raises(files.OutputRefused, match="already holds a.html"):
        files.write_owned(tmp_path, {"a.html": b"new"})


def test_a_record_in_lines_is_read_up_to_16_mib(tmp_path):
    line = f'["a.html", 3, "{_digest(b"old")}"]\n'.encode()
    pad = f'["pad", 0, "{_digest(b"")}"]\n'.encode()
    room = files.RECORD_LIMIT - len(files._RECORD_HEADER) - len(line)
    body = pad * (room // len(pad))
    body += b" " * (room - len(body) - 1) + b"\n"  # a line of spaces: no entry, read past
    (tmp_path / "a.html").write_bytes(b"old")
    for extra, proven in ((b"", True), (b"\n", False)):
        data = files._RECORD_HEADER + body + extra + line  # the file proven by the last line
        assert len(data) == files.RECORD_LIMIT + len(extra)
        (tmp_path / files.RENDER_RECORD).write_bytes(data)
        assert ("a.html" in files.read_render_record(tmp_path)) is proven


def test_read_regular_reads_a_regular_file_up_to_its_limit_and_nothing_else(tmp_path):
    (tmp_path / "file").write_bytes(b"12345")
    assert files.read_regular(tmp_path / "file", 5) == b"12345"
    assert files.read_regular(tmp_path / "file", 4) is None
    assert files.read_json(tmp_path / "file", 5) == 12345 and files.read_json(tmp_path / "file", 4) is None
    (tmp_path / "link").symlink_to(tmp_path / "file")
    assert files.read_regular(tmp_path / "link", 5) is None
    assert files.read_regular(tmp_path / "none", 5) is None
    os.mkfifo(tmp_path / "pipe")  # opened without waiting for a writer, then refused
    done: list[bytes | None] = []
    reader = threading.Thread(target=lambda: done.append(files.read_regular(tmp_path / "pipe")), daemon=True)
    reader.start()
    reader.join(30)
    if reader.is_alive():
        with open(tmp_path / "pipe", "wb"):
            pass
        pytest.fail("read_regular waited on a pipe")
    assert done == [None]


def _record(folder: Path, files_listed, size: int | None = None) -> None:
    """A render record as render writes it, padded to ``size`` bytes."""
    data = json.dumps({"made_by": "authoring", "files": files_listed, "pad": ""}).encode()
    if size is not None:
        data = data.replace(b'"pad": ""', b'"pad": "' + b"x" * (size - len(data)) + b'"')
        assert len(data) == size
    (folder / files.RENDER_RECORD).write_bytes(data)


@pytest.mark.parametrize(("size", "replaced"), [(2 << 20, True), (16 << 20, True), ((16 << 20) + 1, False)])
def test_a_render_record_is_read_up_to_16_mib(tmp_path, size, replaced):
    (tmp_path / "a.html").write_bytes(b"old")
    _record(tmp_path, {"a.html": [3, files.hashlib.sha256(b"old").hexdigest()]}, size)
    if replaced:
        files.write_owned(tmp_path, {"a.html": b"new"})
        assert (tmp_path / "a.html").read_bytes() == b"new"
    else:  # too big to be read: proves nothing
        with pytest.raises(files.OutputRefused, match="already holds a.html"):
            files.write_owned(tmp_path, {"a.html": b"new"})


@pytest.mark.parametrize("listed", [["a.html"], "a.html", None, {"a.html": [3]}, {"a.html": "3"}])
def test_a_render_record_of_another_shape_proves_nothing(tmp_path, listed):
    (tmp_path / "a.html").write_bytes(b"old")
    _record(tmp_path, listed)
    with pytest.raises(files.OutputRefused, match="already holds a.html"):
        files.write_owned(tmp_path, {"a.html": b"new"})
    assert (tmp_path / "a.html").read_bytes() == b"old"


def test_a_rendered_file_cut_short_or_rewritten_to_its_size_is_kept(tmp_path):
    files.write_owned(tmp_path, {"a.html": b"written by render", "b.txt": b"same size"})
    (tmp_path / "a.html").write_bytes(b"written")  # cut short by hand
    (tmp_path / "b.txt").write_bytes(b"SAME SIZE")
    (tmp_path / "c.txt").write_bytes(b"users")  # never rendered, as long as the new one
    with pytest.raises(files.OutputRefused, match="already holds a.html, b.txt, c.txt, which"):
        files.write_owned(tmp_path, {"a.html": b"new", "b.txt": b"new", "c.txt": b"newer"})
    assert (tmp_path / "a.html").read_bytes() == b"written"
    files.write_owned(tmp_path, {"c.txt": b"users"})  # the same bytes: nothing to lose


@pytest.mark.parametrize(("count", "tail"), [(5, ""), (6, " and 1 more"), (8, " and 3 more")])
def test_a_refused_set_names_five_foreign_files_and_counts_the_rest(tmp_path, count, tail):
    out = tmp_path / "out"
    out.mkdir()
    for n in range(count):
        (out / f"n{n}.txt").write_text("mine")
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(out, {"a.html": b"x"})
    shown = ", ".join(f"n{n}.txt" for n in range(min(count, 5)))
    assert str(refused.value) == (
        f"{out} holds what export did not write: {shown}{tail}; export replaces only what it "
        "wrote and can prove: move those files away, or export into a folder of its own")


def _set_of(out: Path) -> Path:
    files.write_all_atomic(out, {"a.html": b"page", "empty.txt": b""})
    return out.parent / os.readlink(out)


def test_a_file_of_a_set_swapped_for_a_link_to_the_same_bytes_is_refused(tmp_path):
    written = _set_of(tmp_path / "out")
    (tmp_path / "copy.html").write_bytes(b"page")
    (written / "a.html").unlink()
    (written / "a.html").symlink_to(tmp_path / "copy.html")
    with pytest.raises(files.OutputRefused, match=r"holds what export did not write: a\.html \(changed"):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert (written / "a.html").is_symlink() and (tmp_path / "copy.html").read_bytes() == b"page"


def test_an_empty_file_of_a_set_swapped_for_a_pipe_is_refused_at_once(tmp_path):
    written = _set_of(tmp_path / "out")
    (written / "empty.txt").unlink()
    os.mkfifo(written / "empty.txt")
    result: list[BaseException | None] = []

    def export() -> None:
        try:
            files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
            result.append(None)
        except BaseException as exc:  # the finding
            result.append(exc)

    worker = threading.Thread(target=export, daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():  # blocked opening the pipe: a writer lets it go
        with open(written / "empty.txt", "wb"):
            pass
        worker.join(30)
        pytest.fail("the export blocked on a pipe")
    assert isinstance(result[0], files.OutputRefused) and "empty.txt (changed" in str(result[0])


@pytest.mark.parametrize("entry", [[1, "x", 3], [1], 5, "ab", [True, "x"], [-1, "x"], [1, 2], ["1", "x"]])
def test_a_marker_entry_of_another_shape_proves_nothing(tmp_path, entry):
    """Even for a file no longer there (which a whole marker would not need)."""
    written = _set_of(tmp_path / "out")
    marker = json.loads((written / files.MARKER).read_text())
    marker["files"]["gone.txt"] = entry
    (written / files.MARKER).write_text(json.dumps(marker))
    with pytest.raises(files.OutputRefused, match="holds what export did not write"):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert (written / "a.html").read_bytes() == b"page"
    marker["files"]["gone.txt"] = [1, files.hashlib.sha256(b"x").hexdigest()]
    (written / files.MARKER).write_text(json.dumps(marker))
    files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})


@pytest.mark.parametrize("name", ["", ".", "..", "a\0b", "a/b", files.MARKER])
def test_a_marker_listing_a_name_no_file_of_a_set_can_have_proves_nothing(tmp_path, name):
    written = _set_of(tmp_path / "out")
    marker = json.loads((written / files.MARKER).read_text())
    marker["files"][name] = [0, files.hashlib.sha256(b"").hexdigest()]
    (written / files.MARKER).write_text(json.dumps(marker))
    with pytest.raises(files.OutputRefused, match="holds what export did not write"):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})


def _legacy(out: Path, entries: list) -> None:
    out.mkdir()
    (out / "a.html").write_bytes(b"old")
    (out / files.LEGACY_MANIFEST).write_text(json.dumps({"files": entries}))


@pytest.mark.parametrize("extra", [
    {"name": "manifest.json", "size": 0, "sha256": files.hashlib.sha256(b"").hexdigest()},
    {"name": "../a.html", "size": 3, "sha256": files.hashlib.sha256(b"old").hexdigest()},
    "a.html",
])
def test_an_earlier_versions_manifest_listing_itself_or_outside_proves_nothing(tmp_path, extra):
    entry = {"name": "a.html", "size": 3, "sha256": files.hashlib.sha256(b"old").hexdigest()}
    _legacy(tmp_path / "out", [entry, extra])
    with pytest.raises(files.OutputRefused, match="holds what export did not write: a.html, manifest.json;"):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    _legacy(tmp_path / "proven", [entry])
    files.write_all_atomic(tmp_path / "proven", {"a.html": b"x"})
    assert (tmp_path / "proven" / "a.html").read_bytes() == b"x"


def test_a_waiting_writer_tries_after_1_ms_then_twice_as_long_and_gives_up_at_its_deadline(
        tmp_path, monkeypatch):
    out = tmp_path / "out"
    fd = os.open(tmp_path / ".out.export-lock", os.O_RDWR | os.O_CREAT)
    clock = iter([100.0, 100.0, 101.5, 102.0])  # the deadline set, then one reading per try
    slept: list[float] = []
    monkeypatch.setattr(files.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(files.time, "sleep", slept.append)
    try:
        files.fcntl.flock(fd, files.fcntl.LOCK_EX)
        with pytest.raises(files.OutputRefused, match="waited 2 s"):
            files.write_all_atomic(out, {"a.html": b"x"}, lock_timeout=2)
    finally:
        os.close(fd)
    assert slept == [0.001, 0.002]  # none more at 102.0, the deadline itself
    assert not out.exists()


@pytest.mark.parametrize("held_by", [b"", b"written by someone else\n",
                                     b"process " + b"1" * 56 + b"\n"])  # 65 bytes: not read whole
def test_a_lock_holder_that_wrote_no_process_id_is_not_named(tmp_path, held_by):
    out = tmp_path / "out"
    lock = tmp_path / ".out.export-lock"
    lock.write_bytes(held_by)
    fd = os.open(lock, os.O_RDWR)
    try:
        files.fcntl.flock(fd, files.fcntl.LOCK_EX)
        with pytest.raises(files.OutputRefused) as refused:
            files.write_all_atomic(out, {"a.html": b"x"}, lock_timeout=0.1)
    finally:
        os.close(fd)
    assert str(refused.value) == (f"another export is writing {out}; waited 0.1 s; "
                                  "try again when it is done")
    assert lock.read_bytes() == held_by


def test_a_sets_marker_names_its_id_and_each_file_one_a_line(tmp_path):
    files.write_all_atomic(tmp_path / "out", {"a.html": b"a"})
    set_id = os.readlink(tmp_path / "out").rsplit("-", 1)[1]
    digest = files.hashlib.sha256(b"a").hexdigest()
    assert (tmp_path / "out" / files.MARKER).read_text() == (
        f'{{\n "made_by": "authoring",\n "id": "{set_id}",\n "files": {{\n'
        f'  "a.html": [\n   1,\n   "{digest}"\n  ]\n }}\n}}\n')


def test_a_file_of_the_current_set_cut_short_is_refused(tmp_path):
    written = _set_of(tmp_path / "out")
    (written / "a.html").write_bytes(b"pa")
    with pytest.raises(files.OutputRefused, match=r"a\.html \(changed since export wrote it\)"):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert (written / "a.html").read_bytes() == b"pa"


def test_a_link_named_like_a_set_that_leads_to_a_file_is_refused(tmp_path):
    target = tmp_path / ".out.set-0123456789abcdef"
    target.write_text("mine")
    (tmp_path / "out").symlink_to(target.name)
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert str(refused.value) == (f"{tmp_path / 'out'} leads to {target}, which is not a folder "
                                  "export made; remove it or choose another -o")
    assert target.read_text() == "mine"


def test_a_set_of_this_version_is_proven_by_its_marker_alone(tmp_path):
    """An earlier version's manifest proves an earlier version's folder, never a set whose
    marker is gone."""
    written = _set_of(tmp_path / "out")
    (written / files.MARKER).unlink()
    (written / "empty.txt").unlink()
    page = {"name": "a.html", "size": 4, "sha256": files.hashlib.sha256(b"page").hexdigest()}
    (written / files.LEGACY_MANIFEST).write_text(json.dumps({"files": [page]}))
    with pytest.raises(files.OutputRefused, match="holds what export did not write: a.html, manifest.json"):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})


def test_an_old_set_whose_marker_changed_during_the_export_is_kept(tmp_path, monkeypatch):
    old = _set_of(tmp_path / "out")
    real_switch = files._switch

    def switch_then_edit(folder, new_set, current):
        real_switch(folder, new_set, current)
        marker = json.loads((old / files.MARKER).read_text())
        (old / files.MARKER).write_text(json.dumps({**marker, "id": "f" * 16}))

    monkeypatch.setattr(files, "_switch", switch_then_edit)
    files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert (old / "a.html").read_bytes() == b"page"


def test_leftovers_beside_an_output_outside_the_current_folder_are_removed(tmp_path):
    out = tmp_path / "elsewhere" / "out"
    assert Path.cwd() != out.parent
    killed = _set_of(out)  # the set of a run killed before its switch, as far as the next knows
    os.unlink(out)
    files.write_all_atomic(out, {"a.html": b"x"})
    assert not killed.exists() and (out / "a.html").read_bytes() == b"x"


@pytest.mark.parametrize("before", ["a set", "an earlier version's folder"])
def test_a_switch_that_fails_leaves_the_output_as_it_was(tmp_path, monkeypatch, before):
    out = tmp_path / "out"
    if before == "a set":
        _set_of(out)
    else:
        _legacy(out, [{"name": "a.html", "size": 3, "sha256": files.hashlib.sha256(b"old").hexdigest()}])
    def state() -> tuple[list[str], dict[str, bytes]]:  # the lock file stays, as after any run
        return ([n for n in sorted(os.listdir(tmp_path)) if n != ".out.export-lock"],
                {p.name: p.read_bytes() for p in out.iterdir()})

    was = state()
    real_replace = os.replace

    def full(src, dst):
        if Path(dst) == out:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError) as failed:
        files.write_all_atomic(out, {"a.html": b"x"})
    assert failed.value.errno == 28
    assert state() == was


@pytest.mark.parametrize("before", [None, "a set", "an earlier version's folder"])
def test_an_output_named_at_its_limit_is_exported_over_and_over(tmp_path, before):
    """Its hidden siblings (.NAME.set-ID, .NAME.link-ID, .NAME.old-ID) must fit too."""
    out = tmp_path / ("o" * (files.NAME_MAX - len(".set-") - 16 - 2))
    if before == "a set":
        files.write_all_atomic(out, {"a.html": b"1"})
    elif before:
        _legacy(out, [{"name": "a.html", "size": 3, "sha256": files.hashlib.sha256(b"old").hexdigest()}])
    files.write_all_atomic(out, {"a.html": b"2"})
    assert (out / "a.html").read_bytes() == b"2" and out.is_symlink()
    assert sorted(os.listdir(tmp_path)) == sorted([out.name, os.readlink(out), f".{out.name}.export-lock"])


@pytest.mark.parametrize(("output", "above"), [
    ("work", ""), (".", " (a folder above it)"),
    ("link-to-work", ""), ("link-above", " (a folder above it)")])
def test_a_protected_folder_or_one_above_it_is_refused_as_the_output_by_name(tmp_path, output, above):
    (tmp_path / "work" / "drafts").mkdir(parents=True)
    (tmp_path / "link-to-work").symlink_to("work")
    (tmp_path / "link-above").symlink_to(".")
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(tmp_path / output, {"a.html": b"x"},
                               protected={"the issue's folder": tmp_path / "work",
                                          "the current folder": tmp_path / "work" / "drafts"})
    assert str(refused.value) == (
        f"{os.path.abspath(tmp_path / output)} is the issue's folder{above}: export replaces its "
        "output folder as a whole, so it needs a folder of its own, e.g. -o out")
    assert sorted(os.listdir(tmp_path)) == before


def test_a_link_export_did_not_make_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "out").symlink_to("mine")
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert str(refused.value) == (
        f"{tmp_path / 'out'} is a link to mine, which export did not make: it replaces only the "
        "link it made itself and never what a link points at; remove the link or choose another -o")


def test_a_render_record_that_is_a_link_proves_nothing(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.html").write_bytes(b"old")
    _record(tmp_path, {"a.html": [3, files.hashlib.sha256(b"old").hexdigest()]})
    (tmp_path / "out" / files.RENDER_RECORD).symlink_to(tmp_path / files.RENDER_RECORD)
    with pytest.raises(files.OutputRefused, match="already holds a.html"):
        files.write_owned(tmp_path / "out", {"a.html": b"new"})


def test_a_render_record_that_is_a_pipe_is_passed_over_at_once(tmp_path):
    (tmp_path / "a.html").write_bytes(b"old")
    os.mkfifo(tmp_path / files.RENDER_RECORD)
    result: list[BaseException | None] = []

    def render() -> None:
        try:
            files.write_owned(tmp_path, {"a.html": b"new"})
            result.append(None)
        except BaseException as exc:  # the finding
            result.append(exc)

    worker = threading.Thread(target=render, daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():  # blocked opening the pipe: a writer lets it go
        with open(tmp_path / files.RENDER_RECORD, "wb"):
            pass
        worker.join(30)
        pytest.fail("render blocked on a pipe")
    assert isinstance(result[0], files.OutputRefused) and "already holds a.html" in str(result[0])


def test_a_leftover_set_whose_marker_names_another_id_is_kept(tmp_path):
    out = tmp_path / "out"
    old = _set_of(out)
    marker = json.loads((old / files.MARKER).read_text())
    os.unlink(out)
    (old / files.MARKER).write_text(json.dumps({**marker, "id": "f" * 16}))
    files.write_all_atomic(out, {"a.html": b"x"})
    assert (old / "a.html").read_bytes() == b"page"


def _killed_while_writing_its_marker(out: Path, marker: bytes) -> Path:
    """The set of a run killed after making its folder, while its marker (written first) was
    being written: the folder holds that marker, cut short."""
    set_id = "0123456789abcdef"
    killed = out.parent / f".{out.name}.set-{set_id}"
    killed.mkdir(parents=True)
    (killed / files.MARKER).write_bytes(marker)
    return killed


@pytest.mark.parametrize("cut", [0, 1, 30, 54, 70, -3])
def test_a_set_killed_while_writing_its_marker_is_removed_by_the_next_run(tmp_path, cut):
    # seen in the kill loop on a busy machine: the marker's fsync widens that moment
    out = tmp_path / "out"
    full = files._Owned(out, "0123456789abcdef", {"a.html": (4, "0" * 64)}).marker()
    killed = _killed_while_writing_its_marker(out, full[:cut] if cut >= 0 else full[:cut])
    files.write_all_atomic(out, {"a.html": b"x"})
    assert not killed.exists() and (out / "a.html").read_bytes() == b"x"


@pytest.mark.parametrize("marker", [
    b'{\n "made_by": "authoring",\n "id": "ffffffffffffffff",',  # another set's id
    b'{\n "made_by": "someone",',  # not ours
    b"notes",  # a file of the user's
])
def test_a_cut_short_marker_that_is_not_this_sets_keeps_the_folder(tmp_path, marker):
    out = tmp_path / "out"
    killed = _killed_while_writing_its_marker(out, marker)
    files.write_all_atomic(out, {"a.html": b"x"})
    assert (killed / files.MARKER).read_bytes() == marker


def test_a_cut_short_marker_that_is_a_link_keeps_the_folder_and_its_target(tmp_path):
    # a link named like the marker, to a file of the user's whose bytes start as a marker would
    out = tmp_path / "out"
    killed = _killed_while_writing_its_marker(out, b"")
    (killed / files.MARKER).unlink()
    mine = tmp_path / "mine.json"
    mine.write_bytes(b'{\n "made_by": "authoring",\n "id": "0123456789abcdef",\n')
    (killed / files.MARKER).symlink_to(mine)
    files.write_all_atomic(out, {"a.html": b"x"})
    assert (killed / files.MARKER).is_symlink() and mine.read_bytes().startswith(b'{\n "made_by"')


def test_a_marker_named_file_too_large_to_read_keeps_the_folder(tmp_path):
    # what cannot be read cannot be proven a cut-short marker, whatever it starts with
    out = tmp_path / "out"
    opening = b'{\n "made_by": "authoring",\n "id": "0123456789abcdef",\n'
    killed = _killed_while_writing_its_marker(out, opening + b" " * (1 << 20))
    files.write_all_atomic(out, {"a.html": b"x"})
    assert (killed / files.MARKER).stat().st_size == len(opening) + (1 << 20)


def test_the_output_leading_to_a_set_with_only_a_cut_short_marker_is_refused(tmp_path):
    # only a killed run's leftover may be proven by a cut marker: a set the output link leads to
    # was switched to whole, so a cut marker there was not written by export
    out = tmp_path / "out"
    killed = _killed_while_writing_its_marker(out, b'{\n "made_by": "authoring",\n "id": "0123')
    out.symlink_to(killed.name)
    with pytest.raises(files.OutputRefused, match="holds what export did not write"):
        files.write_all_atomic(out, {"a.html": b"x"})
    assert (killed / files.MARKER).read_bytes().endswith(b'"0123') and out.is_symlink()


def test_a_cut_short_marker_beside_another_file_keeps_the_folder(tmp_path):
    # the marker is written before any file: a file beside a cut marker is not the killed run's
    out = tmp_path / "out"
    killed = _killed_while_writing_its_marker(out, b'{\n "made_by": "authoring",\n "id": "0123')
    (killed / "mine.txt").write_bytes(b"mine")
    files.write_all_atomic(out, {"a.html": b"x"})
    assert (killed / "mine.txt").read_bytes() == b"mine" and (killed / files.MARKER).exists()


def test_a_leftover_that_cannot_be_read_does_not_stop_the_export(tmp_path, monkeypatch):
    out = tmp_path / "out"
    old = _set_of(out)
    os.unlink(out)
    real = os.listdir

    def unreadable(path="."):
        if Path(path) == old:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", unreadable)
    files.write_all_atomic(out, {"a.html": b"x"})
    assert (out / "a.html").read_bytes() == b"x" and (old / "a.html").read_bytes() == b"page"


@pytest.mark.parametrize(("before", "claimed"), [
    (b"", True),
    (b"process " + b"9" * 55 + b"\n", True),  # 64 bytes: a process id, ours now
    (b"process " + b"9" * 55 + b"\nX", False),  # 65 bytes: not the toolkit's
    (b"mine\n", False),
])
def test_a_writer_names_itself_in_the_lock_file_only_if_it_holds_no_one_elses_text(tmp_path, before, claimed):
    (tmp_path / ".out.export-lock").write_bytes(before)
    files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    after = (tmp_path / ".out.export-lock").read_bytes()
    assert after == (f"process {os.getpid()}\n".encode() if claimed else before)


def test_a_lock_file_removed_while_waited_on_is_made_again(tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = os.open(tmp_path / ".out.export-lock", os.O_RDWR | os.O_CREAT)
    files.fcntl.flock(first, files.fcntl.LOCK_EX)
    waiting = threading.Event()
    real_sleep = files.time.sleep
    monkeypatch.setattr(files.time, "sleep", lambda seconds: (waiting.set(), real_sleep(seconds)))
    writer = threading.Thread(target=lambda: files.write_all_atomic(out, {"a.html": b"x"}, lock_timeout=60))
    writer.start()
    assert waiting.wait(30)
    (tmp_path / ".out.export-lock").unlink()  # removed: whoever waits on it holds nothing
    os.close(first)
    writer.join(60)
    assert (out / "a.html").read_bytes() == b"x"
    assert (tmp_path / ".out.export-lock").read_bytes() == f"process {os.getpid()}\n".encode()


def test_the_lock_file_is_an_ordinary_file_under_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    finally:
        os.umask(old)
    assert (tmp_path / ".out.export-lock").stat().st_mode & 0o777 == 0o644


def test_a_lock_that_is_a_pipe_is_refused(tmp_path):
    os.mkfifo(tmp_path / ".out.export-lock")
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert str(refused.value) == f"{tmp_path / '.out.export-lock'} is not a file export made; remove it"


def test_a_refused_export_removes_only_a_lock_file_it_made(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("mine")
    with pytest.raises(files.OutputRefused):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert not (tmp_path / ".out.export-lock").exists()  # made for this refusal: gone
    (tmp_path / ".out.export-lock").write_bytes(b"")  # an earlier export's
    with pytest.raises(files.OutputRefused):
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert (tmp_path / ".out.export-lock").exists()


def test_a_set_written_over_a_file_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "out").write_text("mine")
    with pytest.raises(files.OutputRefused) as refused:
        files.write_all_atomic(tmp_path / "out", {"a.html": b"x"})
    assert str(refused.value) == (f"{tmp_path / 'out'} is not a folder (a file, a pipe or a device); "
                                  "choose another -o")
    assert (tmp_path / "out").read_text() == "mine"


def _real_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_the_umask_is_read_from_the_status_file_whatever_its_name_line_holds(tmp_path, monkeypatch):
    status = tmp_path / "status"
    status.write_bytes(b"Name:\tcaf\xe9 \xff\nUmask:\t0027\nState:\tR (running)\n")
    monkeypatch.setattr(files, "_STATUS", str(status))
    assert _real_umask() != 0o027 and files._umask() == 0o027


@pytest.mark.parametrize("content", [b"Name:\tx\nUmask:\tnot octal\n", b"Name:\tx\n", None])
def test_without_a_readable_umask_line_the_umask_is_read_by_setting_it(tmp_path, monkeypatch, content):
    status = tmp_path / "status"
    if content is not None:
        status.write_bytes(content)
    monkeypatch.setattr(files, "_STATUS", str(status))
    before = _real_umask()
    assert files._umask() == before and _real_umask() == before  # and left as it was
