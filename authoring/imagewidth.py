"""Pixel widths of local images (the retina check), remembered between runs.

imagesize reads the width from the file's header, but importing it costs about 30 ms on every
start (it imports urllib.request, and with it http.client, ssl and email, for URLs we never
give it), a fifth of a cold `authoring validate`. A publication's logo and an issue's images
rarely change between two runs, so each width is kept in the user's cache folder, keyed by the
file's path and stamped with its size, modification time and inode: a run that finds every
stamp unchanged never imports imagesize. A missing or unreadable cache only costs that import.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zlib
from pathlib import Path

CACHE_FOLDER = "image-widths"
"""Under the user's cache folder (``authoring.paths.user_cache_folder``): one small file per image."""


def pixel_width(file: Path, *, max_bytes: int) -> int | None:
    """Width in pixels from the file's header (PNG, JPEG, GIF, WebP...); None if it is not a
    readable image, or a file over ``max_bytes`` (not opened)."""
    try:
        info = file.stat()
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return None
    path = os.path.abspath(file)
    seen = (path, info.st_size, info.st_mtime_ns, info.st_ino)
    if seen in _seen_in_this_process:  # a preview or folder render asks again and again
        return _seen_in_this_process[seen]
    stamp = list(seen[1:])
    entry = _cache_entry(path)
    known = _remembered(entry, path, stamp)
    if known is not None:
        width = known[0]
    else:
        width = _read_width(file)
        _remember(entry, path, stamp, width)
    if len(_seen_in_this_process) >= MAX_SEEN:
        _seen_in_this_process.clear()
    _seen_in_this_process[seen] = width
    return width


MAX_SEEN = 1024
_seen_in_this_process: dict[tuple[str, int, int, int], int | None] = {}
"""Widths already found by this process, by path and stamp: no cache folder checks, no read."""


def _read_width(file: Path) -> int | None:
    import imagesize

    try:
        width, _height = imagesize.get(file)
    except (OSError, ValueError):
        return None
    return width if width > 0 else None


def _cache_entry(path: str) -> Path | None:
    """The cache file of the image at ``path``: named by a checksum of the path, which the
    entry also holds, so two paths with the same checksum only take turns."""
    from authoring.paths import user_cache_folder

    folder = user_cache_folder(CACHE_FOLDER)
    if folder is None:
        return None
    return folder / f"{zlib.crc32(path.encode('utf-8', 'surrogateescape')):08x}"


def _remembered(entry: Path | None, path: str, stamp: list[int]) -> tuple[int | None] | None:
    """(width,) when the entry is of this file with this stamp; None when it must be read.

    An entry is two lines: ``size mtime_ns inode width`` (width 0: not an image), then the
    path. Plain text, not JSON: importing json would cost more than the entry saves."""
    if entry is None:
        return None
    try:
        numbers, entry_path = entry.read_text("utf-8", "surrogateescape").split("\n", 1)
        *entry_stamp, width = (int(n) for n in numbers.split(" "))
    except (OSError, ValueError):
        return None
    if entry_path != path or entry_stamp != stamp or width < 0:
        return None
    return (width or None,)


def _remember(entry: Path | None, path: str, stamp: list[int], width: int | None) -> None:
    if entry is None:
        return
    from authoring.files import write_atomic

    data = f"{' '.join(map(str, [*stamp, width or 0]))}\n{path}".encode("utf-8", "surrogateescape")
    with contextlib.suppress(OSError):  # a lost entry only costs reading the image again
        write_atomic(entry, data, sync=False)
