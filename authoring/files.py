"""Writing files safely: atomically, one file or a whole set."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_temp(folder: Path, name: str, data: bytes, *, sync: bool = True) -> Path:
    """``data`` in a new temporary file next to ``name``, on disk, with ordinary permissions.

    ``sync=False`` leaves flushing to the caller (a batch of many files syncs once at its end)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())  # on disk before the rename makes it visible
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: str | Path, data: bytes, *, sync: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temp(path.parent, path.name, data, sync=sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_all_atomic(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files``, switching from the old set in one step.

    The new set is written into a fresh hidden sibling (``.NAME.set-XXXX``) and ``folder``
    is a symlink to it, replaced by one rename: a reader, or a crash at any instant, sees
    the complete old set or the complete new one. Leftovers of a run that crashed are
    removed first; on any failure (a full disk) ``folder`` is exactly as it was.
    """
    folder = Path(os.path.abspath(folder))
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    _refuse_foreign_folder(folder, files)
    remove_leftovers(folder)
    new_set = Path(tempfile.mkdtemp(prefix=f".{folder.name}{_SET}", dir=parent))
    try:
        os.chmod(new_set, 0o777 & ~_umask())  # mkdtemp makes 0700; an export is an ordinary folder
        for name, data in files.items():
            _write_synced(new_set / name, data)
        _fsync_path(new_set)
        old_set = _switch(folder, new_set)
    except BaseException:
        shutil.rmtree(new_set, ignore_errors=True)
        raise
    if old_set is not None:
        shutil.rmtree(old_set, ignore_errors=True)


_SET = ".set-"
_LINK = ".link-"
_OLD = ".old-"


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_path(path: Path) -> None:
    """Make a folder's entries (new names, a rename) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _switch(folder: Path, new_set: Path) -> Path | None:
    """Point ``folder`` at ``new_set`` with one rename; return the set it pointed at before."""
    parent = folder.parent
    old_set: Path | None = None
    if folder.is_symlink():
        old_set = parent / os.readlink(folder)
    elif folder.is_dir():
        # A real folder (an export by an older version, or made by hand): it becomes the old
        # set. Between these two renames the folder is briefly absent, never mixed.
        old_set = parent / f".{folder.name}{_OLD}{os.urandom(6).hex()}"
        os.rename(folder, old_set)
    link = parent / f".{folder.name}{_LINK}{os.urandom(6).hex()}"
    os.symlink(new_set.name, link)
    try:
        os.replace(link, folder)
    except BaseException:
        link.unlink(missing_ok=True)
        if old_set is not None and not folder.is_symlink() and old_set.name.startswith(
                f".{folder.name}{_OLD}"):
            os.rename(old_set, folder)
        raise
    _fsync_path(parent)  # the switch itself survives a power cut
    return old_set


def remove_leftovers(folder: Path) -> None:
    """Sets, links and old folders of ``folder`` left by a run that was killed."""
    parent = folder.parent
    current = os.readlink(folder) if folder.is_symlink() else None
    prefixes = tuple(f".{folder.name}{kind}" for kind in (_SET, _LINK, _OLD))
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        if entry.name.startswith(prefixes) and entry.name != current:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    if folder.is_dir() and not folder.is_symlink():  # temp files of the older writer
        for entry in folder.iterdir():
            if entry.name.startswith(".") and entry.name.endswith((".tmp", ".bak")):
                entry.unlink(missing_ok=True)


def _refuse_foreign_folder(folder: Path, files: dict[str, bytes]) -> None:
    """A real folder is replaced as a whole: refuse when it holds anything but an export."""
    if folder.is_symlink() or not folder.is_dir():
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(folder))
        return
    ours = set(files)
    others = [e.name for e in folder.iterdir()
              if e.name not in ours and not (e.name.startswith(".") and e.name.endswith((".tmp", ".bak")))
              and not _is_export_file(e.name)]
    if others:
        raise FileExistsError(17, f"holds files that are not an export ({', '.join(sorted(others)[:3])}); "
                              "export into a folder of its own", str(folder))


def _is_export_file(name: str) -> bool:
    return name == "manifest.json" or name.endswith((".html", ".txt", ".eml"))  # .web.html too


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
