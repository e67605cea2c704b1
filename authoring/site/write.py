"""Stage 4 of the site: write it as one set, switched in one step, rewriting only what changed.

``site/`` is a symlink to a hidden sibling ``.site.set-<id>`` holding the files, as export does. A
build makes a fresh set: a file whose bytes are unchanged is a hard link to the old set's (same
inode, same modification time: rsync and web servers see it unchanged), the rest are written
anew; then one rename points ``site/`` at it. A failure at any step (a full disk, a killed
process) leaves the old site whole.

What it never does: delete what it did not write. Each set holds ``.authoring-site.json`` naming
its own id (the set folder's suffix) and every file the build wrote. A set is removed only when
that manifest says it is ours; files in it that the manifest does not list (a ``CNAME`` put there
by hand) are carried into the new set, never dropped; links are never followed (``lstat``,
``O_NOFOLLOW``; a symlink the build did not make is carried over as a link). ``site/`` itself is
used only when it is missing, an empty folder, or a link to a set of ours. Two builds into one
place take turns on a lock file beside it (``.site.lock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from authoring.files import read_regular

MANIFEST = ".authoring-site.json"
_SET = ".set-"
_LINK = ".link-"
_LOCK = ".lock"
_READ_MAX_BYTES = 64 * 1024 * 1024
"""The most of a manifest or an old page read back (the site's images stop at 20 MB)."""


class SiteOutputError(Exception):
    """The output folder cannot be used; the message says why and the site was not changed."""


@dataclass
class WriteResult:
    out: Path
    written: list[str] = field(default_factory=list)
    """Paths written anew (new or changed)."""
    kept: list[str] = field(default_factory=list)
    """Paths whose bytes were unchanged (hard links to the old set's files)."""
    removed: list[str] = field(default_factory=list)
    """Paths the last build wrote that this one does not."""
    carried: list[str] = field(default_factory=list)
    """Files the builds did not write, carried over untouched."""


def write_site(out: str | Path, files: dict[str, bytes]) -> WriteResult:
    """Make ``out`` hold ``files`` (site path → bytes), atomically; see the module's docstring."""
    out = Path(os.path.abspath(out))
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _locked(parent / f".{out.name}{_LOCK}"):
        old_set, old_manifest = _current_set(out)
        _remove_leftovers(out, old_set)
        set_id = os.urandom(8).hex()
        new_set = parent / f".{out.name}{_SET}{set_id}"
        os.mkdir(new_set, 0o777)
        try:
            result = _fill(new_set, set_id, files, old_set, old_manifest)
            result.out = out
            _fsync(new_set)
            _switch(out, new_set)
        except BaseException:
            _remove_set(new_set, set_id)
            raise
        if old_set is not None:
            _remove_set(old_set, _set_id(out, old_set))
        return result


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits for the other build: one set switch at a time
        yield
    finally:
        os.close(fd)


def _set_id(out: Path, set_folder: Path) -> str:
    return set_folder.name.removeprefix(f".{out.name}{_SET}")


def _read_manifest(set_folder: Path, set_id: str) -> dict | None:
    """The set's manifest when it names this set (proof we made it), else None."""
    raw = read_regular(set_folder / MANIFEST, _READ_MAX_BYTES)
    try:
        data = json.loads(raw) if raw is not None else None
    except (ValueError, UnicodeError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("set") != set_id or not isinstance(data.get("files"), dict):
        return None
    return data


def _current_set(out: Path) -> tuple[Path | None, dict | None]:
    """The set ``out`` points at and its manifest; None for a missing or empty folder; refuse the rest."""
    try:
        info = os.lstat(out)
    except FileNotFoundError:
        return None, None
    if stat.S_ISLNK(info.st_mode):
        target = os.readlink(out)
        prefix = f".{out.name}{_SET}"
        if "/" not in target and target.startswith(prefix):
            set_folder = out.parent / target
            with contextlib.suppress(OSError):
                if stat.S_ISDIR(os.lstat(set_folder).st_mode):
                    manifest = _read_manifest(set_folder, target.removeprefix(prefix))
                    if manifest is not None:
                        return set_folder, manifest
        raise SiteOutputError(f"{out} is a link to {target}, which `authoring site` did not make; "
                              "build into a new folder, or remove the link")
    if stat.S_ISDIR(info.st_mode):
        if any(os.scandir(out)):
            raise SiteOutputError(f"{out} is a folder with files `authoring site` did not write; "
                                  "build into a new or empty folder")
        return None, None
    raise SiteOutputError(f"{out} is a file, not a folder")


def _remove_leftovers(out: Path, current: Path | None) -> None:
    """Sets of ours a killed build left behind (under the lock, so no build is writing them)."""
    prefix = f".{out.name}{_SET}"
    for entry in out.parent.iterdir():
        if entry.name.startswith(prefix) and entry != current:
            _remove_set(entry, entry.name.removeprefix(prefix))
        elif entry.name.startswith(f".{out.name}{_LINK}") and entry.is_symlink():
            entry.unlink(missing_ok=True)


def _remove_set(set_folder: Path, set_id: str) -> None:
    """Remove a set only when its manifest, or its marker of a build under way, says it is ours."""
    with contextlib.suppress(OSError):
        if not stat.S_ISDIR(os.lstat(set_folder).st_mode):
            return
    if _read_manifest(set_folder, set_id) is None:
        return
    shutil.rmtree(set_folder, ignore_errors=True)  # rmtree unlinks symlinks, never follows them


def _fill(new_set: Path, set_id: str, files: dict[str, bytes], old_set: Path | None,
          old_manifest: dict | None) -> WriteResult:
    # The marker first: a set a killed build leaves is recognisably ours and is removed next time.
    _write(new_set / MANIFEST, _manifest_bytes(set_id, {}))
    result = WriteResult(out=new_set)
    ours_before: dict[str, str] = dict(old_manifest["files"]) if old_manifest else {}
    hashes: dict[str, str] = {}
    made: set[str] = set()
    for path, data in files.items():
        target = _inside(new_set, path)
        _make_parents(new_set, path, made)
        digest = hashlib.sha256(data).hexdigest()
        hashes[path] = digest
        if old_set is not None and ours_before.get(path) == digest and _same_file(old_set, path, digest):
            os.link(old_set / path, target, follow_symlinks=False)
            result.kept.append(path)
        else:
            _write(target, data)
            result.written.append(path)
    result.removed = sorted(set(ours_before) - set(files))
    if old_set is not None:
        _carry_over(old_set, new_set, set(ours_before) | {MANIFEST}, files, made, result)
    _write(new_set / f"{MANIFEST}.tmp", _manifest_bytes(set_id, hashes))
    os.replace(new_set / f"{MANIFEST}.tmp", new_set / MANIFEST)
    return result


def _inside(root: Path, path: str) -> Path:
    parts = path.split("/")
    if path.startswith("/") or any(part in {"", ".", ".."} for part in parts):
        raise ValueError(f"not a path inside the site: {path!r}")
    return root.joinpath(*parts)


def _make_parents(root: Path, path: str, made: set[str]) -> None:
    parts = path.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        folder = "/".join(parts[:i])
        if folder not in made:
            with contextlib.suppress(FileExistsError):
                os.mkdir(root / folder, 0o777)
            made.add(folder)


def _same_file(old_set: Path, path: str, digest: str) -> bool:
    """The old set's file is a regular file still holding the bytes we wrote (not edited by hand);
    a file too large to be ours is simply written again."""
    data = read_regular(old_set / path, _READ_MAX_BYTES)
    return data is not None and hashlib.sha256(data).hexdigest() == digest


def _carry_over(old_set: Path, new_set: Path, ours: set[str], files: dict[str, bytes],
                made: set[str], result: WriteResult) -> None:
    """Everything in the old set that no build of ours wrote goes into the new set as it is."""
    for folder, dirs, names in os.walk(old_set, followlinks=False):
        relative_folder = os.path.relpath(folder, old_set)
        for name in sorted(names) + sorted(d for d in dirs if os.path.islink(os.path.join(folder, d))):
            path = name if relative_folder == "." else f"{relative_folder}/{name}"
            if path in ours:
                continue
            if path in files:
                raise SiteOutputError(f"{path} in the site was not written by `authoring site`, and "
                                      "this build would replace it; move it away first")
            _make_parents(new_set, path, made)
            source = os.path.join(folder, name)
            if os.path.islink(source):
                os.symlink(os.readlink(source), new_set / path)
            else:
                os.link(source, new_set / path, follow_symlinks=False)
            result.carried.append(path)


def _manifest_bytes(set_id: str, hashes: dict[str, str]) -> bytes:
    return (json.dumps({"set": set_id, "generator": "authoring site", "files": hashes},
                       indent=1, sort_keys=True) + "\n").encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _fsync(set_folder: Path) -> None:
    """Everything written is on disk before the switch makes it visible: one ``syncfs`` of the
    site's file system (a thousand pages would wait on a thousand fsyncs, and on their thousand
    folders'), or ``sync`` where there is no ``syncfs``."""
    import ctypes

    fd = os.open(set_folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            syncfs = ctypes.CDLL(None, use_errno=True).syncfs
        except (OSError, AttributeError):
            syncfs = None
        if syncfs is None or syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _switch(out: Path, new_set: Path) -> None:
    parent = out.parent
    link = parent / f".{out.name}{_LINK}{os.urandom(6).hex()}"
    os.symlink(new_set.name, link)
    try:
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISDIR(os.lstat(out).st_mode):
                os.rmdir(out)  # an empty folder the user made (rmdir refuses one with files)
        os.replace(link, out)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
