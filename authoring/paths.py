"""Where things live: the built-in templates (installed or in a checkout), the publication
file next to the issues (searched no higher than the project root), the issue schema above them."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from authoring import markdown

_PACKAGE = Path(__file__).resolve().parent

PUBLICATION_FILE = "publication.yaml"
"""The settings shared by every issue, in the issues' folder or one above it."""

SCHEMA_FILE = Path("schema") / "issue.schema.json"
"""The issue's JSON Schema, relative to the project folder."""


def templates_dir() -> Path:
    """The installed copy (wheel) or the checkout's top-level templates/ folder."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates folder not found next to the authoring package")


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
    if any(not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or _writable_by_others(info)
           for info in made):
        return None
    if _writable_by_others(above) and not above.st_mode & stat.S_ISVTX:
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return folder


def find_schema(folder: Path) -> str | None:
    """The issue schema as a path relative to ``folder``, when the project has one above it."""
    import os

    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        schema = candidate / SCHEMA_FILE
        if schema.is_file():
            return Path(os.path.relpath(schema, folder)).as_posix()
    return None


PROJECT_MARKERS = ("pyproject.toml", ".git")
"""What marks a project's root folder: the search for publication.yaml goes no higher."""


def search_names(folder: str) -> list[str]:
    """Where a publication file for an issue in ``folder`` (resolved) may be: that folder and
    those above it up to the project root; only that folder when it is in no project. Never
    further: a parent such as /tmp is shared with other users, who could plant settings and
    templates there. Names, not paths: a render looks for its publication file each time, and
    pathlib's objects for every folder up to the root were most of that search."""
    chain = [folder]
    while True:
        candidate = chain[-1]
        if any(_exists(os.path.join(candidate, marker)) for marker in PROJECT_MARKERS):
            return chain
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return [folder]
        chain.append(parent)


_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
"""The errors for which pathlib's ``exists`` and ``is_file`` answer False (any other one raises)."""


def _mode(name: str) -> int | None:
    """The mode of what ``name`` names, links followed; None where pathlib's ``exists`` says
    False (missing, a broken link, a name that cannot be encoded)."""
    try:
        return os.stat(name).st_mode
    except OSError as exc:
        if exc.errno not in _IGNORED_ERRNOS:
            raise
        return None
    except ValueError:
        return None


def _exists(name: str) -> bool:
    return _mode(name) is not None


def first_file(folders: list[str], name: str) -> Path | None:
    """``name`` in the first of ``folders`` where it is a regular file (links followed), as
    pathlib's ``is_file`` tells it."""
    for folder in folders:
        path = os.path.join(folder, name)
        mode = _mode(path)
        if mode is not None and stat.S_ISREG(mode):
            return Path(path)
    return None


def untrusted_reason(path: Path) -> str | None:
    """Why another local user could have written ``path`` (a file or folder), or None.

    Trusted: owned by us or root, not writable by others (nor by a group other than ours),
    in a folder others cannot write to, unless that folder is sticky (like /tmp), where
    they cannot replace what is ours.
    """
    try:
        info = path.stat()
        parent = path.parent.stat()
    except OSError:
        return None  # missing: reading it will say so
    if info.st_uid not in (os.getuid(), 0):
        return f"it belongs to another user (uid {info.st_uid})"
    if _writable_by_others(info):
        return "other users can write to it"
    if _writable_by_others(parent) and not parent.st_mode & stat.S_ISVTX:
        return f"other users can write to its folder {path.parent}"
    return None


def _writable_by_others(info: os.stat_result) -> bool:
    return bool(info.st_mode & stat.S_IWOTH) or (
        bool(info.st_mode & stat.S_IWGRP) and info.st_gid != os.getgid())


# Relative image sources (``images/robot.png``) and the files they name: read by validation (a
# missing file), the preview, render and export (authoring.localimages copies and lists them).

def is_relative(src: str | None) -> bool:
    """A source export resolves against ``image_base_url``: no scheme, no host, no leading slash,
    not a merge tag."""
    if not src or not src.strip():
        return False
    src = src.strip()
    if markdown.is_merge_tag(src) or markdown.url_scheme(src) is not None:
        return False
    parts = urlsplit(src)
    return not (parts.netloc or parts.path.startswith("/") or src.startswith("\\"))


def relative_path(src: str) -> PurePosixPath | None:
    """The file path a relative source names (query and fragment dropped, %-escapes decoded), or
    None when it climbs out of its folder."""
    path = PurePosixPath(unquote(urlsplit(src.strip()).path))
    if not path.parts or ".." in path.parts or path.is_absolute():
        return None
    return path


def find(src: str, folders: list[Path]) -> Path | None:
    """The regular file ``src`` names in the first folder holding it, resolved and still inside
    that folder; None when there is none."""
    return find_in(src, resolved(folders))


def resolved(folders: list[Path]) -> list[Path]:
    """Each folder resolved (one that cannot be is left out): what ``find_in`` looks in, made once
    for the many images of an issue (each resolve reads every folder up to the root)."""
    roots = []
    for folder in folders:
        try:
            roots.append(folder.resolve())
        except (OSError, ValueError, RuntimeError):
            continue
    return roots


def find_in(src: str, roots: list[Path]) -> Path | None:
    """``find`` in folders already ``resolved``."""
    path = relative_path(src) if is_relative(src) else None
    if path is None:
        return None
    for root in roots:
        try:
            plain = _regular_without_links(root, path.parts)
            if plain is not None:  # nothing on the way is a link: the path is its own resolution
                if plain:
                    return root.joinpath(*path.parts)
                continue
            candidate = (root / path).resolve()
            candidate.relative_to(root)
        except (OSError, ValueError, RuntimeError):
            continue
        if candidate.is_file():
            return candidate
    return None


def _regular_without_links(root: Path, parts: tuple[str, ...]) -> bool | None:
    """Whether ``parts`` under the resolved folder ``root`` name a regular file, found with one
    ``lstat`` a part (resolving the whole path reads every folder above it too, for each
    image); None when a part is a symbolic link, which only resolving tells where it leads."""
    current = str(root)
    info = None
    for part in parts:  # plain names: relative_path refuses "..", and "." is no part
        if info is not None and not stat.S_ISDIR(info.st_mode):
            return False  # a file where a folder should be
        current = os.path.join(current, part)
        try:
            info = os.lstat(current)
        except OSError:
            return False  # missing (or unreadable): not a file to use
        if stat.S_ISLNK(info.st_mode):
            return None
    return info is not None and stat.S_ISREG(info.st_mode)
