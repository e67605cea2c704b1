"""Open a file the preview serves without following any link, and check the open descriptor.

Checking a path and then opening it is a race: a symlink swapped in between the two leaked a
private file (24 times in 20 s). Here nothing is checked by name. The walk starts from the
allowed folder's descriptor and opens each component relative to the last one with
``O_NOFOLLOW`` (a link anywhere on the way fails with ELOOP/ENOTDIR), so the file reached is
inside the folder by construction; the descriptor itself is then checked with ``fstat``: a
regular file on the folder's own device (a mount point inside the folder is not the folder),
no larger than the limit. The bytes served are read from that same descriptor.
"""

from __future__ import annotations

import os
import stat

MAX_SERVED_BYTES = 50 * 1024 * 1024
"""Larger files are not served (an email image is kilobytes; this bounds the memory)."""

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def read_inside(folder: str | os.PathLike[str], relative: str) -> bytes | None:
    """The bytes of ``folder/relative``, or None when that is not a regular file reached from
    ``folder`` without a link, on its device, within MAX_SERVED_BYTES."""
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") or "\0" in part for part in parts):
        return None
    try:
        fd = os.open(folder, _DIRECTORY)
    except OSError:
        return None
    try:
        device = os.fstat(fd).st_dev
        for part in parts[:-1]:
            parent, fd = fd, -1
            try:
                fd = os.open(part, _DIRECTORY, dir_fd=parent)
            finally:
                os.close(parent)
        parent, fd = fd, -1
        try:
            fd = os.open(parts[-1], _FILE, dir_fd=parent)
        finally:
            os.close(parent)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_dev != device or info.st_size > MAX_SERVED_BYTES:
            return None
        return _read_all(fd)
    except OSError:  # ELOOP / ENOTDIR: a link on the way; ENOENT, EACCES, ENXIO...
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def _read_all(fd: int) -> bytes | None:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > MAX_SERVED_BYTES:  # the file grew while being read
            return None
        chunks.append(chunk)
