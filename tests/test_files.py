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
