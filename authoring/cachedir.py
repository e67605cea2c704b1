"""The user's own cache folder, where the toolkit keeps what it compiled or measured (compiled
templates, compiled dataclass methods, image widths). A module of its own, importing nothing of
the toolkit: ``authoring.records``, which every module's dataclasses use, reads its cache here."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def user_cache_folder(name: str) -> Path | None:
    """``$XDG_CACHE_HOME/authoring/<name>`` (``~/.cache`` without it), made if missing; None
    when it cannot be made or is not ours alone. Not a shared place such as $TMPDIR: any local
    user could create the name there first and feed us their files.

    What the caches hold is run (compiled templates) or trusted (image widths), so both folders
    the toolkit makes, ``authoring`` and ``authoring/<name>``, must be real folders (not
    symbolic links), ours, and writable by no other user; and the base folder must not let
    another user swap ``authoring`` for theirs (writable by others without the sticky bit)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"))
    folder = base / "authoring" / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        made = [folder.parent.lstat(), folder.lstat()]
        above = base.stat()  # the user's own choice of place: followed if a link
    except OSError:
        return None
    if any(not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or writable_by_others(info)
           for info in made):
        return None
    if writable_by_others(above) and not above.st_mode & stat.S_ISVTX:
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return folder


def writable_by_others(info: os.stat_result) -> bool:
    """Whether another user may write there (others, or a group not the user's own)."""
    return bool(info.st_mode & stat.S_IWOTH) or (
        bool(info.st_mode & stat.S_IWGRP) and info.st_gid != os.getgid())
