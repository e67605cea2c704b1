"""write_atomic: all or nothing, ordinary permissions, no temporary file left behind."""

from __future__ import annotations

import os

import pytest

from authoring import files


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

import json  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from conftest import ROOT  # noqa: E402

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
