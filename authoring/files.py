"""Writing files safely: atomically, one file or a whole set, and never over what the
toolkit cannot prove it wrote.

A set (an export) lives in a hidden sibling folder ``.NAME.set-ID`` that holds a marker,
``.authoring-set``, naming its id and every file in it with its size and SHA-256; ``NAME``
is a symlink to it. Before replacing or removing a set, the writer checks that the link
points at such a sibling (by ``lstat``: a link or folder the toolkit did not make is never
followed), that the marker carries the id of the folder's name, and that the folder holds
exactly the files the marker lists, unchanged. Anything else is refused with the first
foreign names. Removal unlinks the listed files by name and then ``rmdir``s the folder, so
a file that appears meanwhile survives. Writers of one output take a lock
(``fcntl.flock`` on ``.NAME.export-lock`` beside it) for the whole write.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import field
from functools import cache
from pathlib import Path

from authoring.lazyre import lazy
from authoring.records import dataclass

MARKER = ".authoring-set"
"""Inside every set the toolkit makes: its id and the files it wrote."""
LEGACY_MANIFEST = "manifest.json"
"""Exports of earlier versions carry no marker; their manifest lists the other files with
their sizes and SHA-256, which proves them ours just as well."""
LOCK_TIMEOUT = 60.0
"""Seconds a writer waits for another writer of the same output."""
NAME_MAX = 255
"""Bytes in one path component on every file system the toolkit runs on."""
FOREIGN_SHOWN = 5
"""How many foreign names a refusal lists."""

_ID_HEX = 16
"""Hex digits of a random id (os.urandom's, as secrets.token_hex makes them: without the import
of secrets, hmac and base64 at every cold render)."""


def _new_id() -> str:
    return os.urandom(_ID_HEX // 2).hex()


_SET, _LINK, _OLD, _LOCK = ".set-", ".link-", ".old-", ".export-lock"
_SUFFIX_MAX = len(_SET) + _ID_HEX + 1  # the longest thing added to the output's name
_INTERNAL = lazy(r"\..+\.(?:set|link|old)-(?:[a-z0-9_]{8}|[0-9a-f]{16})")
"""The name of a set, a link or a moved folder (``.NAME.set-ID``), never an output itself."""


class OutputRefused(Exception):
    """The output holds something the toolkit did not write (or is a folder it must not
    replace); nothing was changed. The message says what and how to go on."""


_TEMP_ROOM = NAME_MAX - len("..") - 8 - len(".tmp")
"""Bytes of the target's name a temporary file's name has room for (mkstemp adds 8 characters)."""


def _fitting(name: str, room: int) -> str:
    """``name`` cut short to ``room`` bytes at a character: a temporary file's name only needs to
    be hidden and recognisable, and the name of a target allowed at its limit must not fail."""
    name = name[:room]  # a character is a byte at least
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return name


def write_temp(folder: Path, name: str, data: bytes, *, sync: bool = True) -> Path:
    """``data`` in a new temporary file next to ``name``, on disk, with ordinary permissions.

    ``sync=False`` leaves flushing to the caller (a batch of many files syncs once at its end)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{_fitting(name, _TEMP_ROOM)}.", suffix=".tmp", dir=folder)
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


# ---------------------------------------------------------------- files among others, owned


RENDER_RECORD = ".authoring-render"
"""In a folder render writes into: the name, size and SHA-256 of every file it wrote there."""
RECORD_LIMIT = 16 << 20
"""Bytes of a render record read at most (100,000 files' entries); a longer one proves nothing."""
_RECORD_HEADER = b'{"made_by": "authoring", "format": 2}\n'
"""The first line of a render record: each line after it is one file, ``["name", size,
"sha256"]``, the last line naming a file the one that holds. Appending a line costs the same
whatever the record holds: rewriting the record whole for each issue of a folder made a
folder of N issues take time in N². Records of earlier versions (one JSON object) are read
too, and rewritten in this form by the next write."""


@dataclass
class RenderRecord:
    """A folder's render record as the writes of one batch (a folder render, or one worker of
    its pool) know it: its entries, and how far the file was read, so that each write under
    the lock reads only the lines other writers appended since (see ``write_owned``)."""

    entries: dict[str, tuple[int, str]] = field(default_factory=dict)
    identity: tuple[int, int] | None = None
    """(st_dev, st_ino) of the record file read, in this version's form; None: read it whole."""
    read_to: int = 0
    """Bytes of it read: the end of its last whole line."""
    tail: bytes = b""
    """The bytes read last (up to _TAIL_BYTES, a digest's worth), which the file must still hold
    where they were: a file written anew (even in place, or where a removed one's inode number
    is used again) is read whole, never from the middle."""
    lines: int = 0
    """Entry lines in it (a name written again adds one: past twice the names, it is rewritten)."""
    whole: bool = True
    """It ends with a whole line (a write cut short by a crash leaves a part: rewritten, never
    appended to, which would glue the next entry to it)."""


_TAIL_BYTES = 64


def write_owned(folder: str | Path, files: Mapping[str, bytes], *, sync: bool = True,
                lock_timeout: float = LOCK_TIMEOUT, record: RenderRecord | None = None) -> None:
    """Write each file of ``files`` into ``folder`` (atomically, one by one) among whatever
    else is there, replacing a file only when the folder's record proves render wrote it and
    it is unchanged since, or when it already holds exactly the new bytes. Anything else
    (a user's file of the same name, a link, a folder) is refused before anything is written.
    A file that already holds exactly the new bytes is left as it is (its time, its inode), and
    so is the record when it would not change: rendering an unchanged issue again writes nothing.
    Writers of one folder lock the folder itself; the record is updated under that lock.

    ``record``: the batch's own (a folder render writes many issues into one folder), kept up to
    date here; without it the record is read whole."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputRefused(f"{folder} is not a folder (a file, a pipe or a device); "
                            "choose another -o") from None
    for name in files:
        if len(os.fsencode(name)) > NAME_MAX:
            raise OutputRefused(f"the file name '{_short(name)}' is {len(os.fsencode(name))} "
                                f"bytes; file systems allow {NAME_MAX}; rename the issue file")
    with _locked_folder(folder, lock_timeout):
        known = _brought_up_to_date(folder, record if record is not None else RenderRecord())
        entries = known.entries
        states = {name: _state(folder / name, entries.get(name), data) for name, data in files.items()}
        refused = [name for name, state in states.items() if state is _Target.REFUSED]
        if refused:
            shown = ", ".join(_shown(n) for n in refused)
            raise OutputRefused(
                f"{folder} already holds {shown}, which render did not write (or which changed "
                "since): render replaces only its own files; move them away, or render into "
                "another folder with -o")
        new: dict[str, tuple[int, str]] = {}
        for name, data in files.items():
            if states[name] is not _Target.HOLDS_THEM:
                write_atomic(folder / name, data, sync=sync)
            fingerprint = _fingerprint(data)
            if entries.get(name) != fingerprint:
                new[name] = fingerprint
        if new:  # else the record read lists these very files: nothing to add
            _add_to_record(folder, known, new, sync)


def read_render_record(folder: Path) -> dict[str, tuple[int, str]]:
    """The files the render record of ``folder`` lists (none when it has no record, or one
    that proves nothing: a link, not a file, too long, not written by render)."""
    return _brought_up_to_date(folder, RenderRecord()).entries


def _brought_up_to_date(folder: Path, known: RenderRecord) -> RenderRecord:
    """``known`` with what the record of ``folder`` holds now: only the lines appended since it
    was read, when it is still that file; else the record read whole."""
    try:
        fd = os.open(folder / RENDER_RECORD, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return _forgotten(known)  # none (or a link, which proves nothing)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > RECORD_LIMIT:
            return _forgotten(known)
        if _continues(fd, info, known):
            handle.seek(known.read_to)
        else:
            _forgotten(known)
            head = handle.read(len(_RECORD_HEADER))
            if head != _RECORD_HEADER:  # an earlier version's record, or none of ours
                known.entries = _earlier_record(head + handle.read(RECORD_LIMIT + 1 - len(head)))
                return known
            known.identity, known.read_to, known.tail = (info.st_dev, info.st_ino), len(head), head
        _read_lines(known, handle.read(RECORD_LIMIT + 1 - known.read_to))
    return known


def _continues(fd: int, info: os.stat_result, known: RenderRecord) -> bool:
    """Whether the open record is the one ``known`` read, that much of it unchanged as far as
    its header and the last bytes read tell (its middle is not read again: only a writer that
    skips the lock could change it, and what the batch remembers was written by render)."""
    return (known.identity == (info.st_dev, info.st_ino) and info.st_size >= known.read_to
            and os.pread(fd, len(known.tail), known.read_to - len(known.tail)) == known.tail
            and os.pread(fd, len(_RECORD_HEADER), 0) == _RECORD_HEADER)


def _forgotten(known: RenderRecord) -> RenderRecord:
    """``known`` emptied, to read the record whole (where it is read in lines, ``read_to``,
    ``tail`` and ``whole`` are set as it is read)."""
    known.entries, known.identity, known.lines = {}, None, 0
    return known


def _read_lines(known: RenderRecord, data: bytes) -> None:
    """The entry lines of ``data`` (read from ``known.read_to``) into ``known``: a line that is
    no entry proves nothing (its file is refused, as one the record does not list); a last
    line without its end (a write cut short) is left unread. Only lines shaped as render writes
    its entries (``_entry_line``) are parsed, found by one scan: parsed one by one, 16 MiB of
    empty or junk lines took up to a minute to read, at every render into that folder."""
    whole_lines = data[:data.rfind(b"\n") + 1]
    known.lines += whole_lines.count(b"\n")
    for line in _entry_lines().findall(whole_lines):
        entry = _parse(line)
        if isinstance(entry, list):  # None when the name holds what JSON does not read
            listed = _checked_listing([(entry[0], entry[1:])])
            if listed:
                known.entries.update(listed)
    _read_past(known, whole_lines)
    known.whole = len(whole_lines) == len(data)


@cache
def _entry_lines() -> re.Pattern[bytes]:
    """A line as ``_entry_line`` writes it: a name (JSON escapes every quote, control and
    non-ASCII character in it), a size, a SHA-256 in hex. At least 76 bytes each: a 16 MiB
    record holds at most about 220,000 of them."""
    return re.compile(rb'^\["[^\n]+", (?:0|[1-9][0-9]*), "[0-9a-f]{64}"\]$', re.MULTILINE)


def _read_past(known: RenderRecord, data: bytes) -> None:
    known.read_to += len(data)
    known.tail = (known.tail + data)[-_TAIL_BYTES:]


def _earlier_record(data: bytes) -> dict[str, tuple[int, str]]:
    """The files a record of an earlier version lists: one JSON object, ``files`` in it."""
    record = _parse(data)
    if not isinstance(record, dict) or record.get("made_by") != "authoring":
        return {}
    listed = record.get("files")
    return (_checked_listing(listed.items()) or {}) if isinstance(listed, dict) else {}


def _add_to_record(folder: Path, known: RenderRecord, new: dict[str, tuple[int, str]], sync: bool) -> None:
    """``new`` entries into the record: appended to the file ``known`` read, when it is still
    that file, whole and ending where it was read; else (no record yet, an earlier version's,
    one cut short, or one holding over twice as many lines as names) the record written anew,
    atomically, one line a file."""
    path = folder / RENDER_RECORD
    lines = b"".join(_entry_line(name, fingerprint) for name, fingerprint in new.items())
    known.entries.update(new)
    if known.identity is not None and known.whole and \
            known.lines + len(new) <= 2 * len(known.entries) + _RECORD_SLACK and \
            _appended(path, known, lines, sync):
        _read_past(known, lines)
        known.lines += len(new)
        return
    data = _RECORD_HEADER + b"".join(_entry_line(name, known.entries[name]) for name in sorted(known.entries))
    write_atomic(path, data, sync=sync)
    info = os.lstat(path)
    known.identity, known.read_to, known.tail = (info.st_dev, info.st_ino), len(data), data[-_TAIL_BYTES:]
    known.lines = len(known.entries)


_RECORD_SLACK = 64
"""Lines a record may hold beyond twice its names before it is rewritten: a small folder
rendered again and again is not rewritten every few renders."""


def _entry_line(name: str, fingerprint: tuple[int, str]) -> bytes:
    return (json.dumps([name, *fingerprint]) + "\n").encode()


def _appended(path: Path, known: RenderRecord, lines: bytes, sync: bool) -> bool:
    """``lines`` appended to the record at ``path``, when it is the file ``known`` read (no link
    to it: a link is not opened), ending where it was read; False, with nothing written,
    otherwise."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if info.st_size != known.read_to or not _continues(fd, info, known):
            return False
        view = memoryview(lines)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return True


class _Target(enum.Enum):
    """What ``write_owned`` may do with a file name it is to write."""

    FREE = "nothing there, or render's own unchanged file: written"
    HOLDS_THEM = "a regular file with exactly the new bytes: left as it is"
    REFUSED = "anything else (a user's file, a link, a folder, render's file changed since)"


def _state(path: Path, recorded: tuple[int, str] | None, data: bytes) -> _Target:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return _Target.FREE
    if not stat.S_ISREG(info.st_mode):
        return _Target.REFUSED
    if info.st_size == len(data) and _unchanged(path, _fingerprint(data), partial=False):
        return _Target.HOLDS_THEM
    if recorded is not None and _unchanged(path, recorded, partial=False):
        return _Target.FREE
    return _Target.REFUSED


def _shown(name: str) -> str:
    return repr(name) if not name.isprintable() else name


# ---------------------------------------------------------------- a set, owned


def write_all_atomic(folder: Path, files: dict[str, bytes], *,
                     protected: Mapping[str, Path] | None = None,
                     lock_timeout: float = LOCK_TIMEOUT) -> None:
    """Make ``folder`` hold exactly ``files``, switching from the old set in one step.

    The new set is written into a fresh hidden sibling and ``folder`` is a symlink to it,
    replaced by one rename: a reader, or a crash at any instant, sees the complete old set
    or the complete new one. The old set, and leftovers of a run that was killed, are
    removed only when proven ours (see the module's docstring); on any failure ``folder``
    is exactly as it was. ``protected``: what each folder is ("the current folder") → the
    folder; ``folder`` may be none of them nor a folder above one.

    Raises OutputRefused, or OSError when the file system fails.
    """
    folder = Path(os.path.abspath(folder))
    _refuse_long_names(folder, files)
    _refuse_protected(folder, protected or {})
    if _INTERNAL.fullmatch(folder.name):
        raise OutputRefused(f"{folder} is one of the hidden folders an export keeps its files "
                            "in; give the output's own name (the link to it)")
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    lock = parent / f".{folder.name}{_LOCK}"
    with _locked(lock, folder, lock_timeout) as made_lock:
        try:
            current = _current_set(folder)
        except OutputRefused:
            if made_lock:  # leave no file of ours beside what is not ours
                lock.unlink(missing_ok=True)
            raise
        _remove_leftovers(folder, keep=current.path if current else None)
        set_id = _new_id()
        new_set = parent / f".{folder.name}{_SET}{set_id}"
        written = _Owned(new_set, set_id, {name: _fingerprint(data) for name, data in files.items()})
        os.mkdir(new_set)  # the umask applies: an export is an ordinary folder
        try:
            _write_synced(new_set / MARKER, written.marker())
            for name, data in files.items():
                _write_synced(new_set / name, data)
            _fsync_path(new_set)
            _switch(folder, new_set, current)
        except BaseException:
            _remove_owned(written)
            raise
        _fsync_path(parent)  # the switch itself survives a power cut
        if current is not None:  # proven again right before removal: kept if changed meanwhile
            with contextlib.suppress(OutputRefused, OSError):
                _remove_owned(_prove(current.path, current.set_id, shown_as=current.path))


@dataclass
class _Owned:
    """A set folder proven ours: where it is, its id, and name → (size, sha256) of its files."""

    path: Path
    set_id: str | None
    """None for an export of an earlier version (proven by its manifest)."""
    files: dict[str, tuple[int, str]]

    def marker(self) -> bytes:
        return (json.dumps({"made_by": "authoring", "id": self.set_id,
                            "files": {n: list(f) for n, f in self.files.items()}}, indent=1)
                + "\n").encode()


def _fingerprint(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()


def _current_set(folder: Path) -> _Owned | None:
    """The set ``folder`` now is, proven ours; None when there is nothing there."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        target = os.readlink(folder)
        set_id = _set_id(folder, target)
        if set_id is None:
            raise OutputRefused(
                f"{folder} is a link to {target}, which export did not make: it replaces only "
                "the link it made itself and never what a link points at; remove the link or "
                "choose another -o")
        if not os.path.lexists(folder.parent / target):
            return None  # a link of ours whose set is gone: replacing it loses nothing
        return _prove(folder.parent / target, set_id, shown_as=folder)
    if stat.S_ISDIR(info.st_mode):
        return _prove(folder, None, shown_as=folder)  # an export by an earlier version, or not ours
    raise OutputRefused(f"{folder} is not a folder (a file, a pipe or a device); choose another -o")


def _set_id(folder: Path, target: str) -> str | None:
    """The id in a link target export made (``.NAME.set-ID``, a sibling), else None.
    Earlier versions named sets ``.NAME.set-`` and 8 characters of ``mkdtemp``."""
    match = re.fullmatch(re.escape(f".{folder.name}{_SET}") + r"([a-z0-9_]{8}|[0-9a-f]{16})", target)
    return match.group(1) if match else None


def _prove(path: Path, set_id: str | None, *, shown_as: Path, partial: bool = False) -> _Owned:
    """``path`` as a set of ours, or OutputRefused naming what is not ours.

    ``set_id``: the id its name carries, which its marker must carry too; None for a real
    folder. A set of an earlier version (an 8-character id, or a real folder) is proven by
    its manifest instead. An empty folder holds nothing to lose. ``partial``: a leftover of
    a killed run, whose last file may be cut short."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise OutputRefused(f"{shown_as} is a link to {path.name}, which does not exist; "
                            "remove the link or choose another -o") from None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputRefused(f"{shown_as} leads to {path}, which is not a folder export made; "
                            "remove it or choose another -o")
    current_format = set_id is not None and len(set_id) == _ID_HEX
    listed = _read_marker(path, set_id)
    has_marker = listed is not None
    if listed is None and not current_format:
        listed = _read_legacy_manifest(path)
    entries = sorted(os.listdir(path))
    if partial and not has_marker and current_format and entries == [MARKER] \
            and _marker_cut_short(path, set_id):
        return _Owned(path, set_id, {})  # killed while writing its marker, before any file
    problems = []
    for name in entries:
        if name == MARKER and has_marker:
            continue
        expected = (listed or {}).get(name)
        if expected is None:
            problems.append(name)
        elif not _unchanged(path / name, expected, partial):
            problems.append(f"{name} (changed since export wrote it)")
    if problems:
        raise OutputRefused(_foreign_message(shown_as, problems))
    return _Owned(path, set_id, listed or {})


def _foreign_message(folder: Path, names: list[str]) -> str:
    shown = ", ".join(_shown(n) for n in names[:FOREIGN_SHOWN])
    more = f" and {len(names) - FOREIGN_SHOWN} more" if len(names) > FOREIGN_SHOWN else ""
    return (f"{folder} holds what export did not write: {shown}{more}; export replaces only "
            "what it wrote and can prove: move those files away, or export into a folder of its own")


def _unchanged(path: Path, expected: tuple[int, str], partial: bool) -> bool:
    """A regular file (not a link) with the expected bytes; cut short is enough for a leftover."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        size, digest = expected
        if not stat.S_ISREG(info.st_mode) or info.st_size > size:
            return False
        if info.st_size < size:
            return partial
        return hashlib.sha256(handle.read(size + 1)).hexdigest() == digest


def read_regular(path: Path, limit: int = 1 << 20) -> bytes | None:
    """A regular file's bytes, opened without following a link (and without blocking on a FIFO):
    None when it is missing, not a regular file, a link, or over ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def read_json(path: Path, limit: int = 1 << 20) -> object:
    """The JSON a regular file holds, read as ``read_regular`` reads it; None when there is no
    such file, or it holds no JSON (or JSON nested too deep to parse)."""
    return _parse(read_regular(path, limit))


def _parse(data: bytes | None) -> object:
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeError, RecursionError):
        return None


def _read_marker(path: Path, set_id: str | None) -> dict[str, tuple[int, str]] | None:
    marker = read_json(path / MARKER)
    if not isinstance(marker, dict) or marker.get("made_by") != "authoring":
        return None
    if set_id is not None and marker.get("id") != set_id:
        return None
    listed = marker.get("files")
    if not isinstance(listed, dict):
        return None
    return _checked_listing(listed.items())


def _marker_cut_short(path: Path, set_id: str | None) -> bool:
    """The marker of a set whose run was killed while writing it (it is written first, before
    any file): its bytes are the start of the marker that run writes, which names us and the id
    of the set's name before anything else."""
    data = read_regular(path / MARKER)
    if data is None:
        return False
    full = _Owned(path, set_id, {}).marker()
    opening = full[:full.index(b'"files"')]
    return data.startswith(opening) or opening.startswith(data)


def _read_legacy_manifest(path: Path) -> dict[str, tuple[int, str]] | None:
    """An earlier version's export: manifest.json lists every other file it wrote."""
    data = read_regular(path / LEGACY_MANIFEST)
    manifest = _parse(data)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    pairs = [(f.get("name"), [f.get("size"), f.get("sha256")]) for f in manifest["files"]
             if isinstance(f, dict)]
    if len(pairs) != len(manifest["files"]):
        return None
    listed = _checked_listing(pairs)
    if listed is None or LEGACY_MANIFEST in listed or data is None:
        return None
    listed[LEGACY_MANIFEST] = _fingerprint(data)
    return listed


def _checked_listing(pairs) -> dict[str, tuple[int, str]] | None:
    listed: dict[str, tuple[int, str]] = {}
    for name, entry in pairs:
        if (not isinstance(name, str) or name in {"", ".", "..", MARKER} or "/" in name
                or "\0" in name or not isinstance(entry, list) or len(entry) != 2):
            return None
        size, digest = entry
        if not isinstance(size, int) or isinstance(size, bool) or size < 0 or not isinstance(digest, str):
            return None
        listed[name] = (size, digest)
    return listed


def _remove_owned(owned: _Owned) -> None:
    """The files a set's marker lists, by name, then the marker, then the folder if empty:
    a file that is not ours (put there since the check) keeps the folder and itself."""
    for name in [*owned.files, MARKER]:
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(os.lstat(owned.path / name).st_mode):
                os.unlink(owned.path / name)
    with contextlib.suppress(OSError):
        os.rmdir(owned.path)


def _remove_leftovers(folder: Path, keep: Path | None) -> None:
    """Sets, links and old folders of ``folder`` left by a run that was killed (the lock is
    held: no live writer owns them). What cannot be proven ours is left where it is."""
    parent = folder.parent
    sets = f".{folder.name}{_SET}"
    for entry in os.scandir(parent):
        name = entry.name
        if entry.is_symlink():
            if name.startswith(f".{folder.name}{_LINK}") and _set_id(folder, os.readlink(entry.path)):
                os.unlink(entry.path)
            continue
        if not entry.is_dir(follow_symlinks=False) or (keep is not None and name == keep.name):
            continue
        if name.startswith(sets) and (set_id := _set_id(folder, name)) is not None:
            candidate: str | None = set_id
        elif name.startswith(f".{folder.name}{_OLD}"):
            candidate = None
        else:
            continue
        with contextlib.suppress(OutputRefused, OSError):
            _remove_owned(_prove(Path(entry.path), candidate, shown_as=Path(entry.path), partial=True))


def _switch(folder: Path, new_set: Path, current: _Owned | None) -> None:
    """Point ``folder`` at ``new_set`` with one rename."""
    parent = folder.parent
    moved: Path | None = None
    if current is not None and current.path == folder:
        # A real folder (an export of an earlier version, proven): it becomes the old set.
        # Between these two renames the folder is briefly absent, never mixed.
        moved = parent / f".{folder.name}{_OLD}{_new_id()}"
        os.rename(folder, moved)
        current.path = moved
    link = parent / f".{folder.name}{_LINK}{_new_id()}"
    os.symlink(new_set.name, link)
    try:
        os.replace(link, folder)
    except BaseException:
        link.unlink(missing_ok=True)
        if moved is not None and current is not None:
            os.rename(moved, folder)
            current.path = folder
        raise


# ---------------------------------------------------------------- refusals before writing


def _refuse_long_names(folder: Path, files: Mapping[str, bytes]) -> None:
    for part in folder.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise OutputRefused(f"the name '{_short(part)}' in {_short(str(folder))} is "
                                f"{len(os.fsencode(part))} bytes; file systems allow {NAME_MAX}")
    room = NAME_MAX - _SUFFIX_MAX - 1
    if len(os.fsencode(folder.name)) > room:
        raise OutputRefused(f"the output folder's name '{_short(folder.name)}' is "
                            f"{len(os.fsencode(folder.name))} bytes; export needs it to be at "
                            f"most {room} (its sets are named after it); choose a shorter -o")
    for name in files:
        if len(os.fsencode(name)) > NAME_MAX:
            raise OutputRefused(f"the file name '{_short(name)}' is {len(os.fsencode(name))} "
                                f"bytes; file systems allow {NAME_MAX}; rename the issue file")


def _short(text: str, keep: int = 40) -> str:
    return text if len(text) <= 2 * keep else f"{text[:keep]}…{text[-keep:]}"


def _refuse_protected(folder: Path, protected: Mapping[str, Path]) -> None:
    """``folder`` (and, for a link, what it leads to) is none of the protected folders nor
    a folder above one: replacing it would replace them."""
    real_parent = Path(os.path.realpath(folder.parent))
    candidates = [real_parent / folder.name]
    if os.path.islink(folder):
        candidates.append(Path(os.path.realpath(folder)))
    for what, place in protected.items():
        real = Path(os.path.realpath(place))
        for candidate in candidates:
            if candidate == real or candidate in real.parents:
                above = "" if candidate == real else " (a folder above it)"
                raise OutputRefused(f"{folder} is {what}{above}: export replaces its output folder "
                                    "as a whole, so it needs a folder of its own, e.g. -o out")


# ---------------------------------------------------------------- the lock


@contextlib.contextmanager
def _locked(lock: Path, folder: Path, timeout: float, writer: str = "export") -> Iterator[bool]:
    """Hold ``fcntl.flock`` on ``lock`` (made if absent, never followed if a link); wait up to
    ``timeout`` seconds for another writer, then say who it is. Yields whether this call made
    the lock file (a refusal may then remove it again, still holding it)."""
    deadline = time.monotonic() + timeout
    while True:
        fd, created = _open_lock(lock, writer)
        try:
            _wait_for(fd, deadline, folder, timeout, writer)
            # Held: but if a refusing writer removed the file meanwhile, the lock is on a file
            # nobody else will open; start again on the one now there.
            if _same_inode(fd, lock):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        _claim(fd)
        yield created
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _locked_folder(folder: Path, timeout: float) -> Iterator[None]:
    """Hold ``fcntl.flock`` on the folder itself (no lock file; the images copied beside a
    render take the same lock, see ``localimages.copy_beside``)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _wait_for(fd, time.monotonic() + timeout, folder, timeout, "render")
        yield
    finally:
        os.close(fd)


def _open_lock(lock: Path, writer: str) -> tuple[int, bool]:
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        try:
            return os.open(lock, flags | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:
            fd = os.open(lock, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputRefused(f"{lock} is a link, which {writer} did not make; remove it") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputRefused(f"{lock} is not a file {writer} made; remove it")
    return fd, False


_FIRST_WAIT, _LONGEST_WAIT = 0.001, 0.02
"""Seconds between a waiting writer's tries: at first 1 ms, doubled each try up to 20 ms. The
workers of a folder render hold their folder's lock for about a millisecond an issue: a
first wait of 20 ms left a worker idle for twenty of them."""


def _wait_for(fd: int, deadline: float, folder: Path, timeout: float, writer: str) -> None:
    wait = _FIRST_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(fd)
                raise OutputRefused(
                    f"another {writer}{f' (process {holder})' if holder else ''} is writing "
                    f"{folder}; waited {timeout:g} s; try again when it is done") from None
            time.sleep(wait)
            wait = min(2 * wait, _LONGEST_WAIT)


def _same_inode(fd: int, path: Path) -> bool:
    try:
        on_disk = os.lstat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


_LOCK_TEXT = re.compile(rb"(?:process \d+\n)?")


def _holder(fd: int) -> str | None:
    try:
        text = os.pread(fd, 64, 0)
    except OSError:  # a folder's own lock: no process id in it
        return None
    match = re.fullmatch(rb"process (\d+)\n", text)
    return match.group(1).decode() if match else None


def _claim(fd: int) -> None:
    """Write this process's id into the lock file, unless it holds something else."""
    if os.fstat(fd).st_size <= 64 and _LOCK_TEXT.fullmatch(os.pread(fd, 64, 0)):
        data = f"process {os.getpid()}\n".encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)


# ---------------------------------------------------------------- low level


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
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


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux's
    /proc/self/status): setting it to 0 and back, the only other way, leaves a moment in which
    a file another thread makes (the preview's server, a pool's) would be world-writable."""
    with contextlib.suppress(OSError, ValueError), \
            open(_STATUS, encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _UMASK_LOCK:  # no status file: our own threads at least never see the 0
        mask = os.umask(0o077)  # the strictest mask while it is read, not 0
        os.umask(mask)
    return mask


_STATUS = "/proc/self/status"
"""Where Linux tells a process its umask (``Umask:``); its name line may hold any bytes."""
_UMASK_LOCK = threading.Lock()
